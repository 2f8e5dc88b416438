"""Test data: settings, tokens, users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tidings.auth import issue
from tidings.config import Settings

SECRET = "test-secret-that-is-long-enough-for-hs256"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/tidings.db",
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
