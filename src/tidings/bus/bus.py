"""EventBus: publish, subscribe and check, over encode's broadcaster.

The URL scheme picks the backend (memory://, redis://, postgres://); a backend's client
library is imported only when chosen (broadcaster does that). We add what broadcaster leaves
to its users: JSON envelopes, one broker subscription per channel with local fan-out (the
Hub), a bounded or latest-wins Mailbox per subscriber, and a health check that notices a dead
listener (broadcaster#144: its listener task dies silently).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Protocol

from broadcaster import Broadcast

from ..errors import BrokerUnavailableError
from . import channels
from .events import Event
from .hub import Hub
from .mailbox import Mailbox, MailboxCounters, Policy

log = logging.getLogger("tidings.bus")

SUPPORTED_SCHEMES = ("memory", "redis", "rediss", "postgres", "postgresql")


class EventBus(Protocol):
    async def publish(self, channel: str, event: Event) -> None: ...

    def subscribe(
        self, channel: str, *, latest_only: bool = False
    ) -> contextlib.AbstractAsyncContextManager[Mailbox]: ...

    async def check(self) -> None: ...


class BroadcastBus:
    """The EventBus over broadcaster."""

    def __init__(self, url: str, *, backlog_size: int = 256) -> None:
        scheme = url.split("://", 1)[0]
        if scheme not in SUPPORTED_SCHEMES:
            raise ValueError(
                f"TIDINGS_BROKER_URL is {url!r}; expected one of {', '.join(s + '://' for s in SUPPORTED_SCHEMES)}"
            )
        self.url = url
        self.scheme = scheme
        self.backlog_size = backlog_size
        self.counters = MailboxCounters()
        self._broadcast = Broadcast(url)
        self.hub = Hub(self._broadcast, self.counters)
        self.published: Counter[str] = Counter()
        self._connected = False

    @property
    def events_published(self) -> int:
        return sum(self.published.values())

    async def connect(self) -> None:
        await self._broadcast.connect()
        self._connected = True

    async def disconnect(self) -> None:
        await self.hub.close()
        if self._connected:
            self._connected = False
            with contextlib.suppress(Exception):
                await self._broadcast.disconnect()

    async def publish(self, channel: str, event: Event) -> None:
        """Send `event` to every subscriber of `channel` in every process on this broker."""
        try:
            await self._broadcast.publish(channel, event.encode())
        except Exception as exc:
            raise BrokerUnavailableError(f"Could not publish to the event broker: {exc}") from exc
        self.published[channels.kind_of(channel)] += 1

    def subscribe(self, channel: str, *, latest_only: bool = False) -> contextlib.AbstractAsyncContextManager[Mailbox]:
        """A Mailbox of the events on `channel`, from now on. Leave the `async with` to unsubscribe."""
        policy = Policy.LATEST if latest_only else Policy.BACKLOG
        return self.hub.subscribe(channel, policy, 1 if latest_only else self.backlog_size)

    async def check(self) -> None:
        """Raise BrokerUnavailableError when the broker's listener died or the broker is gone."""
        listener: asyncio.Task[None] | None = getattr(self._broadcast, "_listener_task", None)
        if not self._connected or listener is None or listener.done():
            raise BrokerUnavailableError("The event broker's listener is not running.")


@contextlib.asynccontextmanager
async def open_bus(url: str, *, backlog_size: int = 256) -> AsyncIterator[BroadcastBus]:
    bus = BroadcastBus(url, backlog_size=backlog_size)
    await bus.connect()
    try:
        yield bus
    finally:
        await bus.disconnect()
