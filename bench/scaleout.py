"""One process beside two, on Redis and PostgreSQL: engagement fan-out, deliveries/s and latency.

    .venv/bin/python bench/scaleout.py [--subscribers 200] [--rate 40] [--seconds 10]

For each layout (one `tidings serve`; two, the subscribers split between them) in one run: a
fresh PostgreSQL schema, the servers on redis://127.0.0.1:6379, SUBSCRIBERS WebSocket clients on
`engagement(tweetId)` of one tweet, then RATE likes a second for SECONDS seconds, each by a new
user, through the first server. A delivery's latency runs from sending the like whose count it
carries to receiving it. engagement is latest-only, so a slow subscriber may skip counts: the
report gives the deliveries, how many subscribers ended on the last count, and the p50/p99.
The load generator runs in this process, on the same machine: read the figures side by side.

Measured on the 2-core CI machine (2026-11-29, at 6ea6e33, one run each):

    processes  subs likes deliveries      of latest  deliv/s  p50 ms  p99 ms
            1   200   200      40000   40000    200     4004    27.9    67.0    --rate 20
            2   200   200      40000   40000    200     3998    36.0   110.1
            1   200   400      37762   80000    200     3772    88.8  4023.6    --rate 40
            2   200   400      77200   80000    200     7649    73.4   186.5

At 4,000 deliveries/s one process keeps up and is quicker (no Redis hop, and two processes share
the same two cores with Redis, PostgreSQL and this generator). At 8,000/s one process saturates:
it coalesces (every subscriber still ends on the last count) and its p99 reaches 4 s; two keep up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
from websockets.asyncio.client import connect

from tidings.auth import issue
from tidings.store.migration import migrate

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"
SECRET = "bench-secret-that-is-long-enough-for-hs256"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tidings_bin() -> str:
    found = Path(sys.executable).with_name("tidings")
    return str(found) if found.exists() else str(shutil.which("tidings"))


async def start_servers(
    count: int, database_url: str, logs: Path
) -> tuple[list[int], list[subprocess.Popen[bytes]]]:
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": database_url,
        "TIDINGS_BROKER_URL": REDIS,
        "TIDINGS_SECRET": SECRET,
        "TIDINGS_LOG_LEVEL": "warning",
        "TIDINGS_STATIC_DIR": str(logs / "none"),
    }
    ports, procs = [free_port() for _ in range(count)], []
    for i, port in enumerate(ports):
        with (logs / f"server{i}.log").open("ab") as log:
            command = [tidings_bin(), "serve", "--no-migrate", "--port", str(port)]
            procs.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
    async with httpx.AsyncClient() as http:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server on {port} not ready; see {logs}")
                await asyncio.sleep(0.1)
    return ports, procs


class Subscriber:
    def __init__(self) -> None:
        self.received: list[tuple[int, float]] = []  # (likes, when)
        self.ready = asyncio.Event()

    async def run(self, port: int, tweet_id: str, user: str, stop: asyncio.Event) -> None:
        async with connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(
                json.dumps(
                    {
                        "type": "connection_init",
                        "payload": {"authorization": f"Bearer {issue(user, secret=SECRET)}"},
                    }
                )
            )
            await ws.recv()
            query = f'subscription {{ engagement(tweetId: "{tweet_id}") {{ likes }} }}'
            await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": query}}))
            first = json.loads(await ws.recv())
            assert first["type"] == "next", first
            self.ready.set()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                message = json.loads(raw)
                if message["type"] == "next":
                    self.received.append(
                        (message["payload"]["data"]["engagement"]["likes"], time.perf_counter())
                    )


async def run_layout(processes: int, args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(POSTGRES)
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    database_url = (
        f"postgresql+asyncpg://postgres@127.0.0.1:5432/test?options={quote(f'-csearch_path={schema}')}"
    )
    await migrate(database_url)
    ports, procs = await start_servers(processes, database_url, logs)
    tag = uuid.uuid4().hex[:6]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[0]}", timeout=10) as http:

            async def gql(user: str, query: str) -> dict[str, Any]:
                body = (
                    await http.post(
                        "/graphql",
                        json={"query": query},
                        headers={"Authorization": f"Bearer {issue(user, secret=SECRET)}"},
                    )
                ).json()
                assert "errors" not in body, body
                return body["data"]  # type: ignore[no-any-return]

            tweet_id = (await gql(f"author{tag}", 'mutation { postTweet(content: "bench") { id } }'))[
                "postTweet"
            ]["id"]
            likers = [f"liker{tag}{i}" for i in range(int(args.rate * args.seconds))]
            for user in likers:  # users exist before the clock starts
                await gql(user, "{ viewer { id } }")
            stop = asyncio.Event()
            subs = [Subscriber() for _ in range(args.subscribers)]
            tasks = [
                asyncio.create_task(s.run(ports[i % processes], tweet_id, f"watcher{tag}{i}", stop))
                for i, s in enumerate(subs)
            ]
            await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in subs)), 60)
            sent: dict[int, float] = {}  # the n-th like sent: count n is its count (commits keep order)
            like = f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}'
            start = time.perf_counter()
            pending = []
            for n, user in enumerate(likers, 1):  # on schedule, not one after the other's answer
                await asyncio.sleep(max(0.0, start + (n - 1) / args.rate - time.perf_counter()))
                sent[n] = time.perf_counter()
                pending.append(asyncio.create_task(gql(user, like)))
            counts = sorted(r["likeTweet"]["likes"] for r in await asyncio.gather(*pending))
            assert counts == list(range(1, len(likers) + 1)), "every like counted once"
            last = len(likers)
            deadline = time.perf_counter() + 10
            while time.perf_counter() < deadline and not all(
                s.received and s.received[-1][0] == last for s in subs
            ):
                await asyncio.sleep(0.05)
            elapsed = (
                max(when for s in subs for _, when in s.received) - start
                if any(s.received for s in subs)
                else 0.0
            )
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()
    latencies = sorted(
        (when - sent[likes]) * 1000 for s in subs for likes, when in s.received if likes in sent
    )
    deliveries = len(latencies)
    return {
        "processes": processes,
        "subscribers": args.subscribers,
        "likes": last,
        "deliveries": deliveries,
        "expected": last * args.subscribers,
        "ended_on_latest": sum(1 for s in subs if s.received and s.received[-1][0] == last),
        "deliveries_per_s": round(deliveries / elapsed) if elapsed else 0,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=40.0, help="likes a second")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="tidings-bench-"))
    rows = [await run_layout(n, args, logs) for n in (1, 2)]
    head = ("processes", "subs", "likes", "deliveries", "of", "latest", "deliv/s", "p50 ms", "p99 ms")
    print(" ".join(f"{h:>{w}}" for h, w in zip(head, (9, 5, 5, 10, 7, 6, 8, 7, 7), strict=True)))
    keys = (
        "processes",
        "subscribers",
        "likes",
        "deliveries",
        "expected",
        "ended_on_latest",
        "deliveries_per_s",
    )
    for r in rows:
        cells = [r[k] for k in keys] + [r["p50_ms"], r["p99_ms"]]
        print(" ".join(f"{c!s:>{w}}" for c, w in zip(cells, (9, 5, 5, 10, 7, 6, 8, 7, 7), strict=True)))
    print(f"(server logs in {logs})")


if __name__ == "__main__":
    asyncio.run(main())
