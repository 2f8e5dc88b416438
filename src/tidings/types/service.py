"""What back-end services send: rankings and engagement actions (the service mutations)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.input(description="One topic of a ranking; the list is ordered, most trending first.")
class TrendingTopicInput:
    topic: str = strawberry.field(description="A hashtag, with or without `#`; stored in lower case.")
    tweet_count: int


@strawberry.enum(description="What a user did to a tweet, as the tweet service reports it.")
class EngagementAction(Enum):
    LIKE = "LIKE"
    UNLIKE = "UNLIKE"
    RETWEET = "RETWEET"
    UNRETWEET = "UNRETWEET"
