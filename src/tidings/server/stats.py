"""Live figures of this instance: connections, operations by field, deliveries."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..bus import BroadcastBus


class LiveStats:
    """Counted by the WebSocket layer, read by the `stats` query and /metrics."""

    def __init__(self, bus: BroadcastBus) -> None:
        self.bus = bus
        self.connections = 0
        self.by_field: Counter[str] = Counter()
        self.streams = 0  # subscription source generators alive right now
        self.messages_delivered = 0
        self.close_codes: Counter[int] = Counter()
        self.auth_failures: Counter[str] = Counter()
        self.cluster: tuple[int, int] | None = None  # (connections, instances) once scale-out reports

    @property
    def subscriptions(self) -> int:
        return sum(self.by_field.values())

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
            "coalesced": self.bus.counters.coalesced,
            "overflowed": self.bus.counters.overflowed,
        }
