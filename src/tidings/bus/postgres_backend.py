"""The supervised PostgreSQL backend: LISTEN/NOTIFY, for deployments with PostgreSQL and no Redis.

Two limits of NOTIFY are handled here rather than left to surprise: a payload must be shorter
than 8000 bytes, so a larger one is stored in an unlogged table and the notification carries
only its id (`@<id>`), which the listener reads back before delivering; and a channel is an
identifier of at most 63 bytes, so a longer channel name is replaced by a digest of itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from typing import Any

import asyncpg
from broadcaster import Event as Message

from .supervisor import DEAD_AFTER, HEALTH_INTERVAL, Supervisor

log = logging.getLogger("tidings.bus")

CONNECT_TIMEOUT = 2.0
PAYLOAD_LIMIT = 7900  # bytes; PostgreSQL refuses NOTIFY payloads of 8000 bytes or more
NAME_LIMIT = 63  # bytes in an identifier (NAMEDATALEN - 1)
REF = "@"  # our envelopes are JSON objects and never start with it
KEEP_PAYLOADS = "10 minutes"
TABLE = "tidings_bus_payloads"


def pg_channel(channel: str) -> str:
    """The identifier LISTEN/NOTIFY use for `channel`: itself, or a digest when too long."""
    if len(channel.encode()) <= NAME_LIMIT:
        return channel
    return "tidings#" + hashlib.sha256(channel.encode()).hexdigest()[:48]


class PostgresBackend(Supervisor):
    scheme = "postgres"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()
        self._names: dict[str, str] = {}
        self.large_payloads = 0

    async def subscribe(self, channel: str) -> None:
        self._names[pg_channel(channel)] = channel
        await super().subscribe(channel)

    async def unsubscribe(self, channel: str) -> None:
        await super().unsubscribe(channel)
        if channel not in self.wanted:
            self._names.pop(pg_channel(channel), None)

    async def publish(self, channel: str, message: Any) -> None:
        pool = await self._publisher()
        body = str(message)
        if len(body.encode()) >= PAYLOAD_LIMIT:
            ref = await pool.fetchval(f"INSERT INTO {TABLE} (body) VALUES ($1) RETURNING id", body)
            body = f"{REF}{ref}"
            self.large_payloads += 1
            if self.large_payloads % 100 == 1:
                await pool.execute(
                    f"DELETE FROM {TABLE} WHERE created_at < now() - interval '{KEEP_PAYLOADS}'"
                )
        await pool.execute("SELECT pg_notify($1, $2)", pg_channel(channel), body)

    async def next_published(self) -> Message:
        while True:
            message = await self._messages.get()
            if not message.message.startswith(REF):
                return message
            pool = await self._publisher()
            body = await pool.fetchval(f"SELECT body FROM {TABLE} WHERE id = $1", int(message.message[1:]))
            if body is not None:
                return Message(channel=message.channel, message=body)
            log.error(
                "large payload %s on %s was already deleted; subscribers resync on the next event",
                message.message,
                message.channel,
            )

    async def _publisher(self) -> asyncpg.Pool:
        async with self._pool_lock:
            if self._pool is None:
                pool = await asyncpg.create_pool(self.url, min_size=1, max_size=4, timeout=CONNECT_TIMEOUT)
                try:
                    await pool.execute(
                        f"CREATE UNLOGGED TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY,"
                        " body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
                    )
                except (asyncpg.UniqueViolationError, asyncpg.DuplicateTableError):
                    pass  # another process created it at the same moment
                self._pool = pool
            return self._pool

    async def _close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    def _notified(self, _conn: Any, _pid: int, name: str, payload: str) -> None:
        channel = self._names.get(name)
        if channel is not None:
            self._deliver(channel, payload)

    async def _session(self) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT)
        terminated = asyncio.get_running_loop().create_future()

        def on_terminate(_conn: Any) -> None:
            if not terminated.done():
                terminated.set_result(None)

        conn.add_termination_listener(on_terminate)
        try:
            outbox, channels = self._open_outbox()
            for channel in channels:
                await conn.add_listener(pg_channel(channel), self._notified)
                self._acknowledged(channel)
            self._session_up()
            while True:
                get = asyncio.ensure_future(outbox.get())
                done, _ = await asyncio.wait(
                    {get, terminated}, timeout=HEALTH_INTERVAL, return_when=asyncio.FIRST_COMPLETED
                )
                if terminated in done:
                    get.cancel()
                    raise ConnectionError("PostgreSQL closed the LISTEN connection")
                if get not in done:
                    get.cancel()
                    await asyncio.wait_for(conn.fetchval("SELECT 1"), DEAD_AFTER)
                    continue
                verb, channel = get.result()
                name = pg_channel(channel)
                if verb == "subscribe":
                    await asyncio.wait_for(conn.add_listener(name, self._notified), DEAD_AFTER)
                    self._acknowledged(channel)
                elif verb == "unsubscribe":
                    await asyncio.wait_for(conn.remove_listener(name, self._notified), DEAD_AFTER)
                    self._released(channel)
        finally:
            with contextlib.suppress(Exception):
                conn.terminate()
