"""What a viewer field costs: 1,000 `engagement` subscribers with and without `likedByViewer`.

    .venv/bin/python bench/viewer_fields.py [--subs 1000] [--events 100] [--rate 20] [--runs 1]
    (needs `cd bench && npm ci` once: the subscribers are bench/load.mjs)

Starts one `tidings serve` (memory://, a fresh SQLite file, no rate or connection caps, pinned
to core 0 when `taskset` exists), then runs bench/load.mjs against it (core 1) twice per mode:
the subscription `engagement(tweetId) { tweetId likes }`, executed once per event for every
subscriber (a shared payload), and the same with `likedByViewer`, which is rendered once per
event and hydrated per viewer (execution/hydrate.py): each reads its viewer's like, batched into
one store read per event for all of them (resolvers/lookups.py). Modes: `--rate` events a second (every
subscriber gets every count), then one burst of the same events (latest wins: a slow subscriber
skips counts). Prints executions per event (from /metrics), deliveries/s and latency.

`--baseline DIR` runs every cell also against a second server whose code is DIR's `src` (a
checkout from before a change: `git archive <commit> src | tar -x -C DIR`), each cell on both
servers in turn, so one run prints before and after side by side.

`--cpu` measures instead, in this process and without sockets, the CPU one event costs for
SUBS subscribers: one execution shared by all, against one execution per viewer with the
batched read of their likes (the fan-out before hydration), against one execution hydrated per
viewer (what the server's fan-out does now), minus framing and sending.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-that-is-long-enough-for-hs256"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(core: int, argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if shutil.which("taskset") else argv


def serve(port: int, database: Path, src: Path | None = None) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **({"PYTHONPATH": str(src)} if src is not None else {}),
        "TIDINGS_SECRET": SECRET,
        "TIDINGS_BROKER_URL": "memory://",
        "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "TIDINGS_LOG_LEVEL": "warning",
        "TIDINGS_MUTATION_RATE": "0",
        "TIDINGS_MAX_CONNECTIONS_PER_IP": "0",
        "TIDINGS_CONNECT_RATE_PER_IP": "0",
    }
    tidings = str(Path(sys.executable).with_name("tidings"))
    server = subprocess.Popen(pinned(0, [tidings, "serve", "--port", str(port)]), env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("tidings serve did not become ready") from None
            time.sleep(0.2)


def load(
    port: int, server: subprocess.Popen[bytes], args: argparse.Namespace, *, viewer: bool, rate: float
) -> dict[str, Any]:
    argv = [
        "node",
        str(ROOT / "bench" / "load.mjs"),
        *("--url", f"http://127.0.0.1:{port}", "--secret", SECRET, "--stream", "engagement"),
        *("--subs", str(args.subs), "--events", str(args.events), "--rate", str(rate)),
        *("--timeout", str(args.timeout)),
    ]
    if viewer:
        argv.append("--viewer-field")
    hydrations = counter(port, "tidings_hydrations_total")
    runner = subprocess.Popen(pinned(1, argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # The server's CPU from the moment every subscription is live (the events come next) to the
    # end: what the events cost it, without the connections' set-up.
    cpu_from = cpu_seconds(server.pid)
    assert runner.stderr is not None
    line = b""
    while chunk := runner.stderr.read1(4096):  # type: ignore[attr-defined]
        line += chunk
        *done_lines, line = re.split(rb"[\r\n]", line)
        for text in done_lines:
            live = re.search(rb"live subscriptions (\d+) \(want (\d+)\)", text)
            if live and live.group(1) == live.group(2):
                cpu_from = cpu_seconds(server.pid)
            if text.startswith(b"load:"):
                sys.stderr.write(text.decode(errors="replace") + "\n")
    out = runner.stdout.read() if runner.stdout else b""
    if runner.wait() != 0:
        raise SystemExit("load.mjs failed")
    cpu = cpu_seconds(server.pid) - cpu_from
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    after = counter(port, "tidings_hydrations_total")
    result["hydrations_per_event"] = (
        round((after - hydrations) / args.events, 1) if after is not None and hydrations is not None else 0
    )
    result["cpu_ms_per_event"] = round(1000 * cpu / args.events, 1)
    result["deliveries_per_cpu_s"] = round(result["deliveries"] / cpu) if cpu > 0 else None
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def counter(port: int, name: str) -> float | None:
    """A counter's value on /metrics; None when the server has none of that name."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return None


async def _nothing() -> Any:
    return
    yield


async def cpu_per_event(subs: int, rounds: int = 5) -> list[tuple[str, float, float]]:
    """(selection, CPU ms per event, executions per event), best of `rounds`."""
    import asyncio
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from graphql import parse
    from graphql.execution import Executor, execute_subscription_event
    from graphql.pyutils import is_awaitable

    from tidings.auth import Claims
    from tidings.execution.engine import Subscription as Started
    from tidings.resolvers.lookups import Lookups
    from tidings.schema import schema
    from tidings.store import MetricsRow, Store, UserRow
    from tidings.types.social import EngagementMetrics

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite+aiosqlite:///{tmp}/cpu.db")
        await store.open()
        await store.upsert_user(Claims("author", "author", None, "user", None))
        tweet = (await store.post("author", "watched")).tweet
        for i in range(0, subs, 10):  # one viewer in ten likes it
            await store.upsert_user(Claims(f"v{i}", f"v{i}", None, "user", None))
            await store.like(f"v{i}", tweet.id)
        lookups = Lookups(store)
        results: list[tuple[str, float, float]] = []
        cells = (
            ("tweetId likes", "shared"),
            ("tweetId likes", "per viewer"),
            ("tweetId likes likedByViewer", "per viewer"),
            ("tweetId likes likedByViewer", "hydrated"),
        )
        for selection, mode in cells:
            document = parse(f'subscription {{ engagement(tweetId: "{tweet.id}") {{ {selection} }} }}')
            executors: list[Any] = [
                Executor.build(
                    schema._schema,
                    document,
                    context_value=SimpleNamespace(viewer=UserRow(f"v{i}", f"v{i}", "V"), lookups=lookups),
                )
                for i in range(subs)
            ]
            best = float("inf")
            for r in range(rounds):
                value = EngagementMetrics.from_row(MetricsRow(tweet.id, subs // 10, 0, r, datetime.now(UTC)))

                async def run(executor: Any, value: Any = value) -> None:
                    result = execute_subscription_event(executor.build_per_event_executor(value))
                    if is_awaitable(result):
                        await result

                started = time.process_time()
                if mode == "hydrated":  # render once, then each viewer's own field (hydrate.py)
                    rendered = await Started(executors[0], _nothing()).render(value)
                    payloads = await asyncio.gather(*(rendered.hydrate(e.context_value) for e in executors))
                    assert None not in payloads
                else:
                    await asyncio.gather(
                        *(run(e) for e in (executors[:1] if mode == "shared" else executors))
                    )
                best = min(best, time.process_time() - started)
            results.append((f"{selection} ({mode})", 1000 * best, subs if mode == "per viewer" else 1))
        await store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subs", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0, help="events a second in the paced mode")
    parser.add_argument("--runs", type=int, default=1, help="runs of each cell")
    parser.add_argument("--timeout", type=float, default=20, help="load.mjs: seconds to wait for deliveries")
    parser.add_argument("--baseline", help="also run a server from this checkout's src (see above)")
    parser.add_argument("--cpu", action="store_true", help="CPU per event, in process (see above)")
    args = parser.parse_args()
    if args.cpu:
        import asyncio

        print(f"CPU of one engagement event for {args.subs} subscribers (in process, best of 5)")
        for selection, ms, executions in asyncio.run(cpu_per_event(args.subs)):
            print(f"  {selection:46} {executions:>6} executions  {ms:8.1f} ms CPU")
        return
    if not (ROOT / "bench" / "node_modules" / "ws").exists():
        raise SystemExit("run `cd bench && npm ci` first")
    servers: list[tuple[str, Path | None]] = [("after", None)]
    if args.baseline is not None:
        servers.insert(0, ("before", Path(args.baseline).resolve() / "src"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        running = []
        try:
            for label, src in servers:
                port = free_port()
                running.append((label, port, serve(port, Path(tmp) / f"{label}.db", src)))
            for rate, mode in ((args.rate, f"{args.rate:g}/s"), (0.0, "burst")):
                for viewer in (False, True):
                    for _ in range(args.runs):
                        for label, port, server in running:
                            result = load(port, server, args, viewer=viewer, rate=rate)
                            selection = "likedByViewer" if viewer else "counts only"
                            rows.append((label, mode, selection, result))
        finally:
            for _label, _port, server in running:
                server.terminate()
                server.wait(10)
    print(
        f"{args.subs} engagement subscribers x {args.events} likes (memory://, SQLite, one process)\n"
        f"{'server':>6} {'events':>8} {'selection':>14} {'exec/event':>10} {'hydr/event':>10} "
        f"{'delivered':>10} {'missing':>7} {'on latest':>9} {'deliv/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'CPU ms/ev':>9} {'deliv/CPU s':>11}"
    )
    for label, mode, selection, r in rows:
        print(
            f"{label:>6} {mode:>8} {selection:>14} {r['executions_per_event']:>10} "
            f"{r['hydrations_per_event']:>10} {r['deliveries']:>10} "
            f"{r['missing']:>7} {r['ended_on_latest']:>9} {r['deliveries_per_s']:>8} "
            f"{r['p50_ms']:>8} {r['p99_ms']:>8} {r['cpu_ms_per_event']:>9} {r['deliveries_per_cpu_s']:>11}"
        )


if __name__ == "__main__":
    main()
