"""What the parts of the Store share: the engine and its connections, serialised writes, the
clock. Each part (users.py, social.py, tweets.py, engagement.py, notifications.py, trending.py,
timelines.py, relations.py) is a mixin over StoreBase; store.py puts them together as Store."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..errors import NotFoundError
from . import tables as t
from .lanes import PgLanes
from .rows import UserRow
from .writer import SqliteWriter

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


class StoreBase:
    """The state every part of the Store reads (Store.__init__ sets it)."""

    url: str
    is_sqlite: bool
    engine: AsyncEngine
    _write_lock: asyncio.Lock | None
    _insert: Callable[..., Any]  # the dialect's insert (on_conflict_do_nothing / _do_update)
    writer: SqliteWriter | None
    _pg: PgLanes | None
    _pg_users: PgLanes | None

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

    async def _user_in(self, conn: AsyncConnection, user_id: str) -> UserRow:
        row = (await conn.execute(select(t.users).where(t.users.c.id == user_id))).first()
        if row is None:
            raise NotFoundError(f"No user with id {user_id!r}.")
        return UserRow(row.id, row.handle, row.display_name)
