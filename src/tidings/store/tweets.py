"""Tweets: reading one, and posting one (its hashtags, the parent's replies, REPLY and MENTION)."""

from __future__ import annotations

from sqlalchemy import select, update

from ..errors import NotFoundError
from . import tables as t
from . import text
from ._select import bumped, metrics_of, parse_id, tweet_of, tweets_query
from .base import _now
from .notifications import Notifications
from .rows import MetricsRow, PostResult, TweetRow


class Tweets(Notifications):
    """The tweets part of the Store."""

    async def tweet(self, tweet_id: str) -> TweetRow | None:
        try:
            key = parse_id(tweet_id, "tweet")
        except NotFoundError:  # well-formed, beyond every key
            return None
        async with self.engine.connect() as conn:
            row = (await conn.execute(tweets_query().where(t.tweets.c.id == key))).first()
        return tweet_of(row) if row else None

    async def has_tweet(self, tweet_id: str) -> bool:
        """Whether a tweet with this id exists (InvalidInputError for a malformed id)."""
        try:
            key = parse_id(tweet_id, "tweet")
        except NotFoundError:
            return False
        async with self.engine.connect() as conn:
            return await conn.scalar(select(t.tweets.c.id).where(t.tweets.c.id == key)) is not None

    async def metrics(self, tweet_id: str) -> MetricsRow:
        """Current counts of a tweet; NotFoundError when there is no such tweet."""
        key = parse_id(tweet_id, "tweet")
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.tweets).where(t.tweets.c.id == key))).first()
        if row is None:
            raise NotFoundError(f"No tweet with id {tweet_id!r}.")
        return metrics_of(row)

    async def post(self, author_id: str, content: str, reply_to: str | None = None) -> PostResult:
        """Store a tweet; bump its parent's replies; notify the parent's author and mentions."""
        content = text.checked(content)
        tags = text.hashtags(content)
        handles = text.mentions(content)
        now = _now()
        async with self._write() as conn:
            author = await self._user_in(conn, author_id)
            parent_key: int | None = None
            parent_author: str | None = None
            parent_metrics: MetricsRow | None = None
            if reply_to is not None:
                parent_key = parse_id(reply_to, "tweet")
                parent = (
                    await conn.execute(
                        update(t.tweets)
                        .where(t.tweets.c.id == parent_key)
                        .values(replies=t.tweets.c.replies + 1, **bumped(now, sqlite=self.is_sqlite))
                        .returning(t.tweets)
                    )
                ).first()
                if parent is None:
                    raise NotFoundError(f"No tweet with id {reply_to!r} to reply to.")
                parent_author = parent.author_id
                parent_metrics = metrics_of(parent)
            tweet_key = await conn.scalar(
                t.tweets.insert()
                .values(
                    author_id=author_id,
                    content=content,
                    reply_to=parent_key,
                    hashtags=" ".join(tags),
                    likes=0,
                    replies=0,
                    retweets=0,
                    created_at=now,
                    updated_at=now,
                )
                .returning(t.tweets.c.id)
            )
            assert tweet_key is not None
            if tags:
                await conn.execute(
                    t.hashtags.insert(),
                    [{"tweet_id": tweet_key, "tag": tag, "created_at": now} for tag in tags],
                )
            tweet = TweetRow(
                id=str(tweet_key),
                author=author,
                content=content,
                hashtags=tags,
                created_at=now,
                reply_to=str(parent_key) if parent_key is not None else None,
                metrics=MetricsRow(str(tweet_key), 0, 0, 0, now),
            )
            # One notification per user per tweet: the parent's author gets REPLY (even when
            # also mentioned); other known @handles get MENTION; never the author themself.
            targets: dict[str, str] = {}
            if parent_author is not None and parent_author != author_id:
                targets[parent_author] = "REPLY"
            if handles:
                found = await conn.execute(select(t.users.c.id).where(t.users.c.handle.in_(handles)))
                for (uid,) in found:
                    if uid != author_id:
                        targets.setdefault(uid, "MENTION")
            created = [
                await self._notify(conn, user_id=uid, kind=targets[uid], actor=author, tweet=tweet, now=now)
                for uid in sorted(targets)  # a fixed lock order: no deadlock between two posts
            ]
        # Followers are not read here: the tweet is published once and each process routes it to
        # its own followers from the follow graph it holds (bus/timeline.py).
        return PostResult(tweet=tweet, parent_metrics=parent_metrics, created=created)
