"""The store: domain verbs over SQLAlchemy async, one transaction per verb, on SQLite or
PostgreSQL. Store is its parts put together (a mixin per domain, each in its own module:
users, social, tweets, engagement, notifications, trending, timelines, relations, over
base.StoreBase); this module opens and closes it."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from . import _inline_sqlite as inline_sqlite
from . import tables as t
from ._select import parse_id
from .engagement import Engagement
from .lanes import PgLanes
from .notifications import Notifications
from .relations import Relations
from .social import Social
from .timelines import Timelines
from .trending import Trending
from .tweets import Tweets
from .users import Users
from .writer import SqliteWriter

# Connections of the asyncpg pool for the hot writes: each holds a like for one round trip, and
# likes of one tweet queue on its row anyway, so a few keep the database busy.
PG_HOT_POOL = 8
# Connections for the first sight of users (their own lanes, see Store.open).
PG_USERS_POOL = 4


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


class Store(Users, Social, Tweets, Engagement, Notifications, Trending, Timelines, Relations):
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
        self._pg_users: PgLanes | None = None

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
            self._pg = PgLanes(await _pg_pool(self.url, PG_HOT_POOL))
            # A user's upsert need not wait for its own WAL flush (synchronous_commit off): what
            # refers to the user later (a like, a follow) commits durably, and a flush writes the
            # whole WAL up to it, the upsert included; lost with a crash before that, the user is
            # created again on next sight from the same token. One flush per request, not two.
            self._pg_users = PgLanes(await _pg_pool(self.url, PG_USERS_POOL, durable=False), PG_USERS_POOL)

    async def close(self) -> None:
        if self.writer is not None:
            await self.writer.close()
        for lanes in (self._pg, self._pg_users):
            if lanes is not None:
                await lanes.close()
                await lanes.pool.close()
        self._pg = self._pg_users = None
        await self.engine.dispose()

    async def check(self) -> None:
        """Raise when the database does not answer (used by /readyz)."""
        async with self.engine.connect() as conn:
            await conn.execute(select(1))


async def _pg_pool(url: str, size: int, *, durable: bool = True) -> Any:
    """A pool of asyncpg connections for the hot writes (autocommit, one statement each); the
    URL's `?options=` go along as a startup setting, as the engine's do.

    No reset query when a connection goes back to the pool: asyncpg's default sends one (advisory
    unlock, CLOSE ALL, UNLISTEN, RESET ALL), a round trip more per batch of writes, and the lanes
    change no session state (a transaction they open is always ended; asyncpg still rolls back
    one left open). `durable=False`: commits return before their WAL flush (synchronous_commit
    off)."""
    import asyncpg

    parsed = make_url(url)
    options = parsed.query.get("options")
    settings = {"options": options} if isinstance(options, str) else {}
    if not durable:
        settings["synchronous_commit"] = "off"
    return await asyncpg.create_pool(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
        server_settings=settings or None,
        min_size=1,
        max_size=size,
        reset=_no_session_state,
    )


async def _no_session_state(_conn: Any) -> None:
    """What the lanes' connections need reset when released: nothing (see _pg_pool)."""


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


__all__ = ["Store", "parse_id"]
