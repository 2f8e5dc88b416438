"""Alembic migrations: the initial revision equals tables.py, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tidings.errors import ConfigError
from tidings.store import Store
from tidings.store.migration import differences, head, migrate
from tidings.store.store import make_engine

from ..services import database_url, drop_schema, new_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/migrated.db"
        return
    schema = new_schema("mig")
    yield database_url(schema)
    drop_schema(schema)


async def _differences(url: str) -> list[Any]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(differences)
    finally:
        await engine.dispose()


async def test_migrating_an_empty_database_gives_exactly_the_tables_of_tables_py(empty_database):
    assert await migrate(empty_database) == (None, head())
    assert await _differences(empty_database) == []
    assert await migrate(empty_database) == (head(), head())  # idempotent


async def test_a_store_on_an_unmigrated_postgresql_refuses_to_open_and_says_what_to_run():
    schema = new_schema("mig")
    try:
        store = Store(database_url(schema))
        with pytest.raises(
            ConfigError,
            match=rf"is at migration \(none\); this Tidings needs {head()}\. Run `tidings migrate`",
        ):
            await store.open()
        await store.close()
    finally:
        drop_schema(schema)


async def test_tables_made_by_create_all_are_adopted_by_migrate(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/adopted.db"
    store = Store(url)
    await store.open()
    await store.close()
    assert await migrate(url) == (None, head())
    assert await _differences(url) == []


async def test_likes_and_retweets_made_before_0002_stay_in_place(empty_database):
    from alembic import command
    from sqlalchemy import text

    from tidings.store.migration import _config

    engine = make_engine(empty_database)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(_config(sync), "0001"))
            await conn.execute(
                text(
                    "INSERT INTO users (id, handle, display_name, role, last_seq, unread, created_at) "
                    "VALUES ('bob', 'bob', 'Bob', 'user', 0, 0, CURRENT_TIMESTAMP)"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO tweets (id, author_id, content, hashtags, likes, replies, retweets, "
                    "created_at, updated_at) "
                    "VALUES (7, 'bob', 'x', '', 1, 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            for table in ("likes", "retweets"):
                await conn.execute(
                    text(
                        f"INSERT INTO {table} (user_id, tweet_id, created_at) "
                        "VALUES ('bob', 7, CURRENT_TIMESTAMP)"
                    )
                )
    finally:
        await engine.dispose()
    assert await migrate(empty_database) == ("0001", head())
    assert await _differences(empty_database) == []
    store = Store(empty_database)
    await store.open(create=False)
    try:
        assert await store.engaged([("bob", 7)]) == {("bob", 7): (True, True)}
    finally:
        await store.close()
