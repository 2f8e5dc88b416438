"""The real Redis and PostgreSQL the scale-out tests use (127.0.0.1 only), and helpers for them.

They are never skipped: `.ci/run` starts both, and a test that cannot reach them fails.
Every test run works in a PostgreSQL schema of its own, so runs by several people on one
database do not see each other's rows.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote

import asyncpg

REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/test"
POSTGRES_BROKER = "postgres://postgres@127.0.0.1:5432/test"

T = TypeVar("T")


def database_url(schema: str) -> str:
    """The store URL of `schema` in the test database (search_path through libpq's `options`)."""
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/test?options={quote(f'-csearch_path={schema}')}"


def schema_of(url: str) -> str:
    return url.rsplit("%3D", 1)[1]


def run_sync(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from synchronous code, even inside a running event loop."""

    def run() -> T:
        async def main() -> T:
            return await make()

        return asyncio.run(main())

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=60)


async def _execute(*statements: str) -> None:
    conn = await asyncpg.connect(POSTGRES_DSN, timeout=5)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def new_schema(prefix: str = "t") -> str:
    """Create an empty schema with a unique name and return its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    run_sync(lambda: _execute(f'CREATE SCHEMA "{name}"'))
    return name


def drop_schema(name: str) -> None:
    run_sync(lambda: _execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


def truncate_all(schema: str, tables: list[str]) -> None:
    names = ", ".join(f'"{schema}"."{t}"' for t in tables)
    run_sync(lambda: _execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


async def redis_command(*args: Any) -> Any:
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        return await client.execute_command(*args)  # type: ignore[no-untyped-call]  # untyped in redis-py
    finally:
        await client.aclose()
