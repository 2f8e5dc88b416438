"""Several processes on one Redis and one PostgreSQL behave as one: every stream crosses them."""

from __future__ import annotations

import asyncio

import pytest

from tidings.bus import channels

from .conftest import subscribed, until

pytestmark = pytest.mark.services  # the real Redis and PostgreSQL, never skipped

NOTE = "notifications { cursor notification { kind actor { id } } }"


async def test_a_like_on_one_process_reaches_engagement_and_notifications_on_another(cluster):
    a, b = await cluster.start(2)
    alice, bob = cluster.user("alice"), cluster.user("bob")
    await a.api(bob)("{ viewer { id } }")
    tweet_id = await a.api(alice).post("like me from anywhere")
    alice_ws = await b.ws(alice)
    notes = await alice_ws.subscribe(NOTE)
    counts = await alice_ws.subscribe(f'engagement(tweetId: "{tweet_id}") {{ likes }}')
    assert await counts.next() == {"likes": 0}
    await subscribed(channels.notifications(alice))
    await a.api(bob)(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    assert await notes.next() == {
        "cursor": "000000000001",
        "notification": {"kind": "LIKE", "actor": {"id": bob}},
    }
    assert await counts.next() == {"likes": 1}
    assert await notes.silent_for(0.3)


async def test_feed_typing_and_trending_cross_processes(cluster):
    a, b = await cluster.start(2)
    alice, bob, carol = cluster.user("alice"), cluster.user("bob"), cluster.user("carol")
    await a.api(alice)("{ viewer { id } }")
    await a.api(bob)(f'mutation {{ follow(userId: "{alice}") }}')
    thread = await a.api(carol).post("a conversation")
    bob_ws, carol_ws = await b.ws(bob), await b.ws(carol)
    feed = await bob_ws.subscribe("feed { content author { id } }")
    typing = await carol_ws.subscribe(f'typing(conversationId: "{thread}") {{ user {{ id }} isTyping }}')
    trending = await carol_ws.subscribe("trending { topics { topic tweetCount } }")
    assert await trending.next() == {"topics": []}
    await subscribed(channels.feed(bob))
    await subscribed(channels.typing(thread))
    await a.api(alice).post(f"hello followers #scale{cluster.tag}")
    assert await feed.next() == {"content": f"hello followers #scale{cluster.tag}", "author": {"id": alice}}
    await a.api(alice)(f'mutation {{ setTyping(conversationId: "{thread}", isTyping: true) }}')
    assert await typing.next() == {"user": {"id": alice}, "isTyping": True}
    assert await trending.next(timeout=5) == {"topics": [{"topic": f"scale{cluster.tag}", "tweetCount": 1}]}
    on_a = await (await a.ws(carol)).subscribe("trending { topics { topic tweetCount } }")
    assert await on_a.next() == {"topics": [{"topic": f"scale{cluster.tag}", "tweetCount": 1}]}


async def test_stats_count_connections_across_processes_and_forget_a_dead_one(cluster):
    a, b = await cluster.start(2)
    viewer = cluster.user("viewer")
    for _ in range(2):
        await a.ws(viewer)
    for _ in range(3):
        await b.ws(viewer)
    query = "{ stats { connections clusterConnections instances } }"

    async def stats_on_a(expected: dict[str, int]) -> bool:
        return bool((await a.api(viewer)(query))["stats"] == expected)

    await until(
        lambda: stats_on_a({"connections": 2, "clusterConnections": 5, "instances": 2}), 10, "both counted"
    )
    b.kill()
    await until(
        lambda: stats_on_a({"connections": 2, "clusterConnections": 2, "instances": 1}), 30, "dead one gone"
    )


async def test_concurrent_notifications_for_one_user_from_three_processes_are_gapless(cluster):
    nodes = await cluster.start(3)
    alice = cluster.user("alice")
    tweet_id = await nodes[0].api(alice).post("popular everywhere")
    fans = [cluster.user(f"fan{i}") for i in range(60)]
    await asyncio.gather(*(nodes[i % 3].api(fan)("{ viewer { id } }") for i, fan in enumerate(fans)))
    alice_ws = await nodes[1].ws(alice)
    stream = await alice_ws.subscribe("notifications { cursor }")
    await subscribed(channels.notifications(alice))
    like = f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}'
    await asyncio.gather(*(nodes[i % 3].api(fan)(like) for i, fan in enumerate(fans)))
    live = [int((await stream.next(timeout=5))["cursor"]) for _ in range(60)]
    assert live == list(range(1, 61))
    stored = (await nodes[2].api(alice)("{ notifications(first: 100) { cursor } }"))["notifications"]
    assert sorted(int(n["cursor"]) for n in stored) == list(range(1, 61))
    assert await stream.silent_for(0.3)
