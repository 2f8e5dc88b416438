"""Several real `tidings serve` processes on the real Redis and one PostgreSQL schema.

Each test gets a fresh schema (migrated here, as `tidings migrate` would) and user ids with a
suffix of its own: Redis channels are global, and other test runs may share this Redis.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tidings.store.migration import migrate

from ..clients import Api, WsClient
from ..conftest import free_port
from ..factories import SECRET, token
from ..processes import stop_process, tidings_bin
from ..services import REDIS_URL, database_url, drop_schema, new_schema, redis_command

READY_TIMEOUT = 60.0  # a deadline, not a timing: a loaded machine starts processes slowly


class Node:
    """One `tidings serve` process; stop(), kill() and start() keep its port and settings."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.http = httpx.AsyncClient(base_url=self.http_url, timeout=10)

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def spawn(self) -> None:
        assert self.process is None, f"{self.name} is running"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [tidings_bin(), "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not await self.ready():
            assert self.process is not None and self.process.poll() is None, (
                f"{self.name} exited: {self.log_path.read_text()[-2000:]}"
            )
            assert time.monotonic() < deadline, (
                f"{self.name} not ready in {timeout} s: {self.log_path.read_text()[-2000:]}"
            )
            await asyncio.sleep(0.05)

    async def ready(self) -> bool:
        try:
            return (await self.http.get("/readyz", timeout=1)).status_code == 200
        except httpx.HTTPError:
            return False

    def api(self, user_id: str) -> Api:
        return Api(self.http, token(user_id))

    async def ws(self, user_id: str) -> WsClient:
        client = await WsClient(self.ws_url).open()
        await client.init(token(user_id))
        return client

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye to Redis or the clients."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        stop_process(self.process)
        self.process = None


class Cluster:
    def __init__(self, tmp_path: Path) -> None:
        self.schema = new_schema("scale")
        self.database_url = database_url(self.schema)
        self.tag = uuid.uuid4().hex[:6]
        self.tmp_path = tmp_path
        self.nodes: list[Node] = []

    def user(self, name: str) -> str:
        """A user id of this test's own (channels on the shared Redis are named after users)."""
        return f"{name}{self.tag}"

    async def start(self, count: int, **settings: str) -> list[Node]:
        await migrate(self.database_url)
        env = {
            **os.environ,
            "TIDINGS_DATABASE_URL": self.database_url,
            "TIDINGS_BROKER_URL": REDIS_URL,
            "TIDINGS_SECRET": SECRET,
            "TIDINGS_TRENDING_INTERVAL": "0.5",
            "TIDINGS_LOG_LEVEL": "warning",
            "TIDINGS_STATIC_DIR": str(self.tmp_path / "no-dashboard"),
            **{f"TIDINGS_{key.upper()}": value for key, value in settings.items()},
        }
        nodes = [Node(chr(ord("a") + i), env, self.tmp_path) for i in range(count)]
        for node in nodes:
            node.spawn()
        self.nodes.extend(nodes)  # before waiting: a node that never gets ready is stopped too
        await asyncio.gather(*(node.wait_ready() for node in nodes))
        return nodes

    async def close(self) -> None:
        for node in self.nodes:
            node.stop()
            await node.http.aclose()
        drop_schema(self.schema)


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    made = Cluster(tmp_path)
    try:
        yield made
    finally:
        await made.close()


async def subscribed(channel: str, count: int = 1, timeout: float = 5.0) -> None:
    """Wait until Redis delivers `channel` to `count` subscribers (processes), so that a test
    publishes only once every process it watches listens."""
    deadline = time.monotonic() + timeout
    while True:
        reply = await redis_command("PUBSUB", "NUMSUB", channel)
        if int(reply[1]) >= count:
            return
        assert time.monotonic() < deadline, (
            f"{channel} has {reply[1]} subscribers, not {count}, after {timeout} s"
        )
        await asyncio.sleep(0.02)


async def until(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Await `check()` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        await asyncio.sleep(interval)
