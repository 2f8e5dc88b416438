"""Operations against a real server: the simulator, and what the logs hold."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx

from tidings.simulator import Simulator

from ..clients import TRANSPORT_WS, WsClient
from ..conftest import free_port
from ..factories import SECRET, token


async def test_the_simulator_drives_a_live_server_and_stats_show_it(live_server, api):
    simulator = Simulator(live_server.http_url, SECRET, users=6, rate=40, seed=7)
    progress = await simulator.run(2.0)
    assert progress.errors == 0, progress.last_error
    assert progress.sent == 80
    assert sum(progress.by_action.values()) == 80
    assert set(progress.by_action) == {"post", "like", "reply", "retweet", "follow", "typing"}
    stats = await api("observer")("{ stats { eventsPublished } trending(limit: 1) { tweetCount } }")
    assert stats["stats"]["eventsPublished"] >= progress.sent - progress.by_action["follow"]
    assert stats["trending"][0]["tweetCount"] >= 1
    assert progress.line().startswith("simulate ")


def test_the_simulate_command_explains_an_unreachable_server(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tidings.cli",
            "simulate",
            "--duration",
            "1",
            "--url",
            f"http://127.0.0.1:{free_port()}",
        ],
        env={"TIDINGS_SECRET": SECRET, "PATH": "", "PYTHONPATH": os.environ.get("PYTHONPATH", "")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "tidings: cannot simulate against http://127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr


async def test_logs_are_json_lines_with_connection_ids_and_no_secrets(tmp_path):
    port = free_port()
    env = {
        "PATH": "",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "TIDINGS_SECRET": SECRET,
        "TIDINGS_PORT": str(port),
        "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/logs.db",
        "TIDINGS_LOG_FORMAT": "json",
        "TIDINGS_LOG_LEVEL": "debug",
        "TIDINGS_STATIC_DIR": str(tmp_path / "none"),
    }
    log_file = (tmp_path / "server.log").open("w")  # a file, not a pipe: debug output would fill a pipe
    server = subprocess.Popen([sys.executable, "-m", "tidings.cli", "serve"], env=env, stderr=log_file)
    alice = token("alice")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            deadline = time.monotonic() + 60  # a deadline, not a timing
            while True:
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.05)
            await http.get(f"/graphql?token={alice}", headers={"Accept": "text/html"})
            await http.post(
                "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": f"Bearer {alice}"}
            )
            await http.post(
                "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": "Bearer not-a-jwt"}
            )
        client = await WsClient(f"ws://127.0.0.1:{port}/graphql", TRANSPORT_WS).open()
        await client.init(alice)
        await client.close()
        refused = await WsClient(f"ws://127.0.0.1:{port}/graphql", TRANSPORT_WS).open()
        await refused.init(token("bob") + "x", expect_ack=False)
        assert (await refused.wait_closed()).code == 4403
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        log_file.close()
    err = (tmp_path / "server.log").read_text()
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert all({"ts", "level", "logger", "msg"} <= set(line) for line in lines)
    opened = [line for line in lines if line["msg"] == "websocket opened"]
    closed = [line for line in lines if line["msg"] == "websocket closed"]
    assert len(opened) == len(closed) == 2
    assert [line["conn"] for line in opened] == [line["conn"] for line in closed]
    assert closed[0]["user"] == "alice" and closed[0]["code"] == 1000 and closed[0]["duration_s"] >= 0
    assert closed[1]["code"] == 4403 and "user" not in closed[1]
    assert any("GET /graphql?token=[redacted]" in line["msg"] for line in lines)
    for secret in (alice, alice.split(".")[2], SECRET, "not-a-jwt"):
        assert secret not in err
