"""GET /metrics: this instance's live figures in the Prometheus text format."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from .stats import LiveStats

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class StatsCollector(Collector):
    def __init__(self, stats: LiveStats) -> None:
        self.stats = stats

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        s = self.stats
        yield GaugeMetricFamily("tidings_connections", "Open WebSocket connections.", value=s.connections)
        subs = GaugeMetricFamily("tidings_subscriptions", "Active subscription operations.", labels=["field"])
        for name, n in sorted(s.by_field.items()):
            subs.add_metric([name], n)
        yield subs
        published = CounterMetricFamily("tidings_events_published", "Events published, by stream.", labels=["stream"])
        for kind, n in sorted(s.bus.published.items()):
            published.add_metric([kind], n)
        yield published
        yield CounterMetricFamily(
            "tidings_messages_delivered", "Subscription messages sent to sockets.", value=s.messages_delivered
        )
        yield CounterMetricFamily(
            "tidings_coalesced", "Latest-only updates skipped by slow subscribers.", value=s.bus.counters.coalesced
        )
        yield CounterMetricFamily(
            "tidings_overflowed", "Backlog subscriptions ended for falling behind.", value=s.bus.counters.overflowed
        )
        closes = CounterMetricFamily("tidings_ws_closes", "WebSocket close codes sent.", labels=["code"])
        for code, n in sorted(s.close_codes.items()):
            closes.add_metric([str(code)], n)
        yield closes
        auth = CounterMetricFamily("tidings_auth_failures", "Refused tokens, by reason.", labels=["reason"])
        for reason, n in sorted(s.auth_failures.items()):
            auth.add_metric([reason], n)
        yield auth
        yield GaugeMetricFamily("tidings_bus_channels", "Broker subscriptions held.", value=s.bus.hub.channel_count)


class MetricsEndpoint:
    def __init__(self, stats: LiveStats) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(StatsCollector(stats))

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE)
