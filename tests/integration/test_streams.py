"""SSE and multipart streams run on the operation machinery WebSockets use: replay with `after:`,
shared execution across transports, the per-user connection cap, token expiry, heartbeats, and
metrics by transport. Each test runs over both stream transports."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ..clients import TRANSPORT_WS, WsClient
from ..conftest import LiveServer, eventually
from ..factories import make_settings, token
from ..streams import StreamClient

NOTES = "subscription($a: String) { notifications(after: $a) { kind cursor notification { actor { id } } } }"
ENGAGEMENT = "subscription($t: ID!) { engagement(tweetId: $t) { tweetId likes } }"


@pytest.fixture(params=["sse", "multipart"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def opener(server: LiveServer, kind: str) -> Callable[..., Awaitable[StreamClient]]:
    async def open_stream(
        user: str | None, query: str, variables: dict[str, Any] | None = None, **claims: Any
    ) -> StreamClient:
        client = StreamClient(server.http_url, kind, token(user, **claims) if user else None)
        return await client.open(query, variables, live=lambda: server.stats()["live"])

    return open_stream


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def start(**overrides: Any) -> LiveServer:
        server = LiveServer(make_settings(tmp_path, **overrides))
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


async def test_after_replays_what_was_missed_then_goes_live(live_server, api, kind):
    open_stream = opener(live_server, kind)
    tweet_id = await api("alice").post("like me")
    for liker in ("bob", "carol"):
        await api(liker)(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    [first, _] = (await api("alice")("{ notifications { cursor } }"))["notifications"][::-1]
    stream = await open_stream("alice", NOTES, {"a": first["cursor"]})
    replayed = await stream.next()
    assert replayed["notification"] == {"actor": {"id": "carol"}}
    await api("dave")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    live = await stream.next()
    assert live["notification"] == {"actor": {"id": "dave"}}
    assert int(first["cursor"]) < int(replayed["cursor"]) < int(live["cursor"])
    assert await stream.silent_for(0.2)


async def test_one_execution_per_event_whatever_the_transports_of_its_subscribers(live_server, api, kind):
    tweet_id = await api("alice").post("shared")
    ws = await WsClient(live_server.ws_url, TRANSPORT_WS, live=lambda: live_server.stats()["live"]).open()
    await ws.init(token("carol"))
    over_ws = await ws.subscribe(ENGAGEMENT, {"t": tweet_id})
    over_stream = await opener(live_server, kind)("dave", ENGAGEMENT, {"t": tweet_id})
    assert await over_ws.next() == await over_stream.next() == {"tweetId": tweet_id, "likes": 0}
    shared = live_server.tidings.ws.shared
    executions = shared.executions
    await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    assert await over_ws.next() == await over_stream.next() == {"tweetId": tweet_id, "likes": 1}
    assert shared.executions == executions + 1


async def test_a_stream_counts_against_the_per_user_connection_cap(served, kind):
    server = served(max_connections_per_user=1)
    ws = await WsClient(server.ws_url, TRANSPORT_WS).open()
    await ws.init(token("alice"))
    refused = await StreamClient(server.http_url, kind, token("alice")).open(
        "subscription { trending { windowSeconds } }"
    )
    assert refused.status == 429
    await ws.close()
    await eventually(lambda: server.stats()["connections"] == 0)
    stream = await opener(server, kind)("alice", "subscription { trending { windowSeconds } }")
    assert stream.status == 200
    assert await stream.next() == {"windowSeconds": 900}
    again = await WsClient(server.ws_url, TRANSPORT_WS).open()
    await again.init(token("alice"), expect_ack=False)
    assert (await again.wait_closed()).code == 4430


async def test_a_stream_ends_when_its_token_expires(live_server, kind):
    stream = await opener(live_server, kind)("alice", "subscription { trending { windowSeconds } }", ttl=1.5)
    assert await stream.next() == {"windowSeconds": 900}
    if kind == "sse":  # no `complete`: graphql-sse's client reconnects (with a fresh token)
        assert await stream.message(timeout=5, skip=("heartbeat",)) == (
            "comment",
            "token expired; reconnect with a fresh token",
        )
    else:
        error = await stream.message(timeout=5)
        assert error == (
            "transport-error",
            [{"message": "Token expired.", "extensions": {"code": "UNAUTHENTICATED"}}],
        )
        assert await stream.message() == ("complete", None)
    assert await stream.message() == ("closed", None)
    await eventually(lambda: live_server.stats()["subscriptions"] == 0)


async def test_heartbeats_keep_an_idle_stream_alive(served, kind):
    server = served(stream_heartbeat=0.2)
    stream = await opener(server, kind)("alice", "subscription { trending { windowSeconds } }")
    assert await stream.next() == {"windowSeconds": 900}
    beat = ("comment", "") if kind == "sse" else ("heartbeat", {})
    assert await stream.message(timeout=2, skip=()) == beat
    assert await stream.message(timeout=2, skip=()) == beat


async def test_metrics_count_streams_by_transport(live_server, http, kind):
    stream = await opener(live_server, kind)("alice", "subscription { trending { windowSeconds } }")
    await stream.next()
    text = (await http.get("/metrics")).text
    assert f'tidings_open_connections{{transport="{kind}"}} 1.0' in text
    assert f'tidings_transport_subscriptions{{transport="{kind}"}} 1.0' in text
    assert f'tidings_transport_messages_delivered_total{{transport="{kind}"}} 1.0' in text
    stats = await http.post(
        "/graphql",
        json={"query": "{ stats { byTransport { transport connections subscriptions messagesDelivered } } }"},
        headers={"authorization": f"Bearer {token('alice')}"},
    )
    rows = {row["transport"]: row for row in stats.json()["data"]["stats"]["byTransport"]}
    assert rows[kind] == {"transport": kind, "connections": 1, "subscriptions": 1, "messagesDelivered": 1}


async def test_closing_mid_stream_many_times_leaks_nothing(live_server, api, kind):
    tweet_id = await api("alice").post("churn")
    open_stream = opener(live_server, kind)
    for _ in range(20):
        stream = await open_stream("bob", ENGAGEMENT, {"t": tweet_id})
        await stream.next()
        await stream.close()
    await eventually(lambda: live_server.stats()["by_transport"][kind]["connections"] == 0)
    stats = live_server.stats()
    assert (stats["subscriptions"], stats["streams"], stats["live"], stats["mailboxes"]) == (0, 0, 0, 0)
    assert live_server.tidings.ws.limits.by_user == {}
    await asyncio.sleep(0)
