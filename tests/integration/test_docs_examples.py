"""The in-process example of docs/integration.md, run as written: its module served by uvicorn,
its route called, and what it published seen by the users it concerns."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ..conftest import free_port
from ..factories import SECRET, token
from ..processes import stop_process

DOC = Path(__file__).resolve().parents[2] / "docs" / "integration.md"


def example() -> str:
    blocks: list[str] = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    [code] = [block for block in blocks if "myapp.py" in block]
    return code


async def test_the_in_process_publisher_example_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / "myapp.py").write_text(example())
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    env.update(
        TIDINGS_SECRET=SECRET,
        TIDINGS_DEMO="true",  # the demo users: alice and bob, whom the example names
        TIDINGS_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/example.db",
        TIDINGS_STATIC_DIR=str(tmp_path / "none"),
        TIDINGS_LOG_LEVEL="warning",
    )
    command = [sys.executable, "-m", "uvicorn", "myapp:app", "--app-dir", str(tmp_path), "--port", str(port)]
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            deadline = time.monotonic() + 60  # a deadline, not a measure
            while True:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                await asyncio.sleep(0.1)
            response = await http.post("/internal/keynote")
            assert response.status_code == 200, response.text
            tweet_id = response.json()["tweet"]
            query = (
                "{ notifications(first: 1) { kind actor { id } tweet { id content } } trending { topic } }"
            )
            bob = await http.post(
                "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token('bob')}"}
            )
            data = bob.json()["data"]
            assert data["notifications"] == [
                {
                    "kind": "MENTION",
                    "actor": {"id": "alice"},
                    "tweet": {"id": tweet_id, "content": "Live from the keynote #launch"},
                }
            ]
            assert data["trending"][0] == {"topic": "launch"}
    finally:
        stop_process(server)
