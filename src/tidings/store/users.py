"""Users as tokens name them: created on first sight, refreshed after."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import AuthError
from . import tables as t
from . import writes
from .base import StoreBase, _now
from .rows import Identity, UserRow


class Users(StoreBase):
    """The users part of the Store."""

    async def upsert_user(self, claims: Identity) -> UserRow:
        """Create the user of a valid token on first sight, refresh its handle and role after;
        its display name only when the token names one (`name`), else it is left alone (a new
        user without a name is shown by their handle)."""
        if self.writer is not None:
            return await self.writer.run(writes.sqlite_upsert_user(claims, _now()))
        if self._pg_users is not None:
            args = (
                claims.user_id,
                claims.handle,
                claims.name or claims.handle,
                claims.role,
                _now(),
                claims.name,
            )
            try:
                row = await self._pg_users.run(claims.user_id, writes.PG_UPSERT, *args)
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


def _pg_unique_violation() -> type[Exception]:
    import asyncpg

    return asyncpg.UniqueViolationError  # type: ignore[no-any-return]
