"""Slow request bodies (review of the head guard): a client that sends a complete request head
and then trickles its body (or never sends it) was held for as long as it liked, counted by no
per-address limit, and the header timeout never applied: slowloris moved one step later. A body
not complete within TIDINGS_HEADER_TIMEOUT of its head is dropped now, and while it is coming the
connection counts toward TIDINGS_MAX_CONNECTIONS_PER_IP as an unfinished head does.
All on loopback, bounded: every trickling socket stops by itself."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from ..clients import WsClient
from ..conftest import LiveServer, eventually
from ..factories import make_settings, token

TRICKLERS = 60
DEADLINE = 12.0  # seconds a trickler keeps going if the server never drops it


def _post_head(port: int, path: str, length: int = 1000) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


async def _trickle_body(port: int, path: str, opened: asyncio.Event) -> str:
    """Send a whole head and the start of a body, then one more body byte every half second,
    never finishing it: 'dropped' once the server closes the socket, 'held' at DEADLINE."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(_post_head(port, path) + b'{"query": "')
        await writer.drain()
        opened.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while loop.time() < deadline:
            try:
                while await asyncio.wait_for(reader.read(1024), 0.5):
                    pass  # a response (405 before the body was read) does not end the trickle
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


@pytest.fixture
def settings(tmp_path):
    # demo: /demo/token reads a body through FastAPI's own stack
    return make_settings(tmp_path, header_timeout=1.0, demo=True)


async def test_trickled_bodies_are_dropped_and_the_server_still_answers(live_server, protocol):
    port = live_server.port
    opened = [asyncio.Event() for _ in range(TRICKLERS)]
    # /graphql runs past FastAPI's middleware (http/app.py); /healthz answers 405 without
    # reading the body, and a kept-alive connection would then wait for the rest of it.
    paths = ["/graphql" if i % 2 else "/healthz" for i in range(TRICKLERS)]
    tricklers = [asyncio.create_task(_trickle_body(port, p, e)) for p, e in zip(paths, opened, strict=True)]
    try:
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in opened)), 30)
        async with httpx.AsyncClient(base_url=live_server.http_url, timeout=10) as http:
            answer = await http.post("/graphql", json={"query": "{ trending { topic } }"})
            assert isinstance(answer.json()["data"]["trending"], list), answer.text
        client = await WsClient(live_server.ws_url, protocol).open()
        await client.init(token("alice"))
        stream = await client.subscribe("trending { windowSeconds }")
        assert (await stream.next(timeout=10))["windowSeconds"] == 900
        await client.close()
        outcomes = await asyncio.gather(*tricklers)
    finally:
        for task in tricklers:
            task.cancel()
        await asyncio.gather(*tricklers, return_exceptions=True)
    held = [p for p, o in zip(paths, outcomes, strict=True) if o == "held"]
    assert not held, f"{len(held)} of {TRICKLERS} still held: {sorted(set(held))}"


async def test_a_body_that_arrives_in_time_is_served(live_server):
    port = live_server.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b'{"query": "{ trending { topic } }"}'
    try:
        writer.write(_post_head(port, "/graphql", len(body)))
        await writer.drain()
        await asyncio.sleep(0.5)  # within the 1 s the body has
        writer.write(body)
        await writer.drain()
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert answer.startswith(b"HTTP/1.1 200 "), answer
        # The deadline was the body's: the kept-alive connection is not dropped after it.
        await asyncio.sleep(1.5)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await writer.drain()
        rest = await asyncio.wait_for(reader.read(), 10)
        assert b'{"status":"ok"}' in rest, rest
    finally:
        writer.transport.abort()


async def test_unfinished_bodies_count_toward_the_per_address_limit(tmp_path, protocol):
    server = LiveServer(
        make_settings(
            tmp_path, header_timeout=60.0, max_connections_per_ip=4, connect_rate_per_ip=0, limit_exempt=[]
        )
    )
    server.start()
    port = server.port
    held: list[Any] = []

    async def unfinished_body() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_post_head(port, "/graphql") + b"{")
        await writer.drain()
        held.append((reader, writer))

    async def dropped_at_once() -> bool:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
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
            await unfinished_body()
        await eventually(lambda: dict(server.tidings.ws.limits.half_open) == {"127.0.0.1": 2})
        refused = await WsClient(server.ws_url, protocol).open()  # 2 open + 2 bodies: at the limit
        assert (await refused.wait_closed()).code == 4431
        for _ in range(2):
            await unfinished_body()
        await eventually(lambda: dict(server.tidings.ws.limits.half_open) == {"127.0.0.1": 4})
        assert await dropped_at_once()
        for _, writer in held:
            writer.transport.abort()
        await eventually(lambda: not server.tidings.ws.limits.half_open)
        third = await WsClient(server.ws_url, protocol).open()
        await third.init(token("c"))
        assert not any(c.is_closed for c in (*sockets, third))
    finally:
        for _, writer in held:
            writer.transport.abort()
        server.stop()
