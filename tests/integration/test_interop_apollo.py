"""Apollo Client's HttpLink (multipart subscriptions) when the server ends a subscription: a token
that expires reaches the app as the transport error Tidings sends (`Token expired.`). The
subscription to an event caused by a mutation is in test_clients.py (the documented snippet)."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from ..factories import token

INTEROP = Path(__file__).resolve().parents[1] / "interop"


async def test_apollo_sees_the_transport_error_when_its_token_expires(live_server):
    node = shutil.which("node")
    if node is None or not (INTEROP / "node_modules" / "@apollo" / "client").is_dir():
        pytest.fail("node and tests/interop/node_modules are needed: run ./scripts/test (it runs npm ci)")
    proc = await asyncio.create_subprocess_exec(
        node,
        str(INTEROP / "apollo-expiry.mjs"),
        f"{live_server.http_url}/graphql",
        token("nodeuser", ttl=4),
        stdout=asyncio.subprocess.PIPE,
        cwd=INTEROP,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 20)
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert lines[0] == {"data": {"trending": {"__typename": "TrendingUpdate", "windowSeconds": 900}}}
    assert lines[-1] == {"error": "Token expired.", "data": None}
    assert proc.returncode == 0
