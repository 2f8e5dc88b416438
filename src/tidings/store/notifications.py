"""Notifications: created inside the transaction of what caused them, read back by cursor, marked read.

Every verb that creates notifications assigns each one the next sequence number of its owner
by `UPDATE users SET last_seq = last_seq + 1 ... RETURNING`, which holds that user's row lock
until commit: concurrent creators queue on the row, so sequences are strictly increasing and,
because a rolled-back transaction also rolls back its increment, gapless."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import NotFoundError
from . import tables as t
from ._select import parse_id, tweet_of, tweets_query
from .base import StoreBase, _now
from .rows import Created, MetricsRow, NotificationRow, ReadAllResult, ReadResult, TweetRow, UserRow

_actor = t.users.alias("actor")
_tweet_author = t.users.alias("tweet_author")
_ntweet = t.tweets.alias("ntweet")


class Notifications(StoreBase):
    """The notifications part of the Store."""

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
                _ntweet.c.version.label("t_version"),
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
                version=m["t_version"],
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
