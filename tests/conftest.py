"""Fixtures: settings, an in-process app, a real uvicorn server in a thread, WebSocket clients."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tidings.config import Settings
from tidings.http import create_app
from tidings.http.serving import uvicorn_options

from . import factories
from .clients import PROTOCOLS, Api, ApiFactory, WsClient
from .factories import make_settings, token
from .streams import StreamClient


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=["sqlite", "postgresql"],
        default=os.environ.get("TIDINGS_TEST_DATABASE", "sqlite"),
        help="the store of the tests that use make_settings (default: TIDINGS_TEST_DATABASE or sqlite)",
    )


@pytest.fixture(scope="session", autouse=True)
def _database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under --database=postgresql: a migrated schema of this run's own in the test database."""
    if request.config.getoption("--database") != "postgresql":
        yield
        return
    from tidings.store.migration import migrate

    from .services import database_url, drop_schema, new_schema, run_sync

    schema = new_schema("run")
    url = database_url(schema)
    run_sync(lambda: migrate(url))
    factories.POSTGRES_URL = url
    try:
        yield
    finally:
        factories.POSTGRES_URL = None
        drop_schema(schema)


@pytest.fixture(autouse=True)
def _empty_tables(_database: None) -> None:
    if factories.POSTGRES_URL is not None:
        from tidings.store.tables import metadata

        from .services import schema_of, truncate_all

        truncate_all(schema_of(factories.POSTGRES_URL), [table.name for table in metadata.sorted_tables])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        for marker in ("integration", "e2e"):
            if marker in parts:
                item.add_marker(getattr(pytest.mark, marker))


@pytest.fixture(autouse=True)
def _restore_environ() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    while WsClient.OPEN:
        client = WsClient.OPEN.pop()
        with contextlib.suppress(Exception):
            await client.close()
    while StreamClient.OPEN:
        stream = StreamClient.OPEN.pop()
        with contextlib.suppress(Exception):
            await stream.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """In-process ASGI: the app built inside the test, lifespan included."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tidings.test") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server(uvicorn.Server):
    """uvicorn's Server, remembering its event loop so that tests can call into it."""

    loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().serve(sockets)


class LiveServer:
    """A real uvicorn serving the app on a free port, in its own thread and event loop."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.settings = settings.model_copy(update={"port": self.port})
        self.app = create_app(self.settings)
        self.tidings = self.app.state.tidings
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            **{**uvicorn_options(self.settings), "log_level": "warning"},
        )
        self.server = _Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        # As a SIGTERM does (http/serving.py's ExitSignals): streams end now, not at the deadline.
        if self.server.loop is not None and not self.server.loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self.server.loop.call_soon_threadsafe(self.tidings.streams.begin_shutdown)
        self.server.should_exit = True
        self.thread.join(10)

    def stats(self) -> dict[str, Any]:
        return self.tidings.stats.snapshot()  # type: ignore[no-any-return]


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.http_url, timeout=10) as client:
        yield client


@pytest.fixture
def api(http: httpx.AsyncClient) -> ApiFactory:
    """`api("alice")`: HTTP GraphQL with alice's token (the user is created on first use)."""
    return lambda user_id, **claims: Api(http, token(user_id, **claims))


@pytest.fixture(params=PROTOCOLS)
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def ws_raw(live_server: LiveServer, protocol: str) -> AsyncIterator[Callable[[], Any]]:
    """`await ws_raw()`: an open socket on the parametrized sub-protocol, not yet initialised."""
    clients: list[WsClient] = []

    async def open_one() -> WsClient:
        client = await WsClient(live_server.ws_url, protocol, live=lambda: live_server.stats()["live"]).open()
        clients.append(client)
        return client

    yield open_one
    for client in clients:
        with contextlib.suppress(Exception):
            await client.close()


@pytest.fixture
def ws_as(ws_raw: Callable[[], Any]) -> Callable[[str], Any]:
    """`async with ws_as("alice") as alice`: an acknowledged socket as alice."""

    @contextlib.asynccontextmanager
    async def open_as(user_id: str, **claims: Any) -> AsyncIterator[WsClient]:
        client = await ws_raw()
        await client.init(token(user_id, **claims))
        yield client

    return open_as


async def eventually(check: Callable[[], bool], timeout: float = 5.0, interval: float = 0.02) -> None:
    """Wait until `check()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(interval)
