"""The supervised Redis backend: one pub/sub connection we read ourselves, and a pool to publish.

We speak to the pub/sub connection directly (redis-py's Connection, not its PubSub) because its
PubSub reconnects and resubscribes behind our back: the outage would go unnoticed, and what was
published meanwhile would be lost without a resync. Here every failure ends the session, the
Supervisor reports it, and the next session starts from a fresh connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis import asyncio as aioredis
from redis.asyncio.connection import Connection, ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from .supervisor import DEAD_AFTER, HEALTH_INTERVAL, Command, Supervisor, cancelling

CONNECT_TIMEOUT = 2.0
PUBLISH_TIMEOUT = 2.0
STALL_GRACE = 0.25  # a read that returns this much later than its timeout: the loop was busy


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisBackend(Supervisor):
    scheme = "redis"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        # No retries anywhere: a failure must reach the Supervisor, not be papered over. RESP2:
        # pub/sub messages are plain replies there (RESP3 routes them to a push handler).
        options: dict[str, Any] = {
            "protocol": 2,
            "retry": Retry(NoBackoff(), 0),
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": PUBLISH_TIMEOUT,
        }
        self._listen_pool: ConnectionPool = ConnectionPool.from_url(url, **options)
        self.client: aioredis.Redis = aioredis.Redis.from_url(url, **options)

    async def publish(self, channel: str, message: Any) -> None:
        await self.client.publish(channel, message)

    async def publish_batch(self, messages: list[tuple[str, Any]]) -> None:
        """Many (channel, message) pairs in one round trip: a pipeline on one connection, in order."""
        async with self.client.pipeline(transaction=False) as pipe:
            for channel, message in messages:
                pipe.publish(channel, message)
            await pipe.execute()

    async def _close(self) -> None:
        await self.client.aclose()
        await self._listen_pool.disconnect()

    async def _session(self) -> None:
        conn: Connection = self._listen_pool.make_connection()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
        try:
            await asyncio.wait_for(conn.connect(), CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]  # untyped in redis-py
            outbox, channels = self._open_outbox()
            pending = set(channels)
            if channels:
                await conn.send_command("SUBSCRIBE", *channels, check_health=False)
            else:
                self._session_up()
            writer = asyncio.create_task(self._write(conn, outbox), name="broker:redis-writer")
            try:
                await self._read(conn, outbox, writer, pending)
            finally:
                writer.cancel()
                try:
                    await writer
                except asyncio.CancelledError:
                    # The writer's own end, or the bus closing right now: that one must go on
                    # (swallowed, the supervisor reconnected and `disconnect` waited forever).
                    if cancelling():
                        raise
                except Exception:
                    pass  # the writer's error: the session ends with the reader's
        finally:
            await conn.disconnect(nowait=True)

    async def _write(self, conn: Connection, outbox: asyncio.Queue[Command]) -> None:
        while True:
            verb, channel = await outbox.get()
            if verb == "ping":
                await conn.send_command("PING", check_health=False)
            else:
                await conn.send_command(verb.upper(), channel, check_health=False)

    async def _read(
        self, conn: Connection, outbox: asyncio.Queue[Command], writer: asyncio.Task[None], pending: set[str]
    ) -> None:
        loop = asyncio.get_running_loop()
        heard = loop.time()
        while True:
            if writer.done():
                writer.result()  # a failed write ends the session with its error
                raise ConnectionError("the Redis writer stopped")
            asked = loop.time()
            response = await conn.read_response(timeout=HEALTH_INTERVAL, disconnect_on_error=False)
            now = loop.time()
            if response is None:
                stalled = now - asked - HEALTH_INTERVAL
                if stalled > STALL_GRACE:
                    # The loop itself was busy (thousands of sockets at once): no PING went out
                    # meanwhile, and a reply in the socket lost the race with the read's timer.
                    # That silence was ours, not the broker's.
                    heard += stalled
                elif now - heard > DEAD_AFTER:
                    raise ConnectionError(f"Redis did not answer a PING within {DEAD_AFTER} s")
                outbox.put_nowait(("ping", ""))
                continue
            heard = now
            if not isinstance(response, list):
                continue  # +PONG outside pub/sub mode
            kind = _text(response[0])
            if kind == "message":
                self._deliver(_text(response[1]), _text(response[2]))
            elif kind == "subscribe":
                channel = _text(response[1])
                self._acknowledged(channel)
                if pending:
                    pending.discard(channel)
                    if not pending:
                        self._session_up()
            elif kind == "unsubscribe":
                self._released(_text(response[1]))
