"""The WebSocket protocols: authentication, close codes, strictness, keep-alive, expiry."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

from tidings.auth import issue

from ..clients import LEGACY_WS, TRANSPORT_WS, WsClient
from ..factories import SECRET, token


def expired_token() -> str:
    return issue("alice", secret=SECRET, ttl=-10)


BAD_TOKENS = {
    "missing": None,
    "malformed": "not-a-jwt",
    "wrong-signature": issue("alice", secret="another-secret-of-sufficient-length!!"),
    "expired": "EXPIRED",
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
async def test_a_bad_token_closes_with_4403_and_yields_nothing(live_server, case):
    bad = expired_token() if BAD_TOKENS[case] == "EXPIRED" else BAD_TOKENS[case]
    client = await WsClient(live_server.ws_url, TRANSPORT_WS).open()
    await client.init(bad, expect_ack=False)
    await client.send(
        {"type": "subscribe", "id": "1", "payload": {"query": "subscription { trending { windowSeconds } }"}}
    )
    closed = await client.wait_closed()
    assert closed.code == 4403
    assert closed.reason.startswith("Forbidden")
    assert client.control.empty()


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
async def test_legacy_protocol_rejects_a_bad_token_with_connection_error(live_server, case):
    bad = expired_token() if BAD_TOKENS[case] == "EXPIRED" else BAD_TOKENS[case]
    client = await WsClient(live_server.ws_url, LEGACY_WS).open()
    await client.init(bad, expect_ack=False)
    message = await asyncio.wait_for(client.control.get(), 3)
    assert message["type"] == "connection_error"
    assert message["payload"]["message"].startswith("Forbidden")
    assert (await client.wait_closed()).code == 4403


async def test_token_expiring_while_open_closes_with_4403(live_server):
    client = await WsClient(live_server.ws_url, TRANSPORT_WS).open()
    await client.init(issue("alice", secret=SECRET, ttl=1.0))
    started = time.monotonic()
    closed = await client.wait_closed(timeout=5)
    assert (closed.code, closed.reason) == (4403, "Forbidden: token expired")
    assert 0.5 < time.monotonic() - started < 4


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_no_connection_init_within_the_timeout_closes_with_4408(tmp_path, protocol):
    from ..conftest import LiveServer
    from ..factories import make_settings

    server = LiveServer(make_settings(tmp_path, init_timeout=0.3))
    server.start()
    try:
        client = await WsClient(server.ws_url, protocol).open()
        closed = await client.wait_closed(timeout=3)
        assert (closed.code, closed.reason) == (4408, "Connection initialisation timeout")
    finally:
        server.stop()


async def test_subscribe_before_ack_closes_with_4401(live_server):
    client = await WsClient(live_server.ws_url, TRANSPORT_WS).open()
    await client.send(
        {"type": "subscribe", "id": "1", "payload": {"query": "subscription { trending { windowSeconds } }"}}
    )
    assert (await client.wait_closed()).code == 4401


async def test_a_second_init_closes_with_4429(live_server):
    client = await WsClient(live_server.ws_url, TRANSPORT_WS).open()
    await client.init(token("alice"))
    await client.init(token("alice"), expect_ack=False)
    closed = await client.wait_closed()
    assert (closed.code, closed.reason) == (4429, "Too many initialisation requests")


async def test_a_duplicate_active_id_closes_with_4409(live_server):
    client = await WsClient(live_server.ws_url, TRANSPORT_WS).open()
    await client.init(token("alice"))
    await client.subscribe("trending { windowSeconds }", op_id="same")
    await client.subscribe("trending { windowSeconds }", op_id="same")
    closed = await client.wait_closed()
    assert (closed.code, closed.reason) == (4409, "Subscriber for same already exists")


async def test_no_known_subprotocol_closes_with_4406(live_server):
    async with connect(live_server.ws_url, subprotocols=[Subprotocol("chat")]) as ws:
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 3)
        assert ws.close_code == 4406


async def test_ping_is_answered_and_unknown_complete_is_ignored(live_server):
    client = await WsClient(live_server.ws_url, TRANSPORT_WS).open()
    await client.send({"type": "ping"})
    assert await asyncio.wait_for(client.control.get(), 3) == {"type": "pong"}
    await client.init(token("alice"))
    await client.send({"type": "complete", "id": "never-started"})
    await client.send({"type": "ping", "payload": {}})
    assert await asyncio.wait_for(client.control.get(), 3) == {"type": "pong"}


BAD_FRAMES = {
    "invalid JSON": ("{not json", "Invalid message: not JSON"),
    "array": ("[1, 2]", "Invalid message: expected a JSON object"),
    "string": ('"hello"', "Invalid message: expected a JSON object"),
    "missing type": ('{"id": "1"}', "Invalid message: 'type' must be a string"),
    "numeric type": ('{"type": 5}', "Invalid message: 'type' must be a string"),
    "unknown type": ('{"type": "subscribe_all"}', "Invalid message: unknown type 'subscribe_all'"),
    "missing id": (
        '{"type": "subscribe", "payload": {"query": "{ viewer { id } }"}}',
        "Invalid message: 'id' must be a non-empty string",
    ),
    "empty id": (
        '{"type": "subscribe", "id": "", "payload": {"query": "{ viewer { id } }"}}',
        "Invalid message: 'id' must be a non-empty string",
    ),
    "numeric id": (
        '{"type": "subscribe", "id": 7, "payload": {"query": "{ viewer { id } }"}}',
        "Invalid message: 'id' must be a non-empty string",
    ),
    "payload not an object": (
        '{"type": "subscribe", "id": "1", "payload": "x"}',
        "Invalid message: 'payload' must be an object",
    ),
    "query not a string": (
        '{"type": "subscribe", "id": "1", "payload": {"query": 42}}',
        "Invalid message: 'payload.query' must be a string",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FRAMES))
async def test_a_malformed_frame_closes_with_4400(live_server, case):
    frame, reason = BAD_FRAMES[case]
    client = await WsClient(live_server.ws_url, TRANSPORT_WS).open()
    await client.init(token("alice"))
    await client.send(frame)
    closed = await client.wait_closed()
    assert (closed.code, closed.reason) == (4400, reason)


async def test_a_binary_frame_closes_with_4400(live_server):
    client = await WsClient(live_server.ws_url, TRANSPORT_WS).open()
    await client.send(b'{"type": "connection_init"}')
    closed = await client.wait_closed()
    assert (closed.code, closed.reason) == (4400, "Binary frames are not supported; send JSON text")


async def test_an_oversized_frame_closes_with_1009(live_server):
    client = await WsClient(live_server.ws_url, TRANSPORT_WS).open()
    await client.init(token("alice"))
    await client.send(json.dumps({"type": "ping", "payload": {"pad": "x" * 70_000}}))
    assert (await client.wait_closed()).code == 1009


async def test_a_graphql_error_in_one_subscribe_leaves_the_others_running(live_server, api):
    alice = api("alice")
    tweet_id = await alice.post("still counting")
    client = await WsClient(live_server.ws_url, TRANSPORT_WS).open()
    await client.init(token("bob"))
    good = await client.subscribe(f'engagement(tweetId: "{tweet_id}") {{ likes }}')
    assert await good.next() == {"likes": 0}
    bad = await client.subscribe("engagement(tweetId: 1) { nope }")
    message = await bad.message()
    assert message["type"] == "error"
    assert message["payload"][0]["message"] == "Cannot query field 'nope' on type 'EngagementMetrics'."
    syntax = await client.subscribe("subscription {")
    assert (await syntax.message())["type"] == "error"
    await api("carol")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    assert await good.next() == {"likes": 1}


async def test_legacy_bad_frames_get_connection_error_and_the_socket_stays(live_server):
    client = await WsClient(live_server.ws_url, LEGACY_WS).open()
    await client.send("{not json")
    assert await asyncio.wait_for(client.control.get(), 3) == {
        "type": "connection_error",
        "payload": {"message": "Invalid message: not JSON"},
    }
    await client.init(token("alice"))


async def test_legacy_keep_alive_is_sent_periodically(tmp_path):
    from ..conftest import LiveServer
    from ..factories import make_settings

    server = LiveServer(make_settings(tmp_path, keepalive_interval=0.2))
    server.start()
    try:
        client = await WsClient(server.ws_url, LEGACY_WS).open()
        await client.init(token("alice"))
        assert await asyncio.wait_for(client.control.get(), 2) == {"type": "ka"}
        assert await asyncio.wait_for(client.control.get(), 2) == {"type": "ka"}
    finally:
        server.stop()


async def test_a_query_over_the_socket_gets_next_then_complete(ws_as, protocol):
    async with ws_as("alice") as alice:
        stream = await alice.subscribe("query { viewer { id handle } }")
        message = await stream.message()
        assert message["type"] in ("next", "data")
        assert message["payload"] == {"data": {"viewer": {"id": "alice", "handle": "alice"}}}
        assert await stream.message() == {"id": stream.id, "type": "complete"}


async def test_a_browser_origin_that_is_not_allowed_is_refused(live_server):
    with pytest.raises(Exception) as info:
        async with connect(
            live_server.ws_url,
            subprotocols=[Subprotocol(TRANSPORT_WS)],
            origin=Origin("https://evil.example"),
        ):
            pass
    assert "403" in str(info.value)
    async with connect(live_server.ws_url, subprotocols=[TRANSPORT_WS], origin="http://localhost:5173"):  # type: ignore[list-item, arg-type]
        pass
