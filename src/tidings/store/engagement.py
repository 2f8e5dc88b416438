"""Likes and retweets: once per user and tweet, taken back and given again; the first one
notifies the tweet's author. The hot path: on a SQLite file or PostgreSQL it runs as writes.py's
one statement, and here as SQLAlchemy on the others (an in-memory SQLite)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import NotFoundError
from . import tables as t
from . import writes
from ._select import bumped, metrics_of, parse_id, tweet_of, tweets_query
from .base import _now
from .notifications import Notifications
from .rows import EngagementResult, UserRow


class Engagement(Notifications):
    """The likes and retweets part of the Store."""

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
                .values({counter: t.tweets.c[counter] + step, **bumped(now, sqlite=self.is_sqlite)})
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
