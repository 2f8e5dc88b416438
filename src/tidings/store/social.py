"""Who follows whom: the follow graph, and the FOLLOW notification of a first follow."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import InvalidInputError, NotFoundError
from . import tables as t
from .base import _now
from .notifications import Notifications
from .rows import FollowResult


class Social(Notifications):
    """The follows part of the Store."""

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
