"""Finding 9 (issue 11): demo mode mints tokens for anyone (POST /demo/token), signed with the
server's secret. With TIDINGS_ENV=production, `--demo` or TIDINGS_DEMO=true refuses to start:
exit 2 and a message that says why, before anything listens."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tidings.errors import ConfigError
from tidings.http import create_app

from ..conftest import free_port
from ..factories import make_settings
from ..processes import tidings_bin

SECRET = "p" * 48
MESSAGE = "tidings: demo mode (--demo or TIDINGS_DEMO=true) is on with TIDINGS_ENV=production; refusing"


def _serve(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    environ.update(
        TIDINGS_ENV="production",
        TIDINGS_SECRET=SECRET,
        TIDINGS_PORT=str(free_port()),
        TIDINGS_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/tidings.db",
        **env,
    )
    return subprocess.run(
        [tidings_bin(), "serve", *args], env=environ, capture_output=True, text=True, timeout=30
    )


@pytest.mark.parametrize(
    ("args", "env"), [(("--demo",), {}), ((), {"TIDINGS_DEMO": "true"})], ids=["--demo", "TIDINGS_DEMO"]
)
def test_demo_mode_in_production_refuses_to_start(tmp_path, args, env):
    result = _serve(tmp_path, *args, **env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(MESSAGE), result.stderr
    assert SECRET not in result.stderr
    assert not (tmp_path / "tidings.db").exists()  # refused before migrating or listening


def test_an_app_for_production_with_demo_mode_cannot_be_built(tmp_path):
    with pytest.raises(ConfigError, match="demo mode"):
        create_app(make_settings(tmp_path, env="production", demo=True, secret=SECRET))
    with pytest.raises(ConfigError, match="demo mode"):
        create_app(make_settings(tmp_path, env="production", demo=True, secret=""))
