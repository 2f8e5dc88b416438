"""Users, tweets and their engagement counters."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from ..store import MetricsRow, TweetRow, UserRow


@strawberry.type(description="A person on the network, as their token named them.")
class User:
    id: strawberry.ID
    handle: str
    display_name: str

    @classmethod
    def from_row(cls, row: UserRow) -> Self:
        return cls(id=strawberry.ID(row.id), handle=row.handle, display_name=row.display_name)


@strawberry.type(description="Like, reply and retweet counts for one tweet.")
class EngagementMetrics:
    tweet_id: strawberry.ID
    likes: int
    replies: int
    retweets: int
    updated_at: datetime

    @classmethod
    def from_row(cls, row: MetricsRow) -> Self:
        return cls(
            tweet_id=strawberry.ID(row.tweet_id),
            likes=row.likes,
            replies=row.replies,
            retweets=row.retweets,
            updated_at=row.updated_at,
        )


@strawberry.type(description="A tweet, with its author and current counters.")
class Tweet:
    id: strawberry.ID
    author: User
    content: str
    hashtags: list[str] = strawberry.field(description="Lower-cased, without the `#`.")
    created_at: datetime
    reply_to: strawberry.ID | None = strawberry.field(description="The tweet this one replies to.")
    metrics: EngagementMetrics

    @classmethod
    def from_row(cls, row: TweetRow) -> Self:
        return cls(
            id=strawberry.ID(row.id),
            author=User.from_row(row.author),
            content=row.content,
            hashtags=row.hashtags,
            created_at=row.created_at,
            reply_to=strawberry.ID(row.reply_to) if row.reply_to is not None else None,
            metrics=EngagementMetrics.from_row(row.metrics),
        )
