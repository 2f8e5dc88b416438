"""Abrupt disconnects leave nothing behind: generators, mailboxes and bus subscriptions return to zero."""

from __future__ import annotations

import asyncio

from ..clients import WsClient
from ..conftest import eventually
from ..factories import token


async def test_fifty_abrupt_disconnects_mid_stream_leak_nothing(live_server, api, protocol):
    alice = api("alice")
    tweet_id = await alice.post("watched by many")
    baseline = live_server.stats()
    clients = []
    for i in range(50):
        client = await WsClient(live_server.ws_url, protocol).open()
        await client.init(token(f"watcher{i}"))
        engagement = await client.subscribe(f'engagement(tweetId: "{tweet_id}") {{ likes }}')
        await client.subscribe("notifications { kind }")
        await client.subscribe("feed { id }")
        assert await engagement.next() == {"likes": 0}
        clients.append(client)
    await eventually(lambda: live_server.stats()["subscriptions"] == 150)
    await eventually(lambda: live_server.stats()["streams"] == 150)  # each one set up, not only counted
    liker = api("liker")
    like = asyncio.create_task(liker(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}'))
    for client in clients:
        client.abort()
    await like
    await eventually(lambda: live_server.stats()["connections"] == baseline["connections"], timeout=10)
    await eventually(lambda: live_server.stats()["subscriptions"] == 0)
    after = live_server.stats()
    assert (after["streams"], after["mailboxes"], after["subscriptions"], after["by_field"]) == (0, 0, 0, {})
    await eventually(lambda: live_server.stats()["bus_channels"] == baseline["bus_channels"])
