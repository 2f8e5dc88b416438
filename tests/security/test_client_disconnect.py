"""A client that leaves in the middle of its request body is not a server error: Starlette's
ClientDisconnect reached POST /graphql's handler (run past FastAPI's middleware, http/app.py)
and the app's catch-all, which logged an ERROR with a traceback for each one: any anonymous
client could fill the logs with tracebacks and set off error alerts, a socket at a time."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from ..factories import make_settings
from .checks import nothing_above_debug


def _post_head(port: int, path: str, length: int = 1000) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, demo=True)  # /demo/token reads a body through FastAPI's own stack


@pytest.mark.parametrize("path", ["/graphql", "/demo/token"])
async def test_a_client_gone_in_the_middle_of_its_body_is_no_server_error(live_server, caplog, path):
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    port = live_server.port
    for _ in range(3):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_post_head(port, path) + b'{"query": "{ trending')
        await writer.drain()
        await asyncio.sleep(0.2)  # the handler is reading the body
        writer.transport.abort()
    async with httpx.AsyncClient(base_url=live_server.http_url, timeout=10) as http:
        assert (await http.get("/healthz")).status_code == 200
    await asyncio.sleep(0.2)
    nothing_above_debug(caplog)
