"""The private or undocumented parts of libraries that Tidings leans on, one test each.

pyproject.toml pins these libraries with `~=` and requirements/ locks them; a new release is
taken on purpose (`scripts/lock --upgrade-package NAME`), and if it dropped or changed one of
these parts, the test of that part fails naming the library, its version and our code that
needs it, rather than a server failing somewhere later.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect
import sqlite3
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest


def needs(ok: bool, library: str, what: str, where: str) -> None:
    """Fail loudly: which library, which version, what is gone, and who needs it."""
    if not ok:
        version = importlib.metadata.version(library)
        pytest.fail(f"{library} {version}: {what} is gone or changed; {where} needs it", pytrace=False)


# uvicorn -----------------------------------------------------------------------------------------


def test_uvicorn_protocol_utils_and_server_state() -> None:
    import uvicorn.protocols.utils as utils
    from uvicorn.server import ServerState

    where = "transport/websocket.py (our WebSocket protocol under uvicorn)"
    for name in ("ClientDisconnected", "get_local_addr", "get_remote_addr", "is_ssl"):
        needs(hasattr(utils, name), "uvicorn", f"uvicorn.protocols.utils.{name}", where)
    state = ServerState()
    for name in ("connections", "tasks", "default_headers"):
        needs(hasattr(state, name), "uvicorn", f"ServerState.{name}", where)


def test_uvicorn_builds_ws_protocols_with_the_arguments_ours_takes() -> None:
    import uvicorn.protocols.http.h11_impl as h11_impl
    import uvicorn.protocols.http.httptools_impl as httptools_impl
    from uvicorn.config import Config

    from tidings.transport.websocket import WebSocketProtocol

    where = "transport/websocket.py WebSocketProtocol.__init__"
    ours = set(inspect.signature(WebSocketProtocol.__init__).parameters)
    for module in (h11_impl, httptools_impl):
        source = inspect.getsource(module)
        for argument in ("config=self.config", "server_state=self.server_state", "app_state=self.app_state"):
            needs(
                argument in source,
                "uvicorn",
                f"{module.__name__} calling ws_protocol_class({argument})",
                where,
            )
        needs({"config", "server_state", "app_state"} <= ours, "uvicorn", "the ws protocol arguments", where)
    config = Config(app="tidings.http:create_app")
    for name in ("loaded", "ws_max_size", "root_path", "asgi_version", "ws_ping_interval", "ws_ping_timeout"):
        needs(name in vars(config) or hasattr(Config, name), "uvicorn", f"Config.{name}", where)
    loads = "self.loaded_app" in inspect.getsource(Config.load)
    needs(loads, "uvicorn", "Config.load() setting Config.loaded_app", where)


def test_uvicorn_server_captured_signals() -> None:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app="tidings.http:create_app"))
    needs(
        isinstance(getattr(server, "_captured_signals", None), list),
        "uvicorn",
        "Server._captured_signals (a list of the signals handle_exit saw)",
        "http/serving.py GracefulServer (SIGTERM ends in exit 0)",
    )


# SQLAlchemy's aiosqlite adapter ------------------------------------------------------------------


async def test_sqlalchemy_aiosqlite_adapter_runs_on_our_inline_connection(tmp_path: Path) -> None:
    from sqlalchemy import text
    from sqlalchemy.dialects.sqlite import aiosqlite
    from sqlalchemy.ext.asyncio import create_async_engine

    from tidings.store import _inline_sqlite as inline

    where = "store/_inline_sqlite.py (InlineConnection offers what the adapter reads of aiosqlite)"
    source = inspect.getsource(aiosqlite)
    for private in ("_connection._conn", "_connection._tx.put_nowait", "_connection._connection"):
        needs(private in source, "sqlalchemy", f"the aiosqlite adapter reading {private}", where)
    path = str(tmp_path / "inline.db")
    engine = create_async_engine("sqlite+aiosqlite://", async_creator=inline.creator(path))
    try:
        # Setting the isolation level goes through `_tx.put_nowait` and `_conn`.
        async with engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            assert (await auto.execute(text("select 41 + 1"))).scalar() == 42
        async with engine.begin() as conn:
            await conn.execute(text("create table t (x integer)"))
            await conn.execute(text("insert into t values (1)"))
        async with engine.connect() as conn:
            assert (await conn.execute(text("select count(*) from t"))).scalar() == 1
    finally:
        await engine.dispose()
    assert sqlite3.connect(path).execute("select x from t").fetchall() == [(1,)]


# Strawberry and graphql-core ---------------------------------------------------------------------


def test_strawberry_schema_exposes_its_graphql_core_schema() -> None:
    from graphql import GraphQLSchema

    from tidings.schema import schema

    needs(
        isinstance(getattr(schema, "_schema", None), GraphQLSchema),
        "strawberry-graphql",
        "Schema._schema (the graphql-core schema)",
        "execution/engine.py (we execute with graphql-core directly)",
    )


def test_graphql_core_per_event_executor_memo() -> None:
    from graphql import parse
    from graphql.execution import Executor

    from tidings.schema import schema

    executor = Executor.build(schema._schema, parse("subscription { trending { windowSeconds } }"))
    assert isinstance(executor, Executor)
    memo = getattr(executor, "_relevant_sub_fields", None)
    per_event = executor.build_per_event_executor({})
    needs(
        isinstance(memo, dict) and getattr(per_event, "_relevant_sub_fields", None) is memo,
        "graphql-core",
        "Executor._relevant_sub_fields, shared by build_per_event_executor's copy",
        "execution/engine.py Subscription._per_event (a memo of its own per event)",
    )


def test_strawberry_limiters_create_validator() -> None:
    from graphql import ValidationRule
    from strawberry.extensions import max_aliases, query_depth_limiter

    where = "execution/engine.py (TIDINGS_MAX_DEPTH, TIDINGS_MAX_ALIASES as validation rules)"
    depth: Any = getattr(query_depth_limiter, "create_validator", None)
    aliases: Any = getattr(max_aliases, "create_validator", None)
    needs(callable(depth), "strawberry-graphql", "query_depth_limiter.create_validator", where)
    needs(callable(aliases), "strawberry-graphql", "max_aliases.create_validator", where)
    needs(
        issubclass(depth(10, None), ValidationRule),
        "strawberry-graphql",
        "create_validator(max_depth, rules)",
        where,
    )
    needs(
        issubclass(aliases(30), ValidationRule),
        "strawberry-graphql",
        "create_validator(max_alias_count)",
        where,
    )


def test_graphql_core_per_event_execution() -> None:
    import graphql.execution as execution
    from graphql.execution import collect_fields

    where = "execution/engine.py (a subscription event executed once for many subscribers)"
    for name in ("Executor", "create_source_event_stream", "execute_subscription_event"):
        needs(hasattr(execution, name), "graphql-core", f"graphql.execution.{name}", where)
    needs(hasattr(execution.Executor, "build"), "graphql-core", "Executor.build", where)
    needs(
        hasattr(execution.Executor, "build_per_event_executor"),
        "graphql-core",
        "Executor.build_per_event_executor",
        where,
    )
    needs(
        hasattr(collect_fields, "collect_fields"), "graphql-core", "graphql.execution.collect_fields", where
    )


# broadcaster --------------------------------------------------------------------------------------


async def test_broadcaster_listener_task() -> None:
    from broadcaster import Broadcast

    broadcast = Broadcast("memory://")
    await broadcast.connect()
    try:
        listener = getattr(broadcast, "_listener_task", None)
        needs(
            isinstance(listener, asyncio.Task) and not listener.done(),
            "broadcaster",
            "Broadcast._listener_task (the running listener)",
            "bus/bus.py check() (/readyz)",
        )
    finally:
        await broadcast.disconnect()


# starlette ----------------------------------------------------------------------------------------


def test_starlette_websocket_keeps_the_asgi_send() -> None:
    from starlette.websockets import WebSocket

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        return None

    websocket = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)
    needs(
        getattr(websocket, "_send", None) is send,
        "starlette",
        "WebSocket._send (the ASGI send it was given)",
        "transport/connection.py (results written straight to the ASGI send)",
    )


# asyncio (the standard library) ------------------------------------------------------------------


async def test_asyncio_future_blocking_flag() -> None:
    import platform

    future = asyncio.get_running_loop().create_future()
    if not hasattr(future, "_asyncio_future_blocking"):
        pytest.fail(
            f"Python {platform.python_version()}: Future._asyncio_future_blocking is gone; "
            "execution/_eager.py (running a coroutine's first steps without a Task) needs it",
            pytrace=False,
        )
    future.cancel()
