"""SQLite calls made inline, for SQLAlchemy's aiosqlite dialect.

aiosqlite runs every call (cursor, execute, fetch, close, commit) in a thread and hands the
result back through the event loop: a like is ~35 such round trips, ~7 ms of CPU, most of it
thread wake-ups rather than SQLite. A local SQLite file answers in microseconds, so this
connection runs the same calls directly in the event loop's thread and offers the part of
aiosqlite's interface that SQLAlchemy's adapter uses (`create_async_engine(async_creator=...)`).

The price: a call that must wait on SQLite's file lock blocks the loop meanwhile. Tidings'
store already queues its own writers (one asyncio.Lock per process) and uses WAL, so in the
embedded, one-process set-up nothing waits; several processes on one SQLite file would, so
the busy timeout is kept short and scale-out uses PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

BUSY_TIMEOUT = 5.0


class InlineCursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        if parameters is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _Immediate:
    """aiosqlite's request queue, as SQLAlchemy uses it to set the isolation level: run now."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:  # handed to whoever awaits the future
            future.set_exception(exc)


class InlineConnection:
    __slots__ = ("_conn", "_tx")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._tx = _Immediate()

    @property
    def _connection(self) -> sqlite3.Connection | None:
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        assert self._conn is not None
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        if self._conn is None:
            raise ValueError("Connection closed")
        return InlineCursor(self._conn.cursor())

    async def commit(self) -> None:
        if self._conn is not None:
            self._conn.commit()

    async def rollback(self) -> None:
        if self._conn is not None:
            self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        assert self._conn is not None
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def creator(path: str) -> Callable[[], Any]:
    """An `async_creator` for create_async_engine: connections to the SQLite file at `path`."""

    async def connect() -> InlineConnection:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level="DEFERRED", detect_types=0)
        return InlineConnection(conn)

    return connect
