"""The typed context every resolver receives: who asks, and the services they may use."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..auth import Claims
from ..bus import BroadcastBus, Event
from ..config import Settings
from ..errors import NotAuthenticatedError
from ..publish import Publisher
from ..store import Store, TopicRow, UserRow
from .lookups import Lookups

log = logging.getLogger("tidings.resolvers")


class StatsSource(Protocol):
    def snapshot(self) -> dict[str, Any]: ...


class TrendingSource(Protocol):
    async def current(self) -> Event: ...

    async def adopt(self, rows: list[TopicRow]) -> Event: ...


@dataclass
class Context:
    store: Store
    bus: BroadcastBus
    settings: Settings
    trending: TrendingSource
    stats: StatsSource
    publisher: Publisher
    viewer: UserRow | None = None
    claims: Claims | None = None
    # Batched reads of the viewer fields; one per process is best (it batches across
    # connections); without one, each Context gets its own.
    lookups: Lookups = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.lookups is None:
            self.lookups = Lookups(self.store)

    def require_viewer(self) -> UserRow:
        """The signed-in viewer; NotAuthenticatedError when the request carries no token."""
        if self.viewer is None:
            raise NotAuthenticatedError()
        return self.viewer

    async def publish(self, channel: str, event: Event) -> None:
        """Publish after commit (`Publisher.send`: a broker failure is logged, not raised)."""
        await self.publisher.send(channel, event)


async def off_fanout() -> None:
    """Call before reading the store inside a live stream's event loop. Events are delivered
    by steps run outside any Task (execution/_eager.py); yielding to the loop first moves what
    follows into the operation's own Task, where the store's timeouts belong."""
    await asyncio.sleep(0)
