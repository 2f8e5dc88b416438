"""Limits against abuse: each refused with its documented close code or GraphQL error, and the
other clients never notice."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..clients import LEGACY_WS, TRANSPORT_WS, Api, WsClient
from ..conftest import LiveServer, eventually
from ..factories import make_settings, token
from ..services import REDIS_URL

TRENDING = "subscription { trending { windowSeconds } }"


@contextlib.asynccontextmanager
async def serving(tmp_path: Path, **overrides: Any) -> AsyncIterator[LiveServer]:
    server = LiveServer(make_settings(tmp_path, **overrides))
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def ws(server: LiveServer, user: str, protocol: str = TRANSPORT_WS, **kwargs: Any) -> WsClient:
    client = await WsClient(server.ws_url, protocol, **kwargs).open()
    await client.init(token(user))
    return client


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_subscribe_past_the_per_connection_limit_gets_an_error_and_the_socket_stays(
    tmp_path, protocol
):
    async with serving(tmp_path, max_subscriptions_per_connection=2) as server:
        client = await ws(server, "alice", protocol)
        first = await client.subscribe(TRENDING)
        await client.subscribe(TRENDING)
        assert (await first.next())["windowSeconds"] == 900
        third = await client.subscribe(TRENDING)
        error = await third.message()
        expected = {
            "message": "Too many operations on this connection (limit 2); complete one first.",
            "extensions": {"code": "LIMIT_EXCEEDED", "limit": 2},
        }
        assert error == {
            "id": third.id,
            "type": "error",
            "payload": [expected] if protocol == TRANSPORT_WS else expected,
        }
        await first.complete()
        await eventually(lambda: server.stats()["subscriptions"] == 1)
        fourth = await client.subscribe(TRENDING)
        assert (await fourth.next())["windowSeconds"] == 900
        assert not client.is_closed


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_connection_past_the_per_user_limit_closes_with_4430(tmp_path, protocol):
    async with serving(tmp_path, max_connections_per_user=2) as server:
        one = await ws(server, "alice", protocol)
        await ws(server, "alice", protocol)
        third = await WsClient(server.ws_url, protocol).open()
        await third.init(token("alice"), expect_ack=False)
        reason = "Too many connections for this user (limit 2)"
        if protocol == LEGACY_WS:
            assert await asyncio.wait_for(third.control.get(), 3) == {
                "type": "connection_error",
                "payload": {"message": reason},
            }
        closed = await third.wait_closed()
        assert (closed.code, closed.reason) == (4430, reason)
        bob = await ws(server, "bob", protocol)  # another user is not affected
        stream = await bob.subscribe(TRENDING)
        assert (await stream.next())["windowSeconds"] == 900
        await one.close()  # a closed socket gives its place back
        await eventually(lambda: server.tidings.ws.limits.by_user["alice"] == 1)
        again = await ws(server, "alice", protocol)
        assert not again.is_closed


async def test_a_connection_past_the_per_ip_limit_closes_with_4431(tmp_path):
    async with serving(tmp_path, max_connections_per_ip=2, limit_exempt=[]) as server:
        first = await ws(server, "a")
        await ws(server, "b")
        third = await WsClient(server.ws_url).open()
        closed = await third.wait_closed()
        assert (closed.code, closed.reason) == (4431, "Too many connections from your address (limit 2)")
        stream = await first.subscribe(TRENDING)
        assert (await stream.next())["windowSeconds"] == 900
        await first.close()
        await eventually(lambda: server.tidings.ws.limits.by_ip["127.0.0.1"] == 1)
        assert not (await ws(server, "c")).is_closed


async def test_per_ip_limits_count_the_forwarded_address_and_skip_exempt_ones(tmp_path):
    # X-Forwarded-For from a trusted proxy on the same host, which is itself exempt.
    async with serving(tmp_path, max_connections_per_ip=1, trusted_proxies=["127.0.0.1"]) as server:
        await ws(server, "a", headers={"X-Forwarded-For": "203.0.113.7"})
        refused = await WsClient(server.ws_url, headers={"X-Forwarded-For": "203.0.113.7"}).open()
        assert (await refused.wait_closed()).code == 4431
        other = await ws(server, "b", headers={"X-Forwarded-For": "198.51.100.1"})
        local = [await ws(server, f"l{i}") for i in range(3)]  # loopback: exempt by default
        assert not any(c.is_closed for c in [other, *local])
        assert dict(server.tidings.ws.limits.by_ip) == {"203.0.113.7": 1, "198.51.100.1": 1}


async def test_connecting_too_fast_from_one_address_closes_with_4432(tmp_path):
    # 0.2 a second, burst 1: the second socket is refused unless 5 s pass between the two opens,
    # so a slow, loaded machine does not refill the bucket under the test.
    async with serving(tmp_path, connect_rate_per_ip=0.2, limit_exempt=[]) as server:
        opened = [await WsClient(server.ws_url).open() for _ in range(2)]
        closed = await opened[1].wait_closed()
        assert closed.code == 4432
        assert closed.reason.startswith("Connecting too fast: over 0.2 a second from your address; retry in ")
        await opened[0].init(token("alice"))
        assert not opened[0].is_closed


async def test_mutations_past_the_rate_are_refused_with_limit_exceeded_and_change_nothing(tmp_path):
    async with (
        serving(tmp_path, mutation_rate=0.5, mutation_burst=3) as server,
        httpx.AsyncClient(base_url=server.http_url, timeout=10) as http,
    ):
        alice, bob = Api(http, token("alice")), Api(http, token("bob"))
        tweet = await bob.post("like me")
        for _ in range(3):
            await alice.post("within the burst")
        body = await alice.raw(f'mutation {{ likeTweet(tweetId: "{tweet}") {{ likes }} }}')
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert error["message"].startswith("Too many mutations: at most 0.5 a second (burst 3); retry in ")
        assert 0 < error["extensions"]["retryAfter"] <= 2
        assert (await bob(f'{{ tweet(id: "{tweet}") {{ metrics {{ likes }} }} }}'))["tweet"]["metrics"][
            "likes"
        ] == 0
        # over the WebSocket too, and other users and services are not limited
        client = await ws(server, "alice")
        stream = await client.subscribe('mutation { postTweet(content: "again") { id } }')
        message = await stream.message()
        assert message["payload"]["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert (await bob(f'mutation {{ likeTweet(tweetId: "{tweet}") {{ likes }} }}'))["likeTweet"] == {
            "likes": 1
        }
        service = Api(http, token("svc", role="service"))
        for _ in range(5):
            await service.post("a service is not limited")
        assert len((await alice("{ feed { id } }"))["feed"]) == 3  # her own three, not the refused one


async def test_the_mutation_rate_is_shared_through_redis(tmp_path):
    db = make_settings(tmp_path).database_url
    async with serving(
        tmp_path, broker_url=REDIS_URL, database_url=db, mutation_rate=0.2, mutation_burst=2
    ) as one:
        async with serving(
            tmp_path, broker_url=REDIS_URL, database_url=db, mutation_rate=0.2, mutation_burst=2
        ) as two:
            async with httpx.AsyncClient(timeout=10) as http:
                alice = token("alice")
                codes = []
                for server in (one, two, one):
                    response = await http.post(
                        f"{server.http_url}/graphql",
                        json={"query": 'mutation { postTweet(content: "x") { id } }'},
                        headers={"Authorization": f"Bearer {alice}"},
                    )
                    errors = response.json().get("errors") or [{}]
                    codes.append(errors[0].get("extensions", {}).get("code"))
                assert codes == [None, None, "LIMIT_EXCEEDED"]
                assert one.tidings.engine.mutation_limiter.refused == 1


async def test_a_body_over_the_limit_gets_413(tmp_path):
    async with (
        serving(tmp_path, max_body_bytes=1000) as server,
        httpx.AsyncClient(base_url=server.http_url) as http,
    ):
        response = await http.post(
            "/graphql",
            content=b'{"query": "' + b" " * 2000 + b'{ viewer { id } }"}',
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json() == {"errors": [{"message": "Request body is over the limit of 1000 bytes."}]}
