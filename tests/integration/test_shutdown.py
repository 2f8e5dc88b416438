"""SIGTERM on a real `tidings serve`: stop accepting, finish in-flight mutations, close sockets
with 1012, exit 0 within TIDINGS_SHUTDOWN_DEADLINE; nothing committed is lost to a client that
reconnects with its cursor."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from ..clients import LEGACY_WS, TRANSPORT_WS, Api, WsClient
from ..conftest import free_port
from ..factories import SECRET, token
from ..streams import StreamClient

STARTED = "slow like started"
# `tidings serve`, with the store's `like` slowed down so that a mutation is surely in flight
# when the signal comes.
SLOW_SERVE = f"""
import asyncio, sys
from tidings.store.store import Store
original = Store.like
async def slow_like(self, *args, **kwargs):
    print({STARTED!r}, flush=True)
    await asyncio.sleep(1.0)
    return await original(self, *args, **kwargs)
Store.like = slow_like
from tidings.cli import main
sys.exit(main(["serve"]))
"""
NOTIFICATIONS = (
    "subscription($a: String) { notifications(after: $a) { kind cursor notification { actor { id } } } }"
)


class Served:
    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.port = port
        self.http_url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/graphql"

    async def line(self, timeout: float = 5) -> str:
        assert self.process.stdout is not None
        return (await asyncio.wait_for(self.process.stdout.readline(), timeout)).decode().strip()


@contextlib.asynccontextmanager
async def serve(tmp_path: Path, code: str, port: int, **overrides: str) -> AsyncIterator[Served]:
    env = {
        **os.environ,
        "TIDINGS_PORT": str(port),
        "TIDINGS_SECRET": SECRET,
        "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/tidings.db",
        "TIDINGS_BROKER_URL": "memory://",
        "TIDINGS_SHUTDOWN_DEADLINE": "4",
        "TIDINGS_LOG_LEVEL": "warning",
        "TIDINGS_STATIC_DIR": str(tmp_path / "no-dashboard"),
        **overrides,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, env=env, stdout=asyncio.subprocess.PIPE
    )
    served = Served(process, port)
    try:
        async with httpx.AsyncClient() as http:
            deadline = time.monotonic() + 60  # a deadline, not a timing
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{served.http_url}/readyz", timeout=1)).status_code == 200:
                        break
                assert process.returncode is None, "the server exited at start"
                assert time.monotonic() < deadline, "the server did not start"
                await asyncio.sleep(0.05)
        yield served
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_sigterm_finishes_mutations_closes_with_1012_exits_0_and_loses_nothing(tmp_path):
    port = free_port()
    restart = "import sys\nfrom tidings.cli import main\nsys.exit(main(['serve']))"
    async with (
        serve(tmp_path, SLOW_SERVE, port) as server,
        httpx.AsyncClient(base_url=server.http_url, timeout=10) as http,
    ):
        alice, bob = Api(http, token("alice")), Api(http, token("bob"))
        tweet = await alice.post("like me before the restart")
        notes = await WsClient(server.ws_url, TRANSPORT_WS).open()
        await notes.init(token("alice"))
        stream = await notes.subscribe(NOTIFICATIONS, {"a": "0"})
        assert await stream.silent_for(0.2)
        legacy = await WsClient(server.ws_url, LEGACY_WS).open()
        await legacy.init(token("dave"))
        carol = await WsClient(server.ws_url, TRANSPORT_WS).open()
        await carol.init(token("carol"))

        like = f'mutation {{ likeTweet(tweetId: "{tweet}") {{ likes }} }}'
        over_http = asyncio.create_task(bob(like))
        await carol.subscribe(like)  # over the WebSocket: its result will never be read
        assert (await server.line(), await server.line()) == (STARTED, STARTED)

        server.process.send_signal(signal.SIGTERM)
        for client in (notes, legacy, carol):
            assert (await client.wait_closed(timeout=2)).code == 1012
        with pytest.raises(httpx.ConnectError):  # no longer accepting
            await httpx.AsyncClient().get(f"{server.http_url}/healthz", timeout=2)
        assert (await asyncio.wait_for(over_http, 5))["likeTweet"]["likes"] in (1, 2)  # finished, not dropped
        # Within the shutdown deadline (4 s here), not held by carol's unread result: a deadline
        # with room for a loaded machine, not a timing.
        assert await asyncio.wait_for(server.process.wait(), 8) == 0

    # Restarted on the same store: alice resumes after her last cursor (none yet) and gets both
    # likes, each once, in order.
    async with serve(tmp_path, restart, port) as again:
        client = await WsClient(again.ws_url, TRANSPORT_WS).open()
        await client.init(token("alice"))
        resumed = await client.subscribe(NOTIFICATIONS, {"a": "0"})
        got = [await resumed.next(timeout=5) for _ in range(2)]
        assert sorted(n["notification"]["actor"]["id"] for n in got) == ["bob", "carol"]
        assert [n["kind"] for n in got] == ["CREATED", "CREATED"]
        assert int(got[0]["cursor"]) < int(got[1]["cursor"])
        assert await resumed.silent_for(0.3)
        await client.close()
        again.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(again.process.wait(), 6) == 0


async def test_sigterm_ends_sse_and_multipart_streams_cleanly_and_finishes_their_mutations(tmp_path):
    # A deadline far longer than the test waits: the streams must end at the signal, not at it.
    async with (
        serve(tmp_path, SLOW_SERVE, free_port(), TIDINGS_SHUTDOWN_DEADLINE="120") as server,
        httpx.AsyncClient(base_url=server.http_url, timeout=10) as http,
    ):
        tweet = await Api(http, token("alice")).post("like me while we stop")
        trending = "subscription { trending { windowSeconds } }"
        sse = await StreamClient(server.http_url, "sse", token("carol")).open(trending)
        multipart = await StreamClient(server.http_url, "multipart", token("dave")).open(trending)
        assert await sse.next() == await multipart.next() == {"windowSeconds": 900}
        like = await StreamClient(server.http_url, "sse", token("bob")).open(
            f'mutation {{ likeTweet(tweetId: "{tweet}") {{ likes }} }}'
        )
        assert await server.line() == STARTED

        server.process.send_signal(signal.SIGTERM)
        # Each subscription stream says why it ends (graphql-sse's client then retries; Apollo's
        # gets a transport error), and the mutation under way finishes with its result.
        assert await sse.message(skip=()) == ("comment", "server restarting; reconnect")
        assert await sse.message() == ("closed", None)
        restarting = {
            "message": "The server is restarting; resubscribe.",
            "extensions": {"code": "SERVICE_RESTART"},
        }
        assert await multipart.message() == ("transport-error", [restarting])
        assert await multipart.message() == ("complete", None)
        assert await like.next() == {"likes": 1}
        assert await like.message() == ("complete", None)
        assert await asyncio.wait_for(server.process.wait(), 20) == 0
