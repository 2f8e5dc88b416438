"""Schema migrations with Alembic: `tidings migrate`, which `tidings serve` runs unless --no-migrate.

The scripts live in store/migrations/ (versions/0001_initial.py equals tables.py; a test holds
that). Several instances starting together migrate one at a time (a PostgreSQL advisory lock).
A database whose tables were made by `create_all` (SQLite's default, which needs no migrate)
and that has no revision yet is adopted: stamped as the initial revision, then upgraded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import ConfigError
from .store import make_engine

MIGRATIONS = Path(__file__).with_name("migrations")
INITIAL = "0001"
LOCK_KEY = 0x7469_6469  # "tidi": one migrating instance at a time


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this Tidings knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None, "no migrations in store/migrations/versions"
    return revision


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection) -> tuple[str | None, str]:
    before = _current(connection)
    config = _config(connection)
    if before is None and inspect(connection).has_table("users"):
        command.stamp(config, INITIAL)
    command.upgrade(config, "head")
    return before, head()


async def migrate(url: str) -> tuple[str | None, str]:
    """Bring the database at `url` to the newest revision; return (revision before, after)."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            return await conn.run_sync(_upgrade)
    finally:
        await engine.dispose()


async def require_current(conn: AsyncConnection, url: str) -> None:
    """ConfigError unless the database is at the newest revision."""
    current = await conn.run_sync(_current)
    wanted = head()
    if current != wanted:
        where = url.split("@")[-1]
        raise ConfigError(
            f"The database at {where} is at migration {current or '(none)'}; this Tidings needs {wanted}. "
            "Run `tidings migrate` (or `tidings serve` without --no-migrate)."
        )


def differences(connection: Connection) -> list[Any]:
    """What tables.py has that the database has not, or the other way round (empty when equal)."""
    from alembic.autogenerate import compare_metadata

    from .tables import metadata

    return list(compare_metadata(MigrationContext.configure(connection), metadata))
