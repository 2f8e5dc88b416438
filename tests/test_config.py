"""Settings: read once, validated with messages that name the variable."""

from __future__ import annotations

import json
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
    assert (s.broker_url, s.database_url, s.host, s.port) == (
        "memory://",
        "sqlite+aiosqlite:///./tidings.db",
        "127.0.0.1",
        8000,
    )
    assert (s.trending_interval, s.trending_window, s.init_timeout, s.max_query_bytes) == (
        5.0,
        900,
        5.0,
        65536,
    )


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


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TIDINGS_PORT", "0", "TIDINGS_PORT is '0'; expected an integer 1-65535"),
        (
            "TIDINGS_TRENDING_INTERVAL",
            "soon",
            "TIDINGS_TRENDING_INTERVAL is 'soon'; expected a number greater than 0",
        ),
        ("TIDINGS_BACKLOG_SIZE", "-1", "TIDINGS_BACKLOG_SIZE is '-1'; expected an integer greater than 0"),
        (
            "TIDINGS_DEMO",
            "maybe",
            "TIDINGS_DEMO is 'maybe'; expected true or false (also 1/0, yes/no, on/off)",
        ),
        ("TIDINGS_LOG_FORMAT", "xml", "TIDINGS_LOG_FORMAT is 'xml'; expected one of text, json"),
        (
            "TIDINGS_LOG_LEVEL",
            "loud",
            "TIDINGS_LOG_LEVEL is 'loud'; expected one of debug, info, warning, error, critical",
        ),
        ("TIDINGS_ENV", "prod", "TIDINGS_ENV is 'prod'; expected one of development, production"),
        (
            "TIDINGS_BROKER_URL",
            "amqp://x",
            "TIDINGS_BROKER_URL is 'amqp://x'; expected a URL starting with one of memory://",
        ),
        (
            "TIDINGS_DATABASE_URL",
            "mysql://db",
            "TIDINGS_DATABASE_URL is 'mysql://db'; expected sqlite+aiosqlite:///PATH or",
        ),
        (
            "TIDINGS_ALLOWED_ORIGINS",
            "example.com",
            "TIDINGS_ALLOWED_ORIGINS is 'example.com'; expected comma-separated origins",
        ),
        ("TIDINGS_HOST", " ", "TIDINGS_HOST is ' '; expected an address to bind"),
    ],
)
def test_each_bad_value_names_the_variable_the_value_and_what_is_expected(
    monkeypatch, variable, value, message
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        Settings.read()
    assert raised.value.message.startswith(message)


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "tidings.cli", *args],
        env={"PATH": "", "PYTHONPATH": os.environ.get("PYTHONPATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_secret_refuses_to_start():
    result = _cli("serve", TIDINGS_ENV="production", TIDINGS_PORT="1")
    assert result.returncode == 2
    assert result.stderr == (
        "tidings: TIDINGS_SECRET is not set; expected the HS256 secret your auth service signs tokens with "
        "(TIDINGS_ENV=production never makes one up)\n"
    )


def test_a_short_production_secret_is_refused_without_showing_it():
    result = _cli("config", TIDINGS_ENV="production", TIDINGS_SECRET="hunter2")
    assert result.returncode == 2
    assert "TIDINGS_SECRET is 7 characters long; expected at least 32 in production" in result.stderr
    assert "hunter2" not in result.stderr


def test_development_generates_a_secret_with_a_warning(tmp_path):
    from tidings.http import create_app

    from .factories import make_settings

    settings = make_settings(tmp_path, secret="", env="development")
    app = create_app(settings)
    assert len(app.state.tidings.settings.secret) >= 32
    with pytest.raises(ConfigError, match="TIDINGS_SECRET is not set"):
        create_app(make_settings(tmp_path, secret="", env="production"))


def test_config_prints_the_effective_configuration_with_secrets_hidden():
    result = _cli(
        "config",
        TIDINGS_SECRET="s" * 40,
        TIDINGS_PORT="9000",
        TIDINGS_DATABASE_URL="postgresql+asyncpg://tidings:pa55word@db/tidings",
        TIDINGS_BROKER_URL="redis://:redispass@cache:6379",
    )
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    assert view["TIDINGS_SECRET"] == "***"
    assert view["TIDINGS_PORT"] == 9000
    assert view["TIDINGS_ENV"] == "development"
    assert view["TIDINGS_DATABASE_URL"] == "postgresql+asyncpg://tidings:[redacted]@db/tidings"
    assert view["TIDINGS_BROKER_URL"] == "redis://:[redacted]@cache:6379"
    assert (
        "s" * 40 not in result.stdout and "pa55word" not in result.stdout and "redispass" not in result.stdout
    )
    assert set(view) == {f"TIDINGS_{name.upper()}" for name in Settings.model_fields}


def test_config_with_a_bad_value_exits_non_zero_without_a_traceback():
    result = _cli("config", TIDINGS_MAX_DEPTH="deep")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "tidings: TIDINGS_MAX_DEPTH is 'deep'; expected an integer greater than 0\n"


def test_a_misspelt_variable_is_named_in_a_warning(monkeypatch, caplog):
    monkeypatch.setenv("TIDINGS_PROT", "9000")
    Settings.read()
    assert "TIDINGS_PROT is not a setting and is ignored; did you mean TIDINGS_PORT?" in caplog.text
