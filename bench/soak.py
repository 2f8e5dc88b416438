"""Soak: minutes of connects, subscribes, abrupt drops and events against one Tidings server.

    .venv/bin/python bench/soak.py --minutes 10          # starts `tidings serve` on a free port itself
    .venv/bin/python bench/soak.py --url http://127.0.0.1:8000 --secret S --pid PID

Followers (one user each) follow `notifications(after: <last cursor>)` and are dropped every few
seconds, mostly abruptly (TCP abort), then resume with their last cursor, alternating the two
sub-protocols. Churners open short-lived sockets on engagement, trending and typing and abort
them. Writers post tweets that mention followers (a MENTION notification each) and like a hot
tweet. Every --every seconds it prints the server's RSS and live figures; at the end, each
follower's received cursors are compared with what the store holds for it: lost, duplicated and
out-of-order notifications must all be 0. It prints the summary (and writes it to --out).
Not part of CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from tidings.auth import issue

PROTOCOLS = ["graphql-transport-ws", "graphql-ws"]
NOTIFICATIONS = "subscription($a: String) { notifications(after: $a) { kind cursor } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Soak:
    def __init__(self, args: argparse.Namespace, url: str, secret: str, pid: int | None) -> None:
        self.args = args
        self.url = url
        self.ws_url = url.replace("http", "ws", 1) + "/graphql"
        self.secret = secret
        self.pid = pid
        self.tag = f"{random.randrange(16**4):04x}"
        self.followers = [f"soak{self.tag}f{i}" for i in range(args.followers)]
        self.actors = [f"soak{self.tag}a{i}" for i in range(20)]
        self.received: dict[str, list[int]] = {u: [] for u in self.followers}
        self.stop = asyncio.Event()
        self.counts: dict[str, int] = {
            "connects": 0,
            "drops": 0,
            "churn": 0,
            "mutations": 0,
            "mutation_errors": 0,
            "follower_errors": 0,
            "duplicates_seen": 0,
        }
        self.samples: list[tuple[float, float | None]] = []
        self.lines: list[str] = []

    def say(self, text: str) -> None:
        print(text, flush=True)
        self.lines.append(text)

    def token(self, user: str) -> str:
        return issue(user, secret=self.secret, name=user.capitalize())

    async def gql(
        self, http: httpx.AsyncClient, user: str, query: str, variables: dict[str, Any] | None = None
    ) -> Any:
        r = await http.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.token(user)}"},
        )
        body = r.json()
        if body.get("errors"):
            raise RuntimeError(str(body["errors"])[:200])
        return body["data"]

    # followers -------------------------------------------------------------------------------

    async def session(self, user: str, protocol: str, until: float, final: bool = False) -> None:
        """One socket: subscribe after the last cursor, read until `until` (or silence, when final)."""
        received = self.received[user]
        last = received[-1] if received else 0
        async with connect(self.ws_url, subprotocols=[protocol], max_size=2**24) as ws:  # type: ignore[list-item]
            self.counts["connects"] += 1
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"authorization": f"Bearer {self.token(user)}"}}
                )
            )
            start = "subscribe" if protocol == PROTOCOLS[0] else "start"
            await ws.send(
                json.dumps(
                    {
                        "type": start,
                        "id": "n",
                        "payload": {"query": NOTIFICATIONS, "variables": {"a": str(last)}},
                    }
                )
            )
            while True:
                timeout = 3.0 if final else until - time.monotonic()
                if timeout <= 0:
                    break
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout)
                except TimeoutError:
                    break
                message = json.loads(raw)
                if message.get("type") in ("next", "data"):
                    event = message["payload"]["data"]["notifications"]
                    if event["kind"] == "CREATED":
                        cursor = int(event["cursor"])
                        if received and cursor <= received[-1]:
                            self.counts["duplicates_seen"] += 1
                        received.append(cursor)
                elif message.get("type") in ("error", "connection_error", "complete"):
                    self.counts["follower_errors"] += 1
                    self.say(f"  follower {user}: {str(message)[:160]}")
                    break
            if not final:
                self.counts["drops"] += 1
                if random.random() < 0.7:
                    ws.transport.abort()  # vanish without a close handshake

    async def follower(self, user: str, ready: asyncio.Event) -> None:
        n = random.randrange(2)
        first = True
        while not self.stop.is_set():
            until = time.monotonic() + random.uniform(0.3, 4.0)
            try:
                if first:
                    ready.set()
                    first = False
                await self.session(user, PROTOCOLS[n % 2], until)
            except Exception as exc:  # the abort itself, or a refused connect: resume
                if not isinstance(exc, (ConnectionError, OSError)) and "1006" not in str(exc):
                    self.counts["follower_errors"] += 1
            n += 1
            await asyncio.sleep(random.uniform(0, 0.5))
        await self.session(user, PROTOCOLS[n % 2], 0, final=True)

    # churn and events ------------------------------------------------------------------------

    async def churner(self, hot: str) -> None:
        async def one() -> None:
            protocol = random.choice(PROTOCOLS)
            try:
                async with connect(self.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
                    user = random.choice(self.actors)
                    await ws.send(
                        json.dumps(
                            {
                                "type": "connection_init",
                                "payload": {"authorization": f"Bearer {self.token(user)}"},
                            }
                        )
                    )
                    start = "subscribe" if protocol == PROTOCOLS[0] else "start"
                    for i, q in enumerate(
                        (
                            f'subscription {{ engagement(tweetId: "{hot}") {{ likes }} }}',
                            "subscription { trending { topics { topic } } }",
                            'subscription { typing(conversationId: "soak") { isTyping } }',
                        )
                    ):
                        await ws.send(json.dumps({"type": start, "id": str(i), "payload": {"query": q}}))
                    end = time.monotonic() + random.uniform(0, 2)
                    while (left := end - time.monotonic()) > 0:
                        try:
                            await asyncio.wait_for(ws.recv(), left)
                        except TimeoutError:
                            break
                    ws.transport.abort()
                self.counts["churn"] += 1
            except Exception:
                self.counts["churn"] += 1

        tasks: set[asyncio.Task[None]] = set()
        while not self.stop.is_set():
            task = asyncio.create_task(one())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            await asyncio.sleep(1 / self.args.churn)
        await asyncio.gather(*tasks, return_exceptions=True)

    async def writer(self, http: httpx.AsyncClient, hot: str) -> None:
        async def one() -> None:
            actor = random.choice(self.actors)
            try:
                if random.random() < 0.8:
                    target = random.choice(self.followers)
                    await self.gql(
                        http,
                        actor,
                        "mutation($c: String!) { postTweet(content: $c) { id } }",
                        {"c": f"hello @{target} #soak{random.randrange(5)}"},
                    )
                else:
                    like = random.choice(("likeTweet", "unlikeTweet"))
                    await self.gql(http, actor, f'mutation {{ {like}(tweetId: "{hot}") {{ likes }} }}')
                    await self.gql(
                        http, actor, 'mutation { setTyping(conversationId: "soak", isTyping: true) }'
                    )
                self.counts["mutations"] += 1
            except Exception as exc:
                self.counts["mutation_errors"] += 1
                if self.counts["mutation_errors"] <= 5:
                    self.say(f"  mutation failed: {exc!r}"[:200])

        tasks: set[asyncio.Task[None]] = set()
        while not self.stop.is_set():
            task = asyncio.create_task(one())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            await asyncio.sleep(1 / self.args.rate)
        await asyncio.gather(*tasks, return_exceptions=True)

    async def monitor(self, http: httpx.AsyncClient, started: float) -> None:
        while not self.stop.is_set():
            try:
                await asyncio.wait_for(self.stop.wait(), self.args.every)
            except TimeoutError:
                pass
            await self.sample(http, started)

    async def sample(self, http: httpx.AsyncClient, started: float) -> dict[str, Any]:
        rss = rss_mb(self.pid)
        elapsed = time.monotonic() - started
        self.samples.append((elapsed, rss))
        try:
            stats = (
                await self.gql(
                    http,
                    self.actors[0],
                    "{ stats { connections subscriptions eventsPublished messagesDelivered } }",
                )
            )["stats"]
        except Exception as exc:
            stats = {"error": repr(exc)[:80]}
        shown = f"{rss:.1f} MB" if rss is not None else "n/a"
        self.say(
            f"t={elapsed:6.0f}s rss={shown} {stats} connects={self.counts['connects']} "
            f"drops={self.counts['drops']} churn={self.counts['churn']} mutations={self.counts['mutations']}"
        )
        return stats  # type: ignore[no-any-return]

    # the run ---------------------------------------------------------------------------------

    async def truth(self, http: httpx.AsyncClient, user: str) -> list[int]:
        cursors: list[int] = []
        after = "0"
        while True:
            page = (
                await self.gql(
                    http,
                    user,
                    "query($a: String) { notifications(first: 100, after: $a) { cursor } }",
                    {"a": after},
                )
            )["notifications"]
            if not page:
                return cursors
            cursors += [int(n["cursor"]) for n in page]
            after = page[-1]["cursor"]

    async def run(self) -> int:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=50)) as http:
            for user in self.actors + self.followers:  # known users, so that @mentions resolve
                await self.gql(http, user, "{ viewer { id } }")
            hot = (
                await self.gql(http, self.actors[0], 'mutation { postTweet(content: "hot #soak") { id } }')
            )["postTweet"]["id"]
            started = time.monotonic()
            self.say(
                f"soak {self.args.minutes} min against {self.url}: {len(self.followers)} followers, "
                f"{self.args.rate}/s mutations, {self.args.churn}/s churn connections"
            )
            await self.sample(http, started)
            readies = [asyncio.Event() for _ in self.followers]
            followers = [
                asyncio.create_task(self.follower(u, r)) for u, r in zip(self.followers, readies, strict=True)
            ]
            await asyncio.gather(*(r.wait() for r in readies))
            others = [
                asyncio.create_task(self.churner(hot)),
                asyncio.create_task(self.writer(http, hot)),
                asyncio.create_task(self.monitor(http, started)),
            ]
            await asyncio.sleep(self.args.minutes * 60)
            self.stop.set()
            await asyncio.gather(*others)
            await asyncio.gather(*followers)
            lost = duplicated = disorder = total = 0
            for user in self.followers:
                expected = await self.truth(http, user)
                got = self.received[user]
                total += len(expected)
                lost += len(set(expected) - set(got))
                duplicated += len(got) - len(set(got))
                disorder += sum(1 for a, b in zip(got, got[1:], strict=False) if b <= a)
            await asyncio.sleep(1)
            final = await self.sample(http, started)
        warm = next((rss for t, rss in self.samples if t >= self.args.warmup), None) or self.samples[0][1]
        end = self.samples[-1][1]
        growth = (end - warm) / warm * 100 if warm and end else float("nan")
        peak = max((rss or 0) for _, rss in self.samples)
        self.say("--- summary ---")
        self.say(f"duration: {self.args.minutes} min; notifications in the store for followers: {total}")
        self.say(
            f"connects: {self.counts['connects']} follower sessions, {self.counts['drops']} drops "
            f"({self.counts['churn']} churn sockets); mutations: {self.counts['mutations']} ok, "
            f"{self.counts['mutation_errors']} failed"
        )
        self.say(
            f"rss: warm-up (t>={self.args.warmup:.0f}s) {warm:.1f} MB, end {end:.1f} MB, peak {peak:.1f} MB, "
            f"growth {growth:+.1f}%"
            if warm and end
            else "rss: n/a (give --pid)"
        )
        self.say(
            f"lost: {lost}, duplicated: {duplicated}, out of order: {disorder}, "
            f"follower errors: {self.counts['follower_errors']}"
        )
        self.say(f"server after the run: {final}")
        ok = lost == 0 and duplicated == 0 and disorder == 0
        return 0 if ok else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--url", help="a running server (default: start `tidings serve` on a free port)")
    p.add_argument(
        "--secret", default=os.environ.get("TIDINGS_SECRET"), help="its TIDINGS_SECRET (with --url)"
    )
    p.add_argument("--pid", type=int, help="its process id, for RSS (with --url)")
    p.add_argument("--followers", type=int, default=30)
    p.add_argument("--rate", type=float, default=20.0, help="mutations a second")
    p.add_argument("--churn", type=float, default=10.0, help="short-lived sockets a second")
    p.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    p.add_argument("--warmup", type=float, default=60.0, help="seconds before the RSS baseline")
    p.add_argument(
        "--out", type=Path, help="write the output here too (default bench/results/soak-<time>.txt)"
    )
    args = p.parse_args()
    server: subprocess.Popen[bytes] | None = None
    workdir = tempfile.TemporaryDirectory(prefix="tidings-soak-")
    if args.url:
        if not args.secret:
            p.error("--secret (or TIDINGS_SECRET) is needed with --url")
        url, secret, pid = args.url.rstrip("/"), args.secret, args.pid
    else:
        port, secret = free_port(), "soak-secret-" + "x" * 32
        env = {
            **os.environ,
            "TIDINGS_PORT": str(port),
            "TIDINGS_SECRET": secret,
            "TIDINGS_LOG_LEVEL": "warning",
            "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{workdir.name}/soak.db",
            "TIDINGS_BROKER_URL": "memory://",
            "TIDINGS_MUTATION_RATE": "0",
            "TIDINGS_TRENDING_INTERVAL": "1",
        }
        server = subprocess.Popen([str(Path(sys.executable).parent / "tidings"), "serve"], env=env)
        url, pid = f"http://127.0.0.1:{port}", server.pid
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("soak: the server did not start")
            time.sleep(0.2)
    soak = Soak(args, url, secret, pid)
    try:
        code = asyncio.run(soak.run())
    finally:
        if server is not None:
            began = time.monotonic()
            server.send_signal(signal.SIGTERM)
            try:
                exit_code = server.wait(30)
                soak.say(f"server: SIGTERM -> exit {exit_code} in {time.monotonic() - began:.1f} s")
            except subprocess.TimeoutExpired:
                server.kill()
                soak.say("server: still running 30 s after SIGTERM; killed")
        out = args.out or Path(__file__).parent / "results" / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(soak.lines) + "\n")
        print(f"written to {out}")
        workdir.cleanup()
    return code


if __name__ == "__main__":
    sys.exit(main())
