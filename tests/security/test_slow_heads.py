"""Finding 8 (issue 11): slow and oversized request heads. A request head or WebSocket handshake
not complete within TIDINGS_HEADER_TIMEOUT is dropped; a head over 16 KiB gets 431 before the
rest is read; and connections whose heads are still coming count toward the per-address limit.
All on loopback, bounded, and every trickling socket stops by itself."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from typing import Any

import httpx
import pytest

from ..clients import WsClient
from ..conftest import LiveServer, eventually
from ..factories import make_settings, token

TRICKLERS = 400
DEADLINE = 30.0  # seconds a trickler keeps going if the server never drops it


def _handshake_head(port: int, protocol: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Protocol: {protocol}\r\n"
    ).encode()


def _http_head(port: int, path: str = "/healthz") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode()


async def _trickle(port: int, start: bytes, opened: asyncio.Event) -> str:
    """Send `start`, then one more header byte every half second, never finishing the head:
    'dropped' once the server closes the socket, 'held' if it is still open at DEADLINE."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(start + b"X-Slow: ")
        await writer.drain()
        opened.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while loop.time() < deadline:
            try:
                if await asyncio.wait_for(reader.read(1024), 0.5) == b"":
                    return "dropped"
            except TimeoutError:
                pass
            except ConnectionError:
                return "dropped"
            try:
                writer.write(b"a")
                await writer.drain()
            except ConnectionError:
                return "dropped"
        return "held"
    finally:
        writer.transport.abort()


async def _raw_response(port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.transport.abort()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, header_timeout=1.0)


async def test_four_hundred_trickling_heads_are_dropped_and_the_server_still_answers(live_server, protocol):
    port = live_server.port
    connections = live_server.server.server_state.connections
    baseline = len(connections)
    opened = [asyncio.Event() for _ in range(TRICKLERS)]
    starts = [
        _handshake_head(port, protocol) if i % 2 else _http_head(port, "/graphql?query=%7Bviewer%7Bid%7D%7D")
        for i in range(TRICKLERS)
    ]
    tricklers = [asyncio.create_task(_trickle(port, s, e)) for s, e in zip(starts, opened, strict=True)]
    try:
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in opened)), 30)
        # While they trickle, everyone else is served: HTTP and a WebSocket subscription.
        async with httpx.AsyncClient(base_url=live_server.http_url, timeout=10) as http:
            assert (await http.get("/healthz")).json() == {"status": "ok"}
        client = await WsClient(live_server.ws_url, protocol).open()
        await client.init(token("alice"))
        stream = await client.subscribe("trending { windowSeconds }")
        assert (await stream.next(timeout=10))["windowSeconds"] == 900
        outcomes = await asyncio.gather(*tricklers)
    finally:
        for task in tricklers:
            task.cancel()
        await asyncio.gather(*tricklers, return_exceptions=True)
    assert outcomes.count("dropped") == TRICKLERS, f"{outcomes.count('held')} of {TRICKLERS} still held"
    await client.close()
    async with httpx.AsyncClient(base_url=live_server.http_url, timeout=10) as http:
        assert (await http.get("/healthz")).status_code == 200
    assert len(connections) <= baseline + 1  # at most the keep-alive connection just used


async def test_a_head_over_16_kib_gets_431_and_one_under_is_served(live_server, protocol):
    port = live_server.port
    big = b"X-Big: " + b"a" * (17 * 1024) + b"\r\n\r\n"
    status, body = await _raw_response(port, _http_head(port) + big)
    assert status == 431
    assert json.loads(body) == {"errors": [{"message": "Request head is over the limit of 16384 bytes."}]}
    status, _ = await _raw_response(port, _handshake_head(port, protocol) + big)
    assert status == 431
    fits = b"X-Fits: " + b"a" * (15 * 1024) + b"\r\nConnection: close\r\n\r\n"
    status, body = await _raw_response(port, _http_head(port) + fits)
    assert (status, json.loads(body)) == (200, {"status": "ok"})


async def test_a_16_mb_header_is_not_read_to_its_end(live_server):
    port = live_server.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    chunk = b"a" * 65536
    try:
        writer.write(_http_head(port) + b"X-Huge: ")
        while sent < 16 * 1024 * 1024:
            writer.write(chunk)
            await asyncio.wait_for(writer.drain(), 10)
            sent += len(chunk)
        writer.write(b"\r\n\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
    except (ConnectionError, TimeoutError):
        answer = b""  # refused while we were still sending
    finally:
        writer.transport.abort()
    assert sent < 16 * 1024 * 1024 or answer.startswith(b"HTTP/1.1 431 "), answer[:80]


async def test_half_open_connections_count_toward_the_per_address_limit(tmp_path, protocol):
    server = LiveServer(
        make_settings(
            tmp_path, header_timeout=60.0, max_connections_per_ip=4, connect_rate_per_ip=0, limit_exempt=[]
        )
    )
    server.start()
    port = server.port
    held: list[Any] = []

    async def half_open() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_http_head(port))
        await writer.drain()
        held.append((reader, writer))

    async def dropped_at_once() -> bool:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(_http_head(port) + b"\r\n")
            await writer.drain()
            return await asyncio.wait_for(reader.read(), 10) == b""
        except ConnectionError:
            return True
        finally:
            writer.transport.abort()

    try:
        sockets = []
        for user in ("a", "b"):
            client = await WsClient(server.ws_url, protocol).open()
            await client.init(token(user))
            sockets.append(client)
        for _ in range(2):
            await half_open()
        open_on_server = server.server.server_state.connections
        await eventually(lambda: len(open_on_server) == 4)  # the two sockets and the two heads
        refused = await WsClient(server.ws_url, protocol).open()  # 2 open + 2 half-open: at the limit
        assert (await refused.wait_closed()).code == 4431
        for _ in range(2):
            await half_open()
        await eventually(lambda: dict(server.tidings.ws.limits.half_open) == {"127.0.0.1": 4})
        assert await dropped_at_once()  # a fifth unfinished head is not even read
        for _, writer in held:
            writer.transport.abort()
        await eventually(lambda: not server.tidings.ws.limits.half_open)
        async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as http:
            assert (await http.get("/healthz")).status_code == 200
        third = await WsClient(server.ws_url, protocol).open()
        await third.init(token("c"))
        assert not any(c.is_closed for c in (*sockets, third))
    finally:
        for _, writer in held:
            writer.transport.abort()
        server.stop()


def test_uvicorn_s_httptools_protocol_still_has_what_the_head_guard_builds_on():
    """HeadGuard subclasses uvicorn's HttpToolsProtocol (no private attribute): if a uvicorn
    release changes these, this test names the reason before the behaviour tests fail."""
    import inspect

    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from tidings.config import Settings
    from tidings.http.serving import OUR_HTTP, uvicorn_options
    from tidings.transport.heads import HeadGuard

    assert list(inspect.signature(HttpToolsProtocol.__init__).parameters) == [
        "self",
        "config",
        "server_state",
        "app_state",
        "_loop",
    ]
    for hook in (
        "connection_made",
        "data_received",
        "connection_lost",
        "on_message_begin",
        "on_headers_complete",
    ):
        assert callable(getattr(HttpToolsProtocol, hook)), hook
    assert issubclass(HeadGuard, HttpToolsProtocol)
    assert uvicorn_options(Settings())["http"] == OUR_HTTP == "tidings.transport.heads:HeadGuard"


async def test_a_later_request_on_a_kept_alive_connection_is_bounded_too(live_server):
    port = live_server.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(_http_head(port) + b"\r\n")
        await writer.drain()
        first = await asyncio.wait_for(reader.readuntil(b'{"status":"ok"}'), 10)
        assert first.startswith(b"HTTP/1.1 200 ")
        writer.write(_http_head(port) + b"X-Big: " + b"a" * (17 * 1024) + b"\r\n\r\n")
        await writer.drain()
        second = await asyncio.wait_for(reader.read(), 10)
        assert second.startswith(b"HTTP/1.1 431 "), second[:80]
    finally:
        writer.transport.abort()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(_http_head(port) + b"\r\n")
        await writer.drain()
        await asyncio.wait_for(reader.readuntil(b'{"status":"ok"}'), 10)
        writer.write(_http_head(port) + b"X-Slow: ")  # a second head that never ends
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 10) == b""  # dropped after the header timeout
    finally:
        writer.transport.abort()
