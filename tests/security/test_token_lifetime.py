"""Finding 13 (issue 11), tokens: `tidings token` printed tokens that never expire. They now
carry `exp`: 24 hours by default, `--ttl` for another lifetime (seconds, or 90m, 12h, 30d).
Finding 12's token part: with TIDINGS_ENV=production a token without `exp` is refused (401 over
HTTP, 4403 at `connection_init`) however well it is signed.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import httpx
import jwt
import pytest

from tidings.auth import issue

from ..clients import LEGACY_WS, WsClient
from ..conftest import LiveServer
from ..factories import SECRET, make_settings


def cli_token(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tidings.cli", "token", "alice", *args],
        env={"TIDINGS_SECRET": SECRET, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "lifetime"), [((), 86400), (("--ttl", "90m"), 5400), (("--ttl", "600"), 600)]
)
def test_the_cli_token_expires(args, lifetime):
    before = time.time()
    result = cli_token(*args)
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), SECRET, algorithms=["HS256"])
    assert before + lifetime - 1 <= claims["exp"] <= time.time() + lifetime + 1


@pytest.mark.parametrize("ttl", ["0", "-5", "soon", "nan", "inf"])
def test_a_bad_ttl_is_refused(ttl):
    result = cli_token("--ttl", ttl)
    assert result.returncode == 2
    assert "is not a duration" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def production(tmp_path):
    server = LiveServer(make_settings(tmp_path, env="production"))
    server.start()
    yield server
    server.stop()


async def test_production_refuses_a_token_without_exp(production, protocol):
    forever, expiring = issue("alice", secret=SECRET), issue("alice", secret=SECRET, ttl=600)
    async with httpx.AsyncClient(base_url=production.http_url, timeout=10) as http:
        refused = await http.post(
            "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": f"Bearer {forever}"}
        )
        assert refused.status_code == 401
        assert "no 'exp'" in refused.json()["errors"][0]["message"]
        accepted = await http.post(
            "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": f"Bearer {expiring}"}
        )
        assert accepted.json() == {"data": {"viewer": {"id": "alice"}}}

    client = await WsClient(production.ws_url, protocol).open()
    await client.init(forever, expect_ack=False)
    if protocol == LEGACY_WS:
        assert (await asyncio.wait_for(client.control.get(), 3))["type"] == "connection_error"
    closed = await client.wait_closed()
    assert (closed.code, "no 'exp'" in closed.reason) == (4403, True)
    good = await WsClient(production.ws_url, protocol).open()
    await good.init(expiring)


async def test_development_still_accepts_a_token_without_exp(api):
    assert await api("alice")("{ viewer { id } }") == {"viewer": {"id": "alice"}}
