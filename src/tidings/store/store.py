"""The store: domain verbs over SQLAlchemy async, one transaction per verb.

Every verb that creates notifications assigns each one the next sequence number of its owner
by `UPDATE users SET last_seq = last_seq + 1 ... RETURNING`, which holds that user's row lock
until commit: concurrent creators queue on the row, so sequences are strictly increasing and,
because a rolled-back transaction also rolls back its increment, gapless.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import event, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from ..errors import AuthError, InvalidInputError, NotFoundError
from . import _inline_sqlite as inline_sqlite
from . import tables as t
from . import text, writes
from ._select import metrics_of, parse_id, tweet_of, tweets_query
from .lanes import PgLanes
from .relations import Relations
from .rows import (
    Created,
    EngagementResult,
    FollowResult,
    Identity,
    MetricsRow,
    NotificationRow,
    PostResult,
    ReadAllResult,
    ReadResult,
    TopicRow,
    TrendingRow,
    TweetRow,
    UserRow,
)
from .timelines import Timelines
from .writer import SqliteWriter

_actor = t.users.alias("actor")
_tweet_author = t.users.alias("tweet_author")
_ntweet = t.tweets.alias("ntweet")

# Connections of the asyncpg pool for the hot writes: each holds a like for one round trip, and
# likes of one tweet queue on its row anyway, so a few keep the database busy.
PG_HOT_POOL = 8

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for a TIDINGS_DATABASE_URL. On PostgreSQL, libpq's `?options=-csearch_path%3Dx`
    is honoured (asyncpg takes it as a startup setting), so one database can hold several schemas."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        # SQLite calls run inline: aiosqlite's thread hop per call costs more than SQLite does.
        kwargs["async_creator"] = inline_sqlite.creator(parsed.database or ":memory:")
        engine = create_async_engine(parsed, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    options = parsed.query.get("options")
    if isinstance(options, str):
        parsed = parsed.difference_update_query(["options"])
        kwargs["connect_args"] = {"server_settings": {"options": options}}
    kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    return create_async_engine(parsed, **kwargs)


class Store(Timelines, Relations):
    """Users, tweets, likes, retweets, follows and notifications, on SQLite or PostgreSQL."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine: AsyncEngine = make_engine(url, echo=echo)
        # SQLite allows one writer: queue our writers here instead of on its file lock.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self._insert = sqlite.insert if self.is_sqlite else postgresql.insert
        # The hot writes (writes.py): on a SQLite file in the writer thread, group-committed; on
        # PostgreSQL one statement each over a pool of asyncpg connections of their own.
        path = make_url(url).database if self.is_sqlite else None
        self.writer = SqliteWriter(path) if path and path != ":memory:" else None
        self._pg: PgLanes | None = None

    async def open(self, *, create: bool = True) -> None:
        """Connect. SQLite: create the tables when `create`. PostgreSQL: ConfigError unless the
        schema is at the newest migration (`tidings migrate`, which `tidings serve` runs)."""
        from .migration import require_current

        async with self.engine.begin() as conn:
            if self.is_sqlite:
                if create:
                    await conn.run_sync(t.metadata.create_all)
            else:
                await require_current(conn, self.url)
        if self.writer is not None:
            self.writer.start()
        if not self.is_sqlite:
            self._pg = PgLanes(await _pg_pool(self.url))

    async def close(self) -> None:
        if self.writer is not None:
            await self.writer.close()
        if self._pg is not None:
            lanes, self._pg = self._pg, None
            await lanes.close()
            await lanes.pool.close()
        await self.engine.dispose()

    async def check(self) -> None:
        """Raise when the database does not answer (used by /readyz)."""
        async with self.engine.connect() as conn:
            await conn.execute(select(1))

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        if self.writer is None:
            async with self._write_lock, self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock, self.writer.exclusive(), self.engine.begin() as conn:
            yield conn

    # users ------------------------------------------------------------------------------------

    async def upsert_user(self, claims: Identity) -> UserRow:
        """Create the user of a valid token on first sight, refresh its handle and role after;
        its display name only when the token names one (`name`), else it is left alone (a new
        user without a name is shown by their handle)."""
        if self.writer is not None:
            return await self.writer.run(writes.sqlite_upsert_user(claims, _now()))
        if self._pg is not None:
            args = (
                claims.user_id,
                claims.handle,
                claims.name or claims.handle,
                claims.role,
                _now(),
                claims.name,
            )
            try:
                row = await self._pg.run(claims.user_id, writes.PG_UPSERT, *args)
            except _pg_unique_violation():
                raise writes.taken(claims) from None
            return UserRow(id=claims.user_id, handle=claims.handle, display_name=row["display_name"])
        async with self._write() as conn:
            taken = await conn.scalar(
                select(t.users.c.id).where(t.users.c.handle == claims.handle, t.users.c.id != claims.user_id)
            )
            if taken is not None:
                raise AuthError(f"Handle {claims.handle!r} belongs to another user.")
            stmt = self._insert(t.users).values(
                id=claims.user_id,
                handle=claims.handle,
                display_name=claims.name or claims.handle,
                role=claims.role,
                last_seq=0,
                unread=0,
                created_at=_now(),
            )
            changes = {"handle": claims.handle, "role": claims.role}
            if claims.name:
                changes["display_name"] = claims.name
            stmt = stmt.on_conflict_do_update(index_elements=[t.users.c.id], set_=changes)
            name = await conn.scalar(stmt.returning(t.users.c.display_name))
        return UserRow(id=claims.user_id, handle=claims.handle, display_name=str(name))

    async def user(self, user_id: str) -> UserRow | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.users).where(t.users.c.id == user_id))).first()
        return UserRow(row.id, row.handle, row.display_name) if row else None

    async def followers(self, user_id: str) -> list[str]:
        async with self.engine.connect() as conn:
            result = await conn.scalars(
                select(t.follows.c.follower_id).where(t.follows.c.followee_id == user_id)
            )
            return list(result)

    async def following(self, user_id: str) -> list[str]:
        """Whom `user_id` follows."""
        async with self.engine.connect() as conn:
            result = await conn.scalars(
                select(t.follows.c.followee_id).where(t.follows.c.follower_id == user_id)
            )
            return list(result)

    async def follows(self, follower_id: str, followee_id: str) -> bool:
        async with self.engine.connect() as conn:
            found = await conn.scalar(
                select(t.follows.c.follower_id).where(
                    t.follows.c.follower_id == follower_id, t.follows.c.followee_id == followee_id
                )
            )
        return found is not None

    # tweets -----------------------------------------------------------------------------------

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
                        .values(replies=t.tweets.c.replies + 1, updated_at=now)
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

    async def like(self, user_id: str, tweet_id: str, *, actor: UserRow | None = None) -> EngagementResult:
        """Like once per user and tweet; the first like notifies the author (not themself).
        `actor`: the user's row when the caller holds it (the viewer), saving a read."""
        return await self._engage(t.likes, "likes", "LIKE", user_id, tweet_id, actor)

    async def retweet(self, user_id: str, tweet_id: str, *, actor: UserRow | None = None) -> EngagementResult:
        """Retweet once per user and tweet; the first retweet notifies the author."""
        return await self._engage(t.retweets, "retweets", "RETWEET", user_id, tweet_id, actor)

    async def unlike(self, user_id: str, tweet_id: str) -> EngagementResult:
        """Take a like back; the notification it made stays."""
        return await self._disengage(t.likes, "likes", user_id, tweet_id)

    async def unretweet(self, user_id: str, tweet_id: str) -> EngagementResult:
        """Take a retweet back; the notification it made stays."""
        return await self._disengage(t.retweets, "retweets", user_id, tweet_id)

    async def _count(self, conn: AsyncConnection, key: int, counter: str, step: int, now: datetime) -> Any:
        """Move a tweet's counter by `step`; the tweet's row after, or None when there is none."""
        return (
            await conn.execute(
                update(t.tweets)
                .where(t.tweets.c.id == key)
                .values({counter: t.tweets.c[counter] + step, "updated_at": now})
                .returning(t.tweets)
            )
        ).first()

    async def _disengage(self, table: Any, counter: str, user_id: str, tweet_id: str) -> EngagementResult:
        key = parse_id(tweet_id, "tweet")
        async with self._write() as conn:
            gone = await conn.execute(
                update(table)
                .where(table.c.user_id == user_id, table.c.tweet_id == key, table.c.active.is_(True))
                .values(active=False)
            )
            if gone.rowcount:
                row = await self._count(conn, key, counter, -1, _now())
            else:
                row = (await conn.execute(select(t.tweets).where(t.tweets.c.id == key))).first()
            if row is None:
                raise NotFoundError(f"No tweet with id {tweet_id!r}.")
        return EngagementResult(metrics=metrics_of(row), changed=bool(gone.rowcount))

    async def _engage(
        self, table: Any, counter: str, kind: str, user_id: str, tweet_id: str, actor: UserRow | None
    ) -> EngagementResult:
        if actor is not None and actor.id != user_id:
            raise ValueError(f"actor {actor.id!r} is not user {user_id!r}")
        key = parse_id(tweet_id, "tweet")
        now = _now()
        if self.writer is not None:
            return await self.writer.run(writes.sqlite_engage(kind, user_id, key, actor, now))
        if self._pg is not None:
            row = await self._pg.run(key, writes.PG_ENGAGE[kind], user_id, key, now, kind)
            return writes.pg_engage_result(kind, user_id, key, actor, now, row)
        async with self._write() as conn:
            # The tweet with its author, read once: it answers "does it exist", and is the
            # notification's tweet (with the counts the update below returns).
            found = (await conn.execute(tweets_query().where(t.tweets.c.id == key))).first()
            if found is None:
                raise NotFoundError(f"No tweet with id {tweet_id!r}.")
            tweet = tweet_of(found)
            inserted = await conn.execute(
                self._insert(table)
                .values(user_id=user_id, tweet_id=key, created_at=now, active=True)
                .on_conflict_do_nothing()
            )
            if not inserted.rowcount:
                # Done before: taken back since (counts again, notifies nobody: the first time
                # did), or still in place (read again: a concurrent first one may have committed).
                again = await conn.execute(
                    update(table)
                    .where(table.c.user_id == user_id, table.c.tweet_id == key, table.c.active.is_(False))
                    .values(active=True)
                )
                if again.rowcount:
                    row = await self._count(conn, key, counter, 1, now)
                    return EngagementResult(metrics=metrics_of(row), changed=True)
                row = (await conn.execute(select(t.tweets).where(t.tweets.c.id == key))).first()
                return EngagementResult(metrics=metrics_of(row), changed=False)
            row = await self._count(conn, key, counter, 1, now)
            assert row is not None
            metrics = metrics_of(row)
            created = None
            if row.author_id != user_id:
                if actor is None:
                    actor = await self._user_in(conn, user_id)
                tweet = dataclasses.replace(tweet, metrics=metrics)
                created = await self._notify(
                    conn, user_id=row.author_id, kind=kind, actor=actor, tweet=tweet, now=now
                )
        return EngagementResult(metrics=metrics, changed=True, created=created)

    # follows ----------------------------------------------------------------------------------

    async def follow(self, follower_id: str, followee_id: str) -> FollowResult:
        """Follow a known user; the first follow notifies them."""
        if follower_id == followee_id:
            raise InvalidInputError("You cannot follow yourself.")
        now = _now()
        async with self._write() as conn:
            if (await conn.scalar(select(t.users.c.id).where(t.users.c.id == followee_id))) is None:
                raise NotFoundError(f"No user with id {followee_id!r}.")
            inserted = await conn.execute(
                self._insert(t.follows)
                .values(follower_id=follower_id, followee_id=followee_id, created_at=now)
                .on_conflict_do_nothing()
            )
            if not inserted.rowcount:
                return FollowResult(changed=False)
            actor = await self._user_in(conn, follower_id)
            created = await self._notify(
                conn, user_id=followee_id, kind="FOLLOW", actor=actor, tweet=None, now=now
            )
        return FollowResult(changed=True, created=created)

    async def unfollow(self, follower_id: str, followee_id: str) -> bool:
        async with self._write() as conn:
            gone = await conn.execute(
                t.follows.delete().where(
                    t.follows.c.follower_id == follower_id, t.follows.c.followee_id == followee_id
                )
            )
        return bool(gone.rowcount)

    # notifications ----------------------------------------------------------------------------

    async def _notify(
        self,
        conn: AsyncConnection,
        *,
        user_id: str,
        kind: str,
        actor: UserRow,
        tweet: TweetRow | None,
        now: datetime,
    ) -> Created:
        seq, unread = (
            await conn.execute(
                update(t.users)
                .where(t.users.c.id == user_id)
                .values(last_seq=t.users.c.last_seq + 1, unread=t.users.c.unread + 1)
                .returning(t.users.c.last_seq, t.users.c.unread)
            )
        ).one()
        note_id = await conn.scalar(
            t.notifications.insert()
            .values(
                user_id=user_id,
                seq=seq,
                kind=kind,
                actor_id=actor.id,
                tweet_id=int(tweet.id) if tweet else None,
                read=False,
                created_at=now,
            )
            .returning(t.notifications.c.id)
        )
        row = NotificationRow(
            id=str(note_id),
            user_id=user_id,
            seq=seq,
            kind=kind,
            actor=actor,
            tweet=tweet,
            read=False,
            created_at=now,
        )
        return Created(notification=row, unread=unread)

    async def notify(self, user_id: str, *, kind: str, actor_id: str, tweet_id: str | None = None) -> Created:
        """A notification another service made (`tidings.publish`): `actor_id` did `kind` to
        `user_id`, about `tweet_id` when given. NotFoundError for an unknown user or tweet."""
        key = parse_id(tweet_id, "tweet") if tweet_id is not None else None
        async with self._write() as conn:
            if (await conn.scalar(select(t.users.c.id).where(t.users.c.id == user_id))) is None:
                raise NotFoundError(f"No user with id {user_id!r}.")
            actor = await self._user_in(conn, actor_id)
            tweet = None
            if key is not None:
                row = (await conn.execute(tweets_query().where(t.tweets.c.id == key))).first()
                if row is None:
                    raise NotFoundError(f"No tweet with id {tweet_id!r}.")
                tweet = tweet_of(row)
            return await self._notify(conn, user_id=user_id, kind=kind, actor=actor, tweet=tweet, now=_now())

    def _notifications_query(self) -> Any:
        n = t.notifications
        return (
            select(
                n,
                _actor.c.handle.label("actor_handle"),
                _actor.c.display_name.label("actor_name"),
                _ntweet.c.author_id.label("t_author_id"),
                _ntweet.c.content.label("t_content"),
                _ntweet.c.reply_to.label("t_reply_to"),
                _ntweet.c.hashtags.label("t_hashtags"),
                _ntweet.c.likes.label("t_likes"),
                _ntweet.c.replies.label("t_replies"),
                _ntweet.c.retweets.label("t_retweets"),
                _ntweet.c.created_at.label("t_created_at"),
                _ntweet.c.updated_at.label("t_updated_at"),
                _tweet_author.c.handle.label("t_handle"),
                _tweet_author.c.display_name.label("t_name"),
            )
            .join(_actor, _actor.c.id == n.c.actor_id)
            .outerjoin(_ntweet, _ntweet.c.id == n.c.tweet_id)
            .outerjoin(_tweet_author, _tweet_author.c.id == _ntweet.c.author_id)
        )

    async def notifications(
        self,
        user_id: str,
        *,
        first: int,
        after_seq: int | None = None,
        before_seq: int | None = None,
        unread_only: bool = False,
    ) -> list[NotificationRow]:
        """`after_seq`: those created after it, oldest first; otherwise newest first (before `before_seq`)."""
        n = t.notifications
        query = self._notifications_query().where(n.c.user_id == user_id)
        if unread_only:
            query = query.where(n.c.read.is_(False))
        if after_seq is not None:
            query = query.where(n.c.seq > after_seq).order_by(n.c.seq.asc())
        else:
            if before_seq is not None:
                query = query.where(n.c.seq < before_seq)
            query = query.order_by(n.c.seq.desc())
        async with self.engine.connect() as conn:
            return [_notification(row) for row in await conn.execute(query.limit(first))]

    async def notifications_between(
        self, user_id: str, *, after_seq: int, upto_seq: int
    ) -> list[NotificationRow]:
        """Oldest first: the user's notifications with after_seq < seq <= upto_seq."""
        n = t.notifications
        query = (
            self._notifications_query()
            .where(n.c.user_id == user_id, n.c.seq > after_seq, n.c.seq <= upto_seq)
            .order_by(n.c.seq.asc())
        )
        async with self.engine.connect() as conn:
            return [_notification(row) for row in await conn.execute(query)]

    async def notification_state(self, user_id: str) -> tuple[int, int]:
        """(last sequence number, unread count) of a user; (0, 0) for an unknown one."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(t.users.c.last_seq, t.users.c.unread).where(t.users.c.id == user_id)
                )
            ).first()
        return (row.last_seq, row.unread) if row else (0, 0)

    async def mark_read(self, user_id: str, notification_id: str) -> ReadResult:
        key = parse_id(notification_id, "notification")
        n = t.notifications
        async with self._write() as conn:
            owner = await conn.scalar(select(n.c.user_id).where(n.c.id == key))
            if owner != user_id:  # someone else's looks missing: ids are no oracle of what exists
                raise NotFoundError(f"No notification with id {notification_id!r}.")
            # Lock the owner's row first, as creators do, then flip the flag.
            unread = await conn.scalar(
                update(t.users)
                .where(t.users.c.id == user_id)
                .values(unread=t.users.c.unread)
                .returning(t.users.c.unread)
            )
            flipped = await conn.execute(
                update(n).where(n.c.id == key, n.c.read.is_(False)).values(read=True)
            )
            if flipped.rowcount:
                unread = await conn.scalar(
                    update(t.users)
                    .where(t.users.c.id == user_id)
                    .values(unread=t.users.c.unread - 1)
                    .returning(t.users.c.unread)
                )
            row = (await conn.execute(self._notifications_query().where(n.c.id == key))).one()
        return ReadResult(
            notification=_notification(row), unread=int(unread or 0), changed=bool(flipped.rowcount)
        )

    async def mark_all_read(self, user_id: str) -> ReadAllResult:
        n = t.notifications
        async with self._write() as conn:
            last_seq = await conn.scalar(
                update(t.users).where(t.users.c.id == user_id).values(unread=0).returning(t.users.c.last_seq)
            )
            marked = await conn.execute(
                update(n).where(n.c.user_id == user_id, n.c.read.is_(False)).values(read=True)
            )
        return ReadAllResult(marked=marked.rowcount or 0, unread=0, last_seq=int(last_seq or 0))

    # trending ---------------------------------------------------------------------------------

    async def trending(
        self, *, window_seconds: int, limit: int, now: datetime | None = None
    ) -> list[TopicRow]:
        """Hashtags of the last `window_seconds`, most used first, ties by name."""
        since = (now or _now()) - timedelta(seconds=window_seconds)
        count = func.count().label("n")
        query = (
            select(t.hashtags.c.tag, count)
            .where(t.hashtags.c.created_at >= since)
            .group_by(t.hashtags.c.tag)
            .order_by(count.desc(), t.hashtags.c.tag.asc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return [TopicRow(topic=row.tag, tweet_count=row.n) for row in await conn.execute(query)]

    async def claim_trending(self, *, interval: float, now: datetime | None = None) -> bool:
        """True when the caller may recompute trending now: no process did in the last `interval`
        seconds (less 10%, for timer jitter), and no ranking service's ranking is held. Of the
        processes sharing this store, one claims per interval."""
        now = now or _now()
        tr = t.trending
        async with self._write() as conn:
            await conn.execute(
                self._insert(tr).values(id=1, claimed_at=_EPOCH, topics="[]").on_conflict_do_nothing()
            )
            claimed = await conn.execute(
                update(tr)
                .where(
                    tr.c.id == 1,
                    tr.c.claimed_at <= now - timedelta(seconds=interval * 0.9),
                    or_(tr.c.held_until.is_(None), tr.c.held_until <= now),
                )
                .values(claimed_at=now)
            )
        return bool(claimed.rowcount)

    async def trending_state(self) -> TrendingRow | None:
        """The ranking last saved by any process; None before the first."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.trending).where(t.trending.c.id == 1))).first()
        if row is None or row.computed_at is None:
            return None
        topics = [TopicRow(topic, count) for topic, count in orjson.loads(row.topics)]
        return TrendingRow(topics, row.computed_at, row.claimed_at, row.held_until)

    async def save_trending(
        self, *, topics: Sequence[TopicRow], computed_at: datetime, held_until: datetime | None = None
    ) -> None:
        """Keep `topics` as the cluster's ranking (held until `held_until` when a service sent it)."""
        tr = t.trending
        body = orjson.dumps([[row.topic, row.tweet_count] for row in topics]).decode()
        async with self._write() as conn:
            await conn.execute(
                self._insert(tr).values(id=1, claimed_at=_EPOCH, topics="[]").on_conflict_do_nothing()
            )
            await conn.execute(
                update(tr)
                .where(tr.c.id == 1)
                .values(topics=body, computed_at=computed_at, held_until=held_until)
            )

    # helpers ----------------------------------------------------------------------------------

    async def _user_in(self, conn: AsyncConnection, user_id: str) -> UserRow:
        row = (await conn.execute(select(t.users).where(t.users.c.id == user_id))).first()
        if row is None:
            raise NotFoundError(f"No user with id {user_id!r}.")
        return UserRow(row.id, row.handle, row.display_name)


def _notification(row: Row[Any]) -> NotificationRow:
    m = row._mapping
    tweet = None
    if m["tweet_id"] is not None:
        tweet = TweetRow(
            id=str(m["tweet_id"]),
            author=UserRow(id=m["t_author_id"], handle=m["t_handle"], display_name=m["t_name"]),
            content=m["t_content"],
            hashtags=m["t_hashtags"].split() if m["t_hashtags"] else [],
            created_at=m["t_created_at"],
            reply_to=str(m["t_reply_to"]) if m["t_reply_to"] is not None else None,
            metrics=MetricsRow(
                tweet_id=str(m["tweet_id"]),
                likes=m["t_likes"],
                replies=m["t_replies"],
                retweets=m["t_retweets"],
                updated_at=m["t_updated_at"],
            ),
        )
    return NotificationRow(
        id=str(m["id"]),
        user_id=m["user_id"],
        seq=m["seq"],
        kind=m["kind"],
        actor=UserRow(id=m["actor_id"], handle=m["actor_handle"], display_name=m["actor_name"]),
        tweet=tweet,
        read=m["read"],
        created_at=m["created_at"],
    )


async def _pg_pool(url: str) -> Any:
    """A pool of asyncpg connections for the hot writes (autocommit, one statement each); the
    URL's `?options=` go along as a startup setting, as the engine's do."""
    import asyncpg

    parsed = make_url(url)
    options = parsed.query.get("options")
    settings = {"options": options} if isinstance(options, str) else None
    return await asyncpg.create_pool(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
        server_settings=settings,
        min_size=1,
        max_size=PG_HOT_POOL,
    )


def _pg_unique_violation() -> type[Exception]:
    import asyncpg

    return asyncpg.UniqueViolationError  # type: ignore[no-any-return]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


__all__ = ["Store", "parse_id"]
