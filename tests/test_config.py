"""Settings: read once, validated with messages that name the variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tidings.config import Settings
from tidings.errors import ConfigError


def test_defaults_match_the_contract(monkeypatch):
    for key in list(__import__("os").environ):
        if key.startswith("TIDINGS_"):
            monkeypatch.delenv(key)
    s = Settings()
    assert (s.broker_url, s.database_url, s.host, s.port) == ("memory://", "sqlite+aiosqlite:///./tidings.db", "127.0.0.1", 8000)
    assert (s.trending_interval, s.trending_window, s.init_timeout, s.max_query_bytes) == (5.0, 900, 5.0, 65536)


def test_a_bad_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("TIDINGS_PORT", "eighty")
    with pytest.raises(ConfigError, match="TIDINGS_PORT is 'eighty'"):
        Settings.from_env()


def test_a_missing_secret_is_generated_with_a_warning(monkeypatch, caplog):
    monkeypatch.delenv("TIDINGS_SECRET", raising=False)
    s = Settings.from_env()
    assert len(s.secret) >= 32
    assert "TIDINGS_SECRET is not set" in caplog.text


def test_allowed_origins_are_comma_separated(monkeypatch):
    monkeypatch.setenv("TIDINGS_ALLOWED_ORIGINS", "https://a.example, https://b.example/")
    assert Settings.from_env().allowed_origins == ["https://a.example", "https://b.example"]


def test_the_cli_exits_non_zero_on_bad_config_without_a_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "tidings.cli", "token", "alice"],
        env={"TIDINGS_TRENDING_WINDOW": "-3", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TIDINGS_TRENDING_WINDOW is '-3'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_cli_prints_a_token_the_server_accepts():
    from tidings.auth import verify

    result = subprocess.run(
        [sys.executable, "-m", "tidings.cli", "token", "alice", "--name", "Alice A", "--role", "service"],
        env={"TIDINGS_SECRET": "s" * 40, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    claims = verify(result.stdout.strip(), secret="s" * 40)
    assert (claims.user_id, claims.name, claims.role) == ("alice", "Alice A", "service")
