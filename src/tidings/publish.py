"""Publishing from other services, in process: the successor of the old `broadcast_*` helpers.

Each verb changes the store where Tidings keeps state, commits, then publishes exactly what the
matching user action publishes (the resolvers use the same after-commit steps), so subscribers
cannot tell a service's event from a user's.

    from tidings.publish import Publisher

    publisher = Publisher.of(app)                       # app = tidings.http.create_app(settings)
    await publisher.notification(user_id="alice", kind="LIKE", actor_id="bob", tweet_id="42")
    await publisher.tweet(author_id="alice", content="Live from the keynote #launch")
    await publisher.like(user_id="bob", tweet_id="42")          # also unlike, retweet, unretweet
    await publisher.trending([("launch", 120), ("python", 80)])
    await publisher.typing(conversation_id="42", user_id="alice", is_typing=True)

| old helper                    | now                                                  |
|-------------------------------|------------------------------------------------------|
| broadcast_notification        | `notification(user_id, kind, actor_id, tweet_id)`    |
| broadcast_feed_update         | `tweet(author_id, content, reply_to)`                |
| broadcast_engagement_update   | `like` / `unlike` / `retweet` / `unretweet(user_id, tweet_id)` |
| broadcast_trending_update     | `trending([(topic, tweet_count), ...])`              |
| broadcast_typing_indicator    | `typing(conversation_id, user_id, is_typing)`        |

Failures: NotFoundError for an unknown user or tweet, InvalidInputError for a bad argument
(nothing is stored or published then). A broker failure after the commit is logged, not raised:
the change is stored, and subscribers recover it from the store as they do for user actions.
Other processes publish through the service mutations instead (docs/integration.md).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from . import ids
from . import messages as events
from .bus import Event, EventBus, channels
from .errors import BrokerUnavailableError, InvalidInputError, NotFoundError
from .store import (
    EngagementResult,
    FollowResult,
    MetricsRow,
    NotificationRow,
    PostResult,
    Store,
    TopicRow,
    TweetRow,
)

log = logging.getLogger("tidings.publish")

NOTIFICATION_KINDS = ("LIKE", "REPLY", "RETWEET", "FOLLOW", "MENTION")
MAX_TOPICS = 50
MAX_TOPIC_CHARS = 140


class RankingHolder(Protocol):
    """Whoever keeps the current trending ranking (the Trender)."""

    async def adopt(self, rows: list[TopicRow]) -> Event: ...


class Publisher:
    """Store, commit, publish: for code running in the server's process."""

    def __init__(self, store: Store, bus: EventBus, ranking: RankingHolder | None = None) -> None:
        self.store = store
        self.bus = bus
        self.ranking = ranking

    @classmethod
    def of(cls, app: Any) -> Publisher:
        """The publisher of an app made by `create_app` (use it once the app has started)."""
        tidings = app.state.tidings
        return cls(tidings.store, tidings.bus, tidings.trender)

    async def send(self, channel: str, event: Event) -> None:
        """Publish after commit: a broker failure is logged, not raised (the change is stored)."""
        try:
            await self.bus.publish(channel, event)
        except BrokerUnavailableError as exc:
            log.error("event for %s not published: %s", channel, exc)

    # after-commit steps, shared with the resolvers of the user actions --------------------------

    async def engagement_changed(self, result: EngagementResult) -> None:
        if result.changed:
            await self.send(
                channels.engagement(result.metrics.tweet_id), events.metrics_event(result.metrics)
            )
        if result.created is not None:
            await self.send(
                channels.notifications(result.created.notification.user_id),
                events.created_event(result.created),
            )

    async def posted(self, result: PostResult) -> None:
        if result.parent_metrics is not None:
            await self.send(
                channels.engagement(result.parent_metrics.tweet_id),
                events.metrics_event(result.parent_metrics),
            )
        for created in result.created:
            await self.send(
                channels.notifications(created.notification.user_id), events.created_event(created)
            )
        # Once, for every process: each routes it to its own followers' feeds (bus/timeline.py).
        await self.send(channels.timeline(), events.tweet_event(result.tweet))

    async def followed(self, follower_id: str, followee_id: str, result: FollowResult) -> None:
        if result.changed:
            graph = events.graph_event(events.FOLLOWED, follower_id, followee_id)
            await self.send(channels.timeline(), graph)
            await self.send(channels.feed(follower_id), events.follow_event(events.FOLLOWED, followee_id))
        if result.created is not None:
            await self.send(channels.notifications(followee_id), events.created_event(result.created))

    async def unfollowed(self, follower_id: str, followee_id: str, changed: bool) -> None:
        if changed:
            await self.send(
                channels.timeline(), events.graph_event(events.UNFOLLOWED, follower_id, followee_id)
            )
            await self.send(channels.feed(follower_id), events.follow_event(events.UNFOLLOWED, followee_id))

    # verbs for services -------------------------------------------------------------------------

    async def notification(
        self, *, user_id: str, kind: str, actor_id: str, tweet_id: str | None = None
    ) -> NotificationRow:
        """`actor_id` did `kind` (LIKE, REPLY, RETWEET, FOLLOW, MENTION) to `user_id`, about
        `tweet_id` if given: stored with the user's next cursor, then on their stream."""
        if kind not in NOTIFICATION_KINDS:
            raise InvalidInputError(
                f"Notification kind is {kind!r}; expected one of {', '.join(NOTIFICATION_KINDS)}."
            )
        if user_id == actor_id:
            raise InvalidInputError(
                "Nobody is notified of their own action: userId and actorId are the same."
            )
        created = await self.store.notify(user_id, kind=kind, actor_id=actor_id, tweet_id=tweet_id)
        await self.send(channels.notifications(user_id), events.created_event(created))
        return created.notification

    async def tweet(self, *, author_id: str, content: str, reply_to: str | None = None) -> TweetRow:
        """Post as `author_id`: followers' feeds, the parent's replies, REPLY and MENTION."""
        result = await self.store.post(author_id, content, reply_to)
        await self.posted(result)
        return result.tweet

    async def like(self, *, user_id: str, tweet_id: str) -> MetricsRow:
        result = await self.store.like(user_id, tweet_id)
        await self.engagement_changed(result)
        return result.metrics

    async def unlike(self, *, user_id: str, tweet_id: str) -> MetricsRow:
        result = await self.store.unlike(user_id, tweet_id)
        await self.engagement_changed(result)
        return result.metrics

    async def retweet(self, *, user_id: str, tweet_id: str) -> MetricsRow:
        result = await self.store.retweet(user_id, tweet_id)
        await self.engagement_changed(result)
        return result.metrics

    async def unretweet(self, *, user_id: str, tweet_id: str) -> MetricsRow:
        result = await self.store.unretweet(user_id, tweet_id)
        await self.engagement_changed(result)
        return result.metrics

    async def follow(self, *, follower_id: str, followee_id: str) -> bool:
        result = await self.store.follow(follower_id, followee_id)
        await self.followed(follower_id, followee_id, result)
        return result.changed

    async def typing(self, *, conversation_id: str, user_id: str, is_typing: bool) -> None:
        """`user_id` started or stopped typing in a conversation (nothing is stored)."""
        conversation = await self.conversation(conversation_id)
        user = await self.store.user(ids.user(user_id))
        if user is None:
            raise NotFoundError(f"No user with id {ids.shown(user_id)}.")
        await self.send(channels.typing(conversation), events.typing_event(conversation, user, is_typing))

    async def conversation(self, conversation_id: str) -> str:
        """A conversation is the reply thread under a tweet, named by the tweet's id: that id
        (canonical), InvalidInputError when malformed, NotFoundError when no tweet has it."""
        key = ids.canonical(conversation_id, "conversation")
        if not await self.store.has_tweet(key):
            raise NotFoundError(
                f"No conversation {ids.shown(conversation_id)}: a conversation is the thread under a tweet."
            )
        return key

    async def trending(self, topics: Sequence[tuple[str, int]]) -> list[TopicRow]:
        """A ranking from the ranking service, most trending first: it becomes the current one
        (what `trending` subscribers get now and at subscribe time) and holds while the service
        keeps sending rankings (see Trender.adopt)."""
        if self.ranking is None:
            raise InvalidInputError("This publisher has no trending ranking to replace.")
        rows = ranking_rows(topics)
        await self.ranking.adopt(rows)
        return rows


def ranking_rows(topics: Sequence[tuple[str, int]]) -> list[TopicRow]:
    """Topics as the store ranks hashtags: lower case, without `#`; InvalidInputError otherwise."""
    if len(topics) > MAX_TOPICS:
        raise InvalidInputError(f"A ranking has at most {MAX_TOPICS} topics; got {len(topics)}.")
    rows: list[TopicRow] = []
    seen: set[str] = set()
    for topic, count in topics:
        name = topic.strip().lstrip("#").lower()
        if not name or len(name) > MAX_TOPIC_CHARS:
            raise InvalidInputError(f"Topic {topic!r} must have 1-{MAX_TOPIC_CHARS} characters.")
        if name in seen:
            raise InvalidInputError(f"Topic {name!r} appears twice in the ranking.")
        if count < 0:
            raise InvalidInputError(f"Topic {name!r} has tweetCount {count}; expected 0 or more.")
        seen.add(name)
        rows.append(TopicRow(topic=name, tweet_count=count))
    return rows
