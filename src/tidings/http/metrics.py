"""GET /metrics: the live figures in the Prometheus text format.

| metric                                     | type      | labels               |
|--------------------------------------------|-----------|----------------------|
| tidings_connections                        | gauge     |                      |
| tidings_subscriptions                      | gauge     | field                |
| tidings_bus_channels                       | gauge     |                      |
| tidings_events_published_total             | counter   | stream               |
| tidings_messages_delivered_total           | counter   |                      |
| tidings_delivery_latency_seconds           | histogram |                      |
| tidings_executions_total                   | counter   |                      |
| tidings_shared_results_total               | counter   |                      |
| tidings_hydrations_total                   | counter   |                      |
| tidings_coalesced_total                    | counter   |                      |
| tidings_overflowed_total                   | counter   |                      |
| tidings_auth_failures_total                | counter   | reason               |
| tidings_ws_closes_total                    | counter   | code                 |
| tidings_broker_reconnects_total            | counter   |                      |
| tidings_open_connections                   | gauge     | transport            |
| tidings_transport_subscriptions            | gauge     | transport            |
| tidings_transport_messages_delivered_total | counter   | transport            |
| tidings_http_requests_total                | counter   | method, route, status|
| tidings_http_request_duration_seconds      | histogram | method, route        |
| tidings_processes                          | gauge     |                      |

The hot paths only bump plain integers (LiveStats, the bus) and a lock-free histogram; this
module turns them into metric families when scraped. With several worker processes on one host
(`TIDINGS_METRICS_DIR`), each process writes its figures to a file in that directory every
second and any worker's /metrics sums them: counters and histograms over every process that
ever wrote (so a worker's exit does not look like a counter reset), gauges over the live ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import time
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..bus import BroadcastBus
from ..execution.shared import SharedPayloads
from ..execution.stats import LiveStats

log = logging.getLogger("tidings.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ROUTES = {"/graphql", "/healthz", "/readyz", "/metrics", "/demo/token", "/demo/users"}
EXPORT_INTERVAL = 1.0
STREAMS = (b"text/event-stream", b"multipart/mixed")
LIVE_WITHIN = 10.0  # seconds: a process whose file is older than this counts as gone for gauges

# name: (type, help, label names)
FAMILIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "tidings_connections": ("gauge", "Open WebSocket connections.", ()),
    "tidings_subscriptions": ("gauge", "Active subscription operations, by root field.", ("field",)),
    "tidings_bus_channels": ("gauge", "Broker subscriptions held (one per channel per process).", ()),
    "tidings_events_published": ("counter", "Events published to the bus, by stream.", ("stream",)),
    "tidings_messages_delivered": ("counter", "Subscription messages sent to sockets.", ()),
    "tidings_delivery_latency_seconds": (
        "histogram",
        "From an event's publication to its fan-out to this process's subscribers, once per event.",
        (),
    ),
    "tidings_executions": (
        "counter",
        "Subscription results executed: one per event and sharing key (execution/shared.py).",
        (),
    ),
    "tidings_shared_results": (
        "counter",
        "Subscription results sent from another subscriber's execution of the same event and key.",
        (),
    ),
    "tidings_hydrations": (
        "counter",
        "Subscription results of a shared execution completed with the recipient's own viewer fields.",
        (),
    ),
    "tidings_coalesced": ("counter", "Latest-only updates a slow subscriber skipped (coalesced).", ()),
    "tidings_overflowed": (
        "counter",
        "Backlog subscriptions ended for falling too far behind (their buffered messages dropped).",
        (),
    ),
    "tidings_auth_failures": ("counter", "Refused tokens, by reason.", ("reason",)),
    "tidings_ws_closes": ("counter", "WebSocket close codes sent.", ("code",)),
    "tidings_broker_reconnects": ("counter", "Times the event broker connection was re-established.", ()),
    "tidings_open_connections": (
        "gauge",
        "Open connections by transport: WebSockets, SSE and multipart HTTP streams.",
        ("transport",),
    ),
    "tidings_transport_subscriptions": ("gauge", "Active subscriptions, by transport.", ("transport",)),
    "tidings_transport_messages_delivered": (
        "counter",
        "Subscription messages sent, by transport.",
        ("transport",),
    ),
    "tidings_http_requests": (
        "counter",
        "HTTP requests, by method, route and status.",
        ("method", "route", "status"),
    ),
    "tidings_http_request_duration_seconds": ("histogram", "HTTP request duration.", ("method", "route")),
    "tidings_processes": ("gauge", "Server processes whose figures these are.", ()),
}

Labels = tuple[str, ...]
Snapshot = dict[str, dict[str, Any]]  # family name -> {labels as JSON: value or [buckets..., sum]}


class Histogram:
    """A histogram without locks (one event loop bumps it): counts per bucket, and the sum."""

    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.sum += value

    def state(self) -> list[float]:
        return [*self.counts, self.sum]


# Per process, like the sockets it measures: the Hub calls `observe_delivery` once per event,
# when its fan-out to every local subscriber is done (delivery is synchronous there, so this is
# publish-to-last-socket-write; a subscriber whose socket pushes back gets its copy later).
DELIVERY_LATENCY = Histogram(LATENCY_BUCKETS)


def observe_delivery(published_at: float) -> None:
    """Record how long ago an event that was just fanned out was published."""
    DELIVERY_LATENCY.observe(max(0.0, time.time() - published_at))


def reason_label(reason: str) -> str:
    """`Token expired.` -> `token_expired`: a bounded, readable label value."""
    return re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_")[:40] or "unknown"


class Metrics:
    """The figures of this process, as a snapshot and as metric families; /metrics serves them."""

    def __init__(self, stats: LiveStats, bus: BroadcastBus, directory: Path | None = None) -> None:
        self.stats = stats
        self.bus = bus
        self.directory = directory
        self.http_requests: dict[Labels, int] = {}
        self.http_duration: dict[Labels, Histogram] = {}
        self.shared: SharedPayloads | None = None  # the WebSocket server's, once it has one
        self._file = directory / f"tidings-{os.getpid()}-{time.time_ns()}.json" if directory else None
        self._task: asyncio.Task[None] | None = None
        self.registry = CollectorRegistry()
        self.registry.register(_Families(self))

    def observe_http(self, method: str, path: str, status: int, seconds: float | None) -> None:
        """Count a request; `seconds` None for a stream (SSE, multipart), whose duration is how
        long its client watched, not how long the request took."""
        route = path if path in ROUTES else "other"
        key = (method, route, str(status))
        self.http_requests[key] = self.http_requests.get(key, 0) + 1
        if seconds is None:
            return
        histogram = self.http_duration.get(key[:2])
        if histogram is None:
            histogram = self.http_duration[key[:2]] = Histogram(HTTP_BUCKETS)
        histogram.observe(seconds)

    def snapshot(self, *, live: bool = True) -> Snapshot:
        """This process's figures; gauges left out when `live` is false (the process is stopping)."""
        s, bus = self.stats, self.bus
        snap: Snapshot = {name: {} for name in FAMILIES}

        def put(name: str, value: Any, *labels: str) -> None:
            snap[name][json.dumps(labels)] = value

        if live:
            put("tidings_connections", s.connections)
            for field, n in s.by_field.items():
                if n:
                    put("tidings_subscriptions", n, field)
            put("tidings_bus_channels", bus.hub.channel_count)
            put("tidings_processes", 1)
        transports = s.by_transport()
        for transport, row in transports.items():
            if live:
                put("tidings_open_connections", row["connections"], transport)
                put("tidings_transport_subscriptions", row["subscriptions"], transport)
            put("tidings_transport_messages_delivered", row["delivered"], transport)
        for stream, n in bus.published.items():
            put("tidings_events_published", n, stream)
        put("tidings_messages_delivered", s.messages_delivered)
        put("tidings_delivery_latency_seconds", DELIVERY_LATENCY.state())
        if self.shared is not None:
            put("tidings_executions", self.shared.executions)
            put("tidings_shared_results", self.shared.hits)
            put("tidings_hydrations", self.shared.hydrations)
        put("tidings_coalesced", bus.counters.coalesced)
        put("tidings_overflowed", bus.counters.overflowed)
        for reason, n in s.auth_failures.items():
            label = reason_label(reason)
            put("tidings_auth_failures", snap["tidings_auth_failures"].get(json.dumps([label]), 0) + n, label)
        for code, n in s.close_codes.items():
            put("tidings_ws_closes", n, str(code))
        put("tidings_broker_reconnects", getattr(bus, "reconnects", 0))
        for labels, n in self.http_requests.items():
            put("tidings_http_requests", n, *labels)
        for labels, histogram in self.http_duration.items():
            put("tidings_http_request_duration_seconds", histogram.state(), *labels)
        return snap

    def merged(self) -> Snapshot:
        """This process's snapshot, plus every other process's file in the metrics directory."""
        total = self.snapshot()
        if self.directory is None:
            return total
        now = time.time()
        for path in self.directory.glob("tidings-*.json"):
            if path == self._file:
                continue
            try:
                other: Snapshot = json.loads(path.read_text())
                live = now - path.stat().st_mtime < LIVE_WITHIN
            except (OSError, ValueError):
                continue  # written or removed under us; the next scrape reads it
            for name, values in other.items():
                if name not in total or (FAMILIES[name][0] == "gauge" and not live):
                    continue
                for labels, value in values.items():
                    total[name][labels] = _add(total[name].get(labels), value)
        return total

    def export(self, *, live: bool = True) -> None:
        assert self._file is not None
        tmp = self._file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.snapshot(live=live)))
        os.replace(tmp, self._file)

    async def _export_forever(self) -> None:
        while True:
            try:
                self.export()
            except OSError as exc:
                log.warning("metrics not written to %s: %s", self.directory, exc)
            await asyncio.sleep(EXPORT_INTERVAL)

    def start(self) -> None:
        if self._file is not None:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            self._task = asyncio.create_task(self._export_forever(), name="metrics-export")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            with contextlib.suppress(OSError):
                self.export(live=False)

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE)


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if isinstance(a, list):
        return [x + y for x, y in zip(a, b, strict=True)]
    return a + b


class _Families(Collector):
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        snap = self.metrics.merged()
        for name, (kind, help_text, label_names) in FAMILIES.items():
            values = sorted(snap.get(name, {}).items())
            family: Metric
            if kind == "histogram":
                bounds = LATENCY_BUCKETS if name == "tidings_delivery_latency_seconds" else HTTP_BUCKETS
                family = HistogramMetricFamily(name, help_text, labels=label_names)
                for labels, state in values:
                    cumulative, buckets = 0, []
                    for bound, count in zip([*map(str, bounds), "+Inf"], state[:-1], strict=True):
                        cumulative += count
                        buckets.append((bound, cumulative))
                    family.add_metric(json.loads(labels), buckets, state[-1])
            else:
                cls = GaugeMetricFamily if kind == "gauge" else CounterMetricFamily
                family = cls(name, help_text, labels=label_names)
                for labels, value in values:
                    family.add_metric(json.loads(labels), value)
            yield family


class RequestTimer:
    """ASGI middleware: the duration and status of every HTTP request (WebSockets pass by)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        streaming = False

        async def send_and_note(message: Message) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = message["status"]
                content_type = dict(message.get("headers", ())).get(b"content-type", b"")
                streaming = content_type.startswith(STREAMS)
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            seconds = None if streaming else time.perf_counter() - started
            self.metrics.observe_http(scope["method"], scope["path"], status, seconds)
