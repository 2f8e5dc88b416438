"""Test data: settings, tokens, users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tidings.auth import issue
from tidings.config import Settings

SECRET = "test-secret-that-is-long-enough-for-hs256"

# Set by tests/conftest.py under `--database=postgresql` (or TIDINGS_TEST_DATABASE=postgresql):
# the URL of this run's migrated schema in the test database, truncated before every test.
POSTGRES_URL: str | None = None


def database_url(tmp_path: Path) -> str:
    """The store of one test: SQLite in its tmp_path, or this run's PostgreSQL schema."""
    return POSTGRES_URL or f"sqlite+aiosqlite:///{tmp_path}/tidings.db"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url(tmp_path),
        "broker_url": "memory://",
        "secret": SECRET,
        "trending_interval": 0.2,
        "static_dir": tmp_path / "no-dashboard",
    }
    values.update(overrides)
    return Settings(**values)


def token(user_id: str, **claims: Any) -> str:
    claims.setdefault("name", user_id.capitalize())
    return issue(user_id, secret=SECRET, **claims)
