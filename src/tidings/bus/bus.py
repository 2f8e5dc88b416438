"""EventBus: publish, subscribe and check, over encode's broadcaster.

The URL scheme picks the backend; a backend's client library is imported only when chosen.
memory:// is broadcaster's own (one process). redis:// and postgres:// are our supervised
backends behind broadcaster's Broadcast (bus/supervisor.py): broadcaster's own listener dies
silently when the broker goes away (broadcaster#144), ours reconnects, resubscribes and tells
every subscriber to resync. kafka:// is refused: nothing here supervises it or fills its gaps.
We add what broadcaster leaves to its users: JSON envelopes, one broker subscription per
channel with local fan-out (the Hub), a bounded or latest-wins Mailbox per subscriber, and a
health check for /readyz.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Protocol

from broadcaster import Broadcast

from ..config import KAFKA_REFUSAL, SUPPORTED_SCHEMES
from ..errors import BrokerUnavailableError, ConfigError
from . import channels
from .events import Event
from .hub import Hub
from .mailbox import Mailbox, MailboxCounters, Policy
from .outbox import Outbox
from .supervisor import Supervisor, redacted
from .timeline import Timeline

log = logging.getLogger("tidings.bus")

SHARED_SCHEMES = ("redis", "rediss", "postgres", "postgresql")


def _backend(url: str, scheme: str) -> Supervisor | None:
    if scheme in ("redis", "rediss"):
        from .redis_backend import RedisBackend

        return RedisBackend(url)
    if scheme in ("postgres", "postgresql"):
        from .postgres_backend import PostgresBackend

        return PostgresBackend(url)
    return None


class EventBus(Protocol):
    async def publish(self, channel: str, event: Event) -> None: ...

    async def publish_many(self, names: list[str], event: Event) -> None: ...

    def subscribe(
        self, channel: str, *, latest_only: bool = False
    ) -> contextlib.AbstractAsyncContextManager[Mailbox]: ...

    async def check(self) -> None: ...


class BroadcastBus:
    """The EventBus over broadcaster."""

    def __init__(self, url: str, *, backlog_size: int = 256) -> None:
        scheme = url.split("://", 1)[0]
        if scheme == "kafka":
            raise ConfigError(f"TIDINGS_BROKER_URL is {redacted(url)!r}; expected {KAFKA_REFUSAL}")
        if scheme not in SUPPORTED_SCHEMES:
            raise ConfigError(
                f"TIDINGS_BROKER_URL is {redacted(url)!r}; expected one of "
                f"{', '.join(s + '://' for s in SUPPORTED_SCHEMES)}"
            )
        self.url = url
        self.scheme = scheme
        self.backlog_size = backlog_size
        self.counters = MailboxCounters()
        self.backend = _backend(url, scheme)
        self._broadcast = Broadcast(url) if self.backend is None else Broadcast(backend=self.backend)
        confirm = self.backend.confirmed if self.backend is not None else None
        self.hub = Hub(self._broadcast, self.counters, confirm)
        self.timeline = Timeline(self.hub)
        if self.backend is not None:
            self.backend.on_state(self._broker_state)
        self.published: Counter[str] = Counter()
        self.reconnects = 0  # times the broker came back after an outage (each sends a resync)
        self._connected = False
        # Events leave this process in the order they were published: over a pool of broker
        # connections a later publish could overtake an earlier one (a subscriber would then
        # drop the earlier engagement counts as stale), and a burst of concurrent publishes
        # could exhaust the pool. A broker that takes a batch in one round trip (Redis) gets
        # them through an Outbox, pipelined; the others one at a time under a lock, which wakes
        # its waiters first come, first served.
        batch = getattr(self.backend, "publish_batch", None)
        self._outbox = Outbox(batch) if batch is not None else None
        self._publish_order = asyncio.Lock()

    @property
    def shared(self) -> bool:
        """True when other processes see what this one publishes (not memory://)."""
        return self.scheme in SHARED_SCHEMES

    @property
    def redis(self) -> Any | None:
        """The Redis client of a redis:// bus (for cluster figures), else None."""
        return getattr(self.backend, "client", None)

    def _broker_state(self, up: bool, since: float | None) -> None:
        if up and since is not None:
            self.reconnects += 1
            count = self.hub.resync(since)
            log.info("resync sent to %d subscribers after the broker came back", count)

    @property
    def events_published(self) -> int:
        return sum(self.published.values())

    async def connect(self) -> None:
        await self._broadcast.connect()
        self._connected = True

    async def disconnect(self) -> None:
        if self._outbox is not None:
            await self._outbox.close()
        await self.timeline.close()
        await self.hub.close()
        if self._connected:
            self._connected = False
            with contextlib.suppress(Exception):
                await self._broadcast.disconnect()

    async def publish(self, channel: str, event: Event) -> None:
        """Send `event` to every subscriber of `channel` in every process on this broker."""
        await self.publish_many([channel], event)

    async def publish_many(self, names: list[str], event: Event) -> None:
        """`publish` to each of `names`: in order, and on Redis pipelined with whatever else is
        being published meanwhile (bus/outbox.py)."""
        if not names:
            return
        message = event.encode()
        try:
            if self._outbox is not None:
                await self._outbox.put(names, message)
            else:
                async with self._publish_order:
                    for channel in names:
                        await self._broadcast.publish(channel, message)
        except Exception as exc:
            raise BrokerUnavailableError(f"Could not publish to the event broker: {exc}") from exc
        self.published[channels.kind_of(names[0])] += len(names)

    def subscribe(
        self, channel: str, *, latest_only: bool = False
    ) -> contextlib.AbstractAsyncContextManager[Mailbox]:
        """A Mailbox of the events on `channel`, from now on. Leave the `async with` to unsubscribe."""
        policy = Policy.LATEST if latest_only else Policy.BACKLOG
        return self.hub.subscribe(channel, policy, 1 if latest_only else self.backlog_size)

    def newest(self, channel: str) -> Event | None:
        """The newest state event this process holds for `channel` (see Hub.newest)."""
        return self.hub.newest(channel)

    def offer(self, channel: str, event: Event) -> None:
        """Offer a snapshot read after subscribing as the channel's newest state (see Hub.offer)."""
        self.hub.offer(channel, event)

    async def check(self) -> None:
        """Raise BrokerUnavailableError when the broker is gone or its listener died."""
        listener: asyncio.Task[None] | None = getattr(self._broadcast, "_listener_task", None)
        if not self._connected or listener is None or listener.done():
            raise BrokerUnavailableError("The event broker's listener is not running.")
        backend = self.backend
        if backend is not None and not backend.up:
            since = datetime.fromtimestamp(backend.lost_at, UTC).isoformat() if backend.lost_at else "start"
            raise BrokerUnavailableError(
                f"The event broker {backend.where} is unreachable since {since} ({backend.last_error}); "
                "reconnecting."
            )


@contextlib.asynccontextmanager
async def open_bus(url: str, *, backlog_size: int = 256) -> AsyncIterator[BroadcastBus]:
    bus = BroadcastBus(url, backlog_size=backlog_size)
    await bus.connect()
    try:
        yield bus
    finally:
        await bus.disconnect()
