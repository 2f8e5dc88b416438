"""The service mutations: other processes publish through these with a `role: service` token.

Each one stores and broadcasts through the same Publisher as `tidings.publish`, so subscribers
get exactly what the matching user action sends. A user token is refused with FORBIDDEN before
anything is stored or published.
"""

from __future__ import annotations

from strawberry import ID
from strawberry.types import Info

from .. import ids
from ..errors import ForbiddenError
from ..publish import Publisher
from ..types.live import TrendingUpdate
from ..types.notifications import Notification, NotificationKind
from ..types.service import EngagementAction, TrendingTopicInput
from ..types.social import EngagementMetrics, Tweet
from . import live
from .context import Context

SERVICE = "service"


def _publisher(info: Info[Context, None]) -> Publisher:
    """The publisher, for a service token only: NotAuthenticatedError without a token,
    ForbiddenError with a user's."""
    ctx = info.context
    ctx.require_viewer()
    if ctx.claims is None or ctx.claims.role != SERVICE:
        raise ForbiddenError("Only a service token (claim role: service) may call this mutation.")
    return ctx.publisher


async def create_notification(
    info: Info[Context, None], user_id: ID, kind: NotificationKind, actor_id: ID, tweet_id: ID | None = None
) -> Notification:
    row = await _publisher(info).notification(
        user_id=ids.user(user_id),
        kind=kind.value,
        actor_id=ids.user(actor_id),
        tweet_id=ids.canonical(tweet_id) if tweet_id else None,
    )
    return Notification.from_row(row)


async def publish_tweet(
    info: Info[Context, None], author_id: ID, content: str, reply_to: ID | None = None
) -> Tweet:
    row = await _publisher(info).tweet(
        author_id=ids.user(author_id),
        content=content,
        reply_to=ids.canonical(reply_to) if reply_to is not None else None,
    )
    return Tweet.from_row(row)


async def publish_engagement(
    info: Info[Context, None], user_id: ID, tweet_id: ID, action: EngagementAction
) -> EngagementMetrics:
    publisher = _publisher(info)
    verb = {
        EngagementAction.LIKE: publisher.like,
        EngagementAction.UNLIKE: publisher.unlike,
        EngagementAction.RETWEET: publisher.retweet,
        EngagementAction.UNRETWEET: publisher.unretweet,
    }[action]
    return EngagementMetrics.from_row(await verb(user_id=ids.user(user_id), tweet_id=ids.canonical(tweet_id)))


async def publish_trending(info: Info[Context, None], topics: list[TrendingTopicInput]) -> TrendingUpdate:
    await _publisher(info).trending([(topic.topic, topic.tweet_count) for topic in topics])
    current = await info.context.trending.current()  # what subscribers got: the adopted ranking
    return current.memo(TrendingUpdate, live.trending_update)


async def publish_typing(
    info: Info[Context, None], conversation_id: ID, user_id: ID, is_typing: bool
) -> bool:
    await _publisher(info).typing(
        conversation_id=str(conversation_id), user_id=ids.user(user_id), is_typing=is_typing
    )
    return True
