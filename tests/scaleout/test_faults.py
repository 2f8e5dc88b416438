"""Faults: Redis restarted under a running cluster, and a process killed with SIGKILL."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Awaitable
from typing import Any

import pytest

from tidings.bus import channels

from ..clients import Stream, WsClient
from ..factories import token
from .conftest import subscribed, until

pytestmark = pytest.mark.services  # the real Redis and PostgreSQL, never skipped

# .ci/run starts Redis exactly so; a test that stops it starts it again the same way.
REDIS_SERVER = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip
REDIS_CLI = ["redis-cli", "-h", "127.0.0.1", "-p", "6379"]


def redis_answers() -> bool:
    done = subprocess.run([*REDIS_CLI, "ping"], capture_output=True, text=True, timeout=5)
    return done.stdout.strip() == "PONG"


def stop_redis() -> None:
    subprocess.run([*REDIS_CLI, "shutdown", "nosave"], capture_output=True, timeout=10)
    deadline = time.monotonic() + 10
    while redis_answers():
        assert time.monotonic() < deadline, "Redis did not stop"
        time.sleep(0.05)


def start_redis() -> None:
    if redis_answers():
        return
    subprocess.run(REDIS_SERVER, check=True, timeout=10)
    deadline = time.monotonic() + 10
    while not redis_answers():
        assert time.monotonic() < deadline, "Redis did not start"
        time.sleep(0.05)


async def test_a_redis_restart_turns_readiness_red_then_green_and_loses_no_notification(cluster):
    a, b = await cluster.start(2)
    alice = cluster.user("alice")
    fans = [cluster.user(f"fan{i}") for i in range(30)]
    tweet_id = await a.api(alice).post("liked through an outage")
    for fan in fans:
        await a.api(fan)("{ viewer { id } }")
    alice_ws = await b.ws(alice)
    notes = await alice_ws.subscribe("notifications { cursor notification { actor { id } } }")
    counts = await alice_ws.subscribe(f'engagement(tweetId: "{tweet_id}") {{ likes }}')
    assert await counts.next() == {"likes": 0}
    await subscribed(channels.notifications(alice))
    like = f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}'

    for fan in fans[:10]:
        await a.api(fan)(like)
    try:
        stop_redis()
        red_at = time.monotonic()
        await until(lambda: _not(b.ready()), 2.0, "B's /readyz red after Redis stopped")
        assert time.monotonic() - red_at <= 2.0
        for fan in fans[10:20]:  # the processes keep serving: these are stored, their events lost
            await a.api(fan)(like)
    finally:
        start_redis()
    await until(b.ready, 15, "B's /readyz green after Redis came back")
    await until(a.ready, 15, "A's /readyz green after Redis came back")
    # No event follows the outage yet: the resync alone brings what was created meanwhile.
    received = [await notes.next(timeout=5) for _ in range(20)]
    assert await _latest(counts) == {"likes": 20}
    for fan in fans[20:]:
        await a.api(fan)(like)
    received += [await notes.next(timeout=5) for _ in range(10)]
    assert [n["cursor"] for n in received] == [f"{seq:012d}" for seq in range(1, 31)]
    assert [n["notification"]["actor"]["id"] for n in received] == fans
    assert await notes.silent_for(0.5)
    assert await _latest(counts) == {"likes": 30}
    assert not alice_ws.is_closed  # the same socket throughout


async def test_a_killed_process_leaves_the_others_serving_and_its_clients_resume_elsewhere(cluster):
    a, b = await cluster.start(2)
    alice = cluster.user("alice")
    fans = [cluster.user(f"fan{i}") for i in range(20)]
    tweet_id = await a.api(alice).post("watched from B, then from A")
    for fan in fans:
        await a.api(fan)("{ viewer { id } }")
    like = f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}'
    on_b = await b.ws(alice)
    notes = await on_b.subscribe("notifications { cursor notification { actor { id } } }")
    await subscribed(channels.notifications(alice))
    for fan in fans[:5]:
        await a.api(fan)(like)
    seen = [await notes.next() for _ in range(5)]
    b.kill()
    closed = await on_b.wait_closed(5)
    assert closed.code in (None, 1006)  # no close frame: the process is gone
    for fan in fans[5:15]:  # while alice reconnects
        await a.api(fan)(like)
    assert await a.ready()
    on_a = await WsClient(a.ws_url).open()
    await on_a.init(token(alice))
    resume = "subscription($a: String) { notifications(after: $a) { cursor notification { actor { id } } } }"
    resumed = await on_a.subscribe(resume, {"a": seen[-1]["cursor"]})
    for fan in fans[15:]:
        await a.api(fan)(like)
    seen += [await resumed.next(timeout=5) for _ in range(15)]
    assert [n["cursor"] for n in seen] == [f"{seq:012d}" for seq in range(1, 21)]
    assert [n["notification"]["actor"]["id"] for n in seen] == fans
    assert await resumed.silent_for(0.3)


async def _not(check: Awaitable[bool]) -> bool:
    return not await check


async def _latest(stream: Stream, timeout: float = 5.0) -> Any:
    """The last of the values a latest-only stream sends until it is quiet for 0.3 s."""
    latest = await stream.next(timeout)
    while True:
        try:
            latest = await stream.next(0.3)
        except TimeoutError:
            return latest
