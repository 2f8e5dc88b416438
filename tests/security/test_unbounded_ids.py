"""Finding 4 (issue 11): unbounded id arguments held memory. 100 `typing` subscriptions with a
50 kB `conversationId` on each of 5 sockets added ~98 MB (about 200 kB each), kept after close.

Ids are at most 20 ASCII digits: a longer one is refused (BAD_USER_INPUT) before anything is
subscribed, and holds nothing. And with the largest ids accepted (20 digits, zero-padded), 5
sockets x 100 subscriptions, once closed, leave nothing behind: operations, Mailboxes, bus
channels and traced memory return to their baseline.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import Iterator

import pytest

from tidings.bus.mailbox import Mailbox
from tidings.execution.operations import Operation

from ..clients import TRANSPORT_WS, WsClient
from ..conftest import LiveServer, eventually
from ..factories import token
from .checks import code_of

SOCKETS = 5
PER_SOCKET = 100
HUGE = "7" * 50_000
TYPING = "subscription($c: ID!) { typing(conversationId: $c) { isTyping } }"
ENGAGEMENT = "subscription($t: ID!) { engagement(tweetId: $t) { likes } }"


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    yield
    tracemalloc.stop()


def live_objects(server: LiveServer) -> dict[str, int]:
    """Operations and Mailboxes alive in this process that belong to this server (an earlier
    test's server, still being collected, is not this one's leak)."""
    gc.collect()
    objects = gc.get_objects()
    stats, counters = server.tidings.stats, server.tidings.bus.counters
    return {
        "operations": sum(isinstance(o, Operation) and o.conn.stats is stats for o in objects),
        "mailboxes": sum(isinstance(o, Mailbox) and o._counters is counters for o in objects),
    }


def figures(server: LiveServer) -> dict[str, int]:
    stats = server.stats()
    return {
        "subscriptions": stats["subscriptions"],
        "live": stats["live"],
        "bus_channels": stats["bus_channels"],
        **live_objects(server),
    }


async def open_sockets(server: LiveServer, protocol: str) -> list[WsClient]:
    clients = []
    for i in range(SOCKETS):
        client = await WsClient(server.ws_url, protocol).open()
        await client.init(token(f"user{i}"))
        clients.append(client)
    return clients


async def close_all(server: LiveServer, clients: list[WsClient]) -> None:
    """Close the sockets, wait until the server has let them go, and drop the clients (with
    their streams: memory of the test's own, not the server's)."""
    await asyncio.gather(*(client.close() for client in clients))
    for client in clients:
        if client in WsClient.OPEN:
            WsClient.OPEN.remove(client)
    clients.clear()
    await eventually(lambda: server.stats()["connections"] == 0, timeout=30)
    await eventually(lambda: server.stats()["subscriptions"] == 0, timeout=30)


async def test_a_50_kb_conversation_id_is_refused_and_holds_nothing(live_server, protocol, traced):
    clients = await open_sockets(live_server, protocol)
    kind = "subscribe" if protocol == TRANSPORT_WS else "start"
    await clients[0].subscribe(TYPING, {"c": "1" * 21})  # warms the document cache
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    for client in clients:
        # Raw frames, each 50 kB: the replies go to the client's control queue (no Stream each).
        for i in range(PER_SOCKET):
            message = {"type": kind, "id": f"huge{i}", "payload": {"query": TYPING, "variables": {"c": HUGE}}}
            await client.send(message)
        for _ in range(PER_SOCKET):
            reply = await asyncio.wait_for(client.control.get(), 10)
            assert reply["type"] == "error", reply
            error = reply["payload"][0] if isinstance(reply["payload"], list) else reply["payload"]
            assert code_of(error) == "BAD_USER_INPUT"
            assert len(error["message"]) < 200  # the id is not repeated back in full
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    print(f"500 refused 50 kB ids: {held / 1e6:.2f} MB traced while their sockets are open")
    figures_now = figures(live_server)
    await close_all(live_server, clients)
    # 500 refusals while the sockets are open: not 500 x 50 kB (25 MB) held, nor anything like it.
    assert held < 2_000_000, f"{held / 1e6:.1f} MB held after 500 refused subscriptions"
    assert {k: figures_now[k] for k in ("subscriptions", "live", "bus_channels")} == {
        "subscriptions": 0,
        "live": 0,
        "bus_channels": 0,
    }


async def test_the_largest_ids_leave_nothing_behind_once_closed(live_server, protocol, api, traced):
    author = api("author")
    tweets = [await author.post(f"thread {i}") for i in range(10)]
    largest = [tweet.zfill(20) for tweet in tweets]  # 20 digits: the longest id accepted

    async def round_trip() -> None:
        clients = await open_sockets(live_server, protocol)
        for client in clients:
            for i in range(PER_SOCKET):
                query, key = (TYPING, "c") if i % 2 else (ENGAGEMENT, "t")
                stream = await client.subscribe(query, {key: largest[i % len(largest)]})
                if query is ENGAGEMENT:
                    assert (await stream.next()) == {"likes": 0}
        await eventually(lambda: live_server.stats()["live"] == SOCKETS * PER_SOCKET, timeout=30)
        assert live_objects(live_server)["operations"] >= SOCKETS * PER_SOCKET
        await close_all(live_server, clients)

    await round_trip()  # warms every cache (documents, payloads, lookups) up to its bound
    await eventually(lambda: figures(live_server)["bus_channels"] == 0, timeout=30)
    baseline_objects = figures(live_server)
    baseline = tracemalloc.take_snapshot()
    for _ in range(2):
        await round_trip()
    await eventually(lambda: figures(live_server) == baseline_objects, timeout=30)
    assert figures(live_server) == {
        "subscriptions": 0,
        "live": 0,
        "bus_channels": 0,
        "operations": 0,
        "mailboxes": 0,
    }
    gc.collect()
    after = tracemalloc.take_snapshot()
    grown = [stat for stat in after.compare_to(baseline, "lineno") if stat.size_diff > 0]
    total = sum(stat.size_diff for stat in grown)
    top = "\n".join(str(stat) for stat in grown[:10])
    print(f"2 more rounds of {SOCKETS} x {PER_SOCKET} subscriptions: {total / 1e6:.3f} MB traced growth")
    # Two more rounds of 500 subscriptions: traced memory stays where the first round left it.
    assert total < 1_000_000, f"{total / 1e6:.2f} MB more than the baseline:\n{top}"
