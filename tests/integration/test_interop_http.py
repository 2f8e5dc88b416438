"""The GraphQL over HTTP specification, by its reference implementation: npm graphql-http's
`auditServer` against a real `tidings serve`, every audit passing."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import free_port
from ..factories import SECRET
from ..processes import stop_process, tidings_bin

INTEROP = Path(__file__).resolve().parents[1] / "interop"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`tidings serve` in a subprocess; its GraphQL URL."""
    port = free_port()
    env = {
        **os.environ,
        "TIDINGS_PORT": str(port),
        "TIDINGS_SECRET": SECRET,
        "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/tidings.db",
        "TIDINGS_LOG_LEVEL": "warning",
        "TIDINGS_STATIC_DIR": str(tmp_path / "no-dashboard"),
    }
    process = subprocess.Popen([tidings_bin(), "serve"], env=env)
    try:
        deadline = time.monotonic() + 60  # a deadline, not a timing
        while True:
            assert process.poll() is None, "tidings serve exited at start"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "tidings serve did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        stop_process(process)


async def test_graphql_http_s_server_audit_passes_every_audit(served):
    node = shutil.which("node")
    if node is None or not (INTEROP / "node_modules" / "graphql-http").is_dir():
        pytest.fail("node and tests/interop/node_modules are needed: run ./scripts/test (it runs npm ci)")
    proc = await asyncio.create_subprocess_exec(
        node, str(INTEROP / "audit.mjs"), served, stdout=asyncio.subprocess.PIPE, cwd=INTEROP
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    results = [json.loads(line) for line in out.decode().splitlines()]
    failures = [r for r in results if r["status"] != "ok"]
    assert failures == []
    assert len(results) >= 61
    assert proc.returncode == 0
