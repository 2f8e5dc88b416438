"""Users, tweets and their engagement counters."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry.types import Info

from ..store import MetricsRow, TweetRow, UserRow
from .viewer import Engaged, ViewerContext, ViewerScoped


async def _followers_count(root: User, info: Info[ViewerContext, None]) -> int:
    return (await info.context.lookups.follow_counts(str(root.id)))[0]


async def _following_count(root: User, info: Info[ViewerContext, None]) -> int:
    return (await info.context.lookups.follow_counts(str(root.id)))[1]


async def _followed_by_viewer(root: User, info: Info[ViewerContext, None]) -> bool:
    ctx = info.context
    return await ctx.lookups.follows(ctx.viewer, str(root.id))


@strawberry.type(description="A person on the network, as their token named them.")
class User:
    id: strawberry.ID
    handle: str
    display_name: str
    followers_count: int = strawberry.field(resolver=_followers_count, description="How many follow them.")
    following_count: int = strawberry.field(resolver=_following_count, description="How many they follow.")
    followed_by_viewer: bool = strawberry.field(
        resolver=_followed_by_viewer,
        description="Whether the viewer follows them; false without a viewer and for the viewer themself.",
        directives=[ViewerScoped()],
    )

    @classmethod
    def from_row(cls, row: UserRow) -> Self:
        return cls(id=strawberry.ID(row.id), handle=row.handle, display_name=row.display_name)


async def _engaged(metrics: EngagementMetrics, info: Info[ViewerContext, None]) -> Engaged:
    ctx = info.context
    return await ctx.lookups.engagement(ctx.viewer, str(metrics.tweet_id), metrics.likes, metrics.retweets)


async def _metrics_liked(root: EngagementMetrics, info: Info[ViewerContext, None]) -> bool:
    return (await _engaged(root, info)).liked


async def _metrics_retweeted(root: EngagementMetrics, info: Info[ViewerContext, None]) -> bool:
    return (await _engaged(root, info)).retweeted


@strawberry.type(description="Like, reply and retweet counts for one tweet.")
class EngagementMetrics:
    tweet_id: strawberry.ID
    likes: int
    replies: int
    retweets: int
    updated_at: datetime
    liked_by_viewer: bool = strawberry.field(
        resolver=_metrics_liked,
        description="Whether the viewer likes the tweet now; false without a viewer.",
        directives=[ViewerScoped()],
    )
    retweeted_by_viewer: bool = strawberry.field(
        resolver=_metrics_retweeted,
        description="Whether the viewer retweets the tweet now; false without a viewer.",
        directives=[ViewerScoped()],
    )

    @classmethod
    def from_row(cls, row: MetricsRow) -> Self:
        return cls(
            tweet_id=strawberry.ID(row.tweet_id),
            likes=row.likes,
            replies=row.replies,
            retweets=row.retweets,
            updated_at=row.updated_at,
        )


async def _tweet_liked(root: Tweet, info: Info[ViewerContext, None]) -> bool:
    return (await _engaged(root.metrics, info)).liked


async def _tweet_retweeted(root: Tweet, info: Info[ViewerContext, None]) -> bool:
    return (await _engaged(root.metrics, info)).retweeted


@strawberry.type(description="A tweet, with its author and current counters.")
class Tweet:
    id: strawberry.ID
    author: User
    content: str
    hashtags: list[str] = strawberry.field(description="Lower-cased, without the `#`.")
    created_at: datetime
    reply_to: strawberry.ID | None = strawberry.field(description="The tweet this one replies to.")
    metrics: EngagementMetrics
    liked_by_viewer: bool = strawberry.field(
        resolver=_tweet_liked,
        description="Whether the viewer likes it now; false without a viewer.",
        directives=[ViewerScoped()],
    )
    retweeted_by_viewer: bool = strawberry.field(
        resolver=_tweet_retweeted,
        description="Whether the viewer retweets it now; false without a viewer.",
        directives=[ViewerScoped()],
    )

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
