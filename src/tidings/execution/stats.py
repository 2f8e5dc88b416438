"""Live figures of this instance: connections, operations by field, deliveries; and, on a
redis:// bus, the cluster's connections and live instances (bus/cluster.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from typing import Any

from ..bus import BroadcastBus
from ..bus.cluster import INTERVAL, ClusterFigures

log = logging.getLogger("tidings.stats")


TRANSPORTS = ("websocket", "sse", "multipart")


class LiveStats:
    """Counted by the transports, read by the `stats` query and /metrics."""

    def __init__(self, bus: BroadcastBus, database_url: str = "") -> None:
        self.bus = bus
        self.connections = 0
        self.by_field: Counter[str] = Counter()
        self.streams = 0  # subscription source generators alive right now
        self.live = 0  # of those, the ones set up and waiting for events
        self.messages_delivered = 0
        # HTTP streams (transport/stream.py), by transport; WebSockets are the rest of the totals.
        self.open_by_transport: Counter[str] = Counter()
        self.subscriptions_by_transport: Counter[str] = Counter()
        self.delivered_by_transport: Counter[str] = Counter()
        self.close_codes: Counter[int] = Counter()
        self.auth_failures: Counter[str] = Counter()
        self.cluster: tuple[int, int] | None = None  # (connections, instances) while Redis reports
        redis = bus.redis
        self._figures = ClusterFigures(redis, database_url) if redis is not None else None
        self._task: asyncio.Task[None] | None = None

    @property
    def subscriptions(self) -> int:
        return sum(self.by_field.values())

    def by_transport(self) -> dict[str, dict[str, int]]:
        """Open connections, active subscriptions and messages delivered, per transport."""
        streams = TRANSPORTS[1:]
        on_streams = sum(self.subscriptions_by_transport[t] for t in streams)
        figures = {
            "websocket": {
                "connections": self.connections,
                "subscriptions": self.subscriptions - on_streams,
                "delivered": self.messages_delivered - sum(self.delivered_by_transport[t] for t in streams),
            }
        }
        for transport in streams:
            figures[transport] = {
                "connections": self.open_by_transport[transport],
                "subscriptions": self.subscriptions_by_transport[transport],
                "delivered": self.delivered_by_transport[transport],
            }
        return figures

    def snapshot(self) -> dict[str, Any]:
        cluster_connections, instances = self.cluster if self.cluster else (self.connections, 1)
        return {
            "connections": self.connections,
            "subscriptions": self.subscriptions,
            "by_field": {name: n for name, n in self.by_field.items() if n},
            "events_published": self.bus.events_published,
            "messages_delivered": self.messages_delivered,
            "cluster_connections": cluster_connections,
            "instances": instances,
            "bus_channels": self.bus.hub.channel_count,
            "mailboxes": self.bus.hub.mailbox_count,
            "streams": self.streams,
            "live": self.live,
            "coalesced": self.bus.counters.coalesced,
            "overflowed": self.bus.counters.overflowed,
            "by_transport": self.by_transport(),
        }

    # cluster figures ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._figures is not None:
            self._task = asyncio.create_task(self._report(), name="cluster-figures")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        assert self._figures is not None
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._figures.withdraw(), 1)

    async def _report(self) -> None:
        assert self._figures is not None
        failing = False
        while True:
            try:
                self.cluster = await asyncio.wait_for(self._figures.report(self.connections), 2 * INTERVAL)
                failing = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Without Redis the figures would be stale: report this instance alone meanwhile.
                self.cluster = None
                if not failing:
                    log.warning("cluster figures not reported to Redis: %r", exc)
                failing = True
            await asyncio.sleep(INTERVAL)
