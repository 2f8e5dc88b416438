"""Memory per idle subscriber, and what it is made of.

    .venv/bin/python bench/memory.py [--subs 2000] [--ws tidings|websockets-sansio] [--by-line]

Serves the app on uvicorn in this process (uvloop, SQLite in a temporary directory), opens
`--subs` graphql-transport-ws subscribers to one tweet's `engagement` from a child process,
and prints the growth of this process's RSS per subscriber. With `--by-line`, tracemalloc
says which lines (grouped by package, then the top lines) hold that memory: slower to connect,
and RSS then includes tracemalloc's own bookkeeping, so read the traced figures. This is how the
S4 figure of docs/performance.md was taken apart.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from tidings.config import Settings

QUERY = "subscription($t: ID!) { engagement(tweetId: $t) { tweetId likes retweets replies } }"
SECRET = "memory-probe-secret-memory-probe-secret"
PACKAGES = ("/tidings/", "/uvicorn/", "/websockets/", "/starlette/", "/strawberry/", "/graphql/", "/asyncio/")


async def clients(n: int, url: str, token: str, tweet_id: str) -> None:
    """The child process: open `n` subscribers, wait for their first value, hold them."""
    from websockets.asyncio.client import connect

    held = []
    gate = asyncio.Semaphore(100)

    async def one() -> None:
        async with gate:
            ws = await connect(url, subprotocols=["graphql-transport-ws"], compression=None)  # type: ignore[list-item]
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
            )
            await ws.recv()
            payload = {"query": QUERY, "variables": {"t": tweet_id}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            await ws.recv()
            held.append(ws)

    await asyncio.gather(*(one() for _ in range(n)))
    print("READY", len(held), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


def rss_kb() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def owner(trace: tracemalloc.Traceback) -> tuple[str, str]:
    """The innermost frame in one of PACKAGES: (package, file:line)."""
    for frame in reversed(list(trace)):
        for package in PACKAGES:
            if package in frame.filename:
                return package.strip(
                    "/"
                ), f"{frame.filename.split('site-packages/')[-1].split('/src/')[-1]}:{frame.lineno}"
    return "other", "other"


async def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from tidings.auth import Claims, issue
    from tidings.http import create_app
    from tidings.http.serving import uvicorn_options

    app = create_app(settings)
    options = {**uvicorn_options(settings), "log_level": "warning", "timeout_graceful_shutdown": 1}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=args.port, log_config=None, **options))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    store = app.state.tidings.store
    await store.upsert_user(Claims("probe", "probe", "Probe", "user", None))
    tweet_id = (await store.post("probe", "memory probe")).tweet.id
    token = issue("probe", secret=SECRET, name="Probe", handle="probe")

    async def open_clients(n: int) -> asyncio.subprocess.Process:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--child",
            str(n),
            f"ws://127.0.0.1:{args.port}/graphql",
            token,
            tweet_id,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert child.stdout is not None
        line = await child.stdout.readline()
        assert line.startswith(b"READY"), line
        return child

    async def close_clients(child: asyncio.subprocess.Process) -> None:
        assert child.stdin is not None
        child.stdin.write(b"\n")
        await child.stdin.drain()
        await child.wait()

    await close_clients(await open_clients(50))  # warm every cache and code path first
    await asyncio.sleep(0.5)
    gc.collect()
    if args.by_line:
        tracemalloc.start(12)
    before_kb, before = rss_kb(), tracemalloc.take_snapshot() if args.by_line else None
    started = time.perf_counter()
    child = await open_clients(args.subs)
    took = time.perf_counter() - started
    await asyncio.sleep(1)
    gc.collect()
    grown = rss_kb() - before_kb
    print(
        f"{args.ws}: {args.subs} subscribers in {took:.2f} s; "
        f"RSS +{grown / 1024:.1f} MB = {grown / args.subs:.1f} kB each"
    )
    if before is not None:
        stats = tracemalloc.take_snapshot().compare_to(before, "traceback")
        by_package: Counter[str] = Counter()
        by_line: Counter[str] = Counter()
        for stat in stats:
            package, line = owner(stat.traceback)
            by_package[package] += stat.size_diff
            by_line[line] += stat.size_diff
        print(f"traced by Python: {sum(by_package.values()) / args.subs / 1024:.1f} kB each")
        for name, size in by_package.most_common():
            print(f"{size / args.subs:8.0f} B  {name}")
        print("top lines:")
        for name, size in by_line.most_common(25):
            print(f"{size / args.subs:8.0f} B  {name}")
    await close_clients(child)
    server.should_exit = True
    await serving


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        asyncio.run(clients(int(sys.argv[2]), *sys.argv[3:6]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subs", type=int, default=2000)
    parser.add_argument("--ws", default="tidings", choices=["tidings", "websockets-sansio", "websockets"])
    parser.add_argument("--port", type=int, default=9310)
    parser.add_argument("--by-line", action="store_true", help="tracemalloc: what holds the memory")
    args = parser.parse_args()
    import uvloop

    from tidings.cli import _migrate_database

    with tempfile.TemporaryDirectory() as workdir:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{workdir}/memory.db",
            secret=SECRET,
            max_connections_per_user=0,
            log_level="warning",
            ws_impl=args.ws,
        )
        _migrate_database(settings.database_url)
        uvloop.run(serve(args, settings))


if __name__ == "__main__":
    main()
