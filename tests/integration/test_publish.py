"""Publishing from other services: the service mutations over HTTP, and `tidings.publish` in
process. Each kind of event reaches exactly the subscribers a user action would reach."""

from __future__ import annotations

import asyncio

from ..clients import Api, ApiFactory
from ..conftest import eventually

FORBIDDEN = "Only a service token (claim role: service) may call this mutation."


def service(api: ApiFactory) -> Api:
    return api("ranking-service", role="service")


async def known(api: ApiFactory, *names: str) -> None:
    for name in names:
        await api(name)("{ viewer { id } }")


async def test_a_service_creates_a_notification_that_reaches_its_owner_only(ws_as, api):
    await known(api, "alice", "bob", "carol")
    tweet_id = await api("alice").post("noticed")
    async with ws_as("alice") as alice_ws, ws_as("carol") as carol_ws:
        alice_stream = await alice_ws.subscribe(
            "notifications { kind unreadCount notification { kind actor { id } tweet { id } } }"
        )
        carol_stream = await carol_ws.subscribe("notifications { kind }")
        await asyncio.sleep(0.1)
        data = await service(api)(
            "mutation($t: ID) { "
            'createNotification(userId: "alice", kind: LIKE, actorId: "bob", tweetId: $t) { kind cursor } }',
            {"t": tweet_id},
        )
        assert data == {"createNotification": {"kind": "LIKE", "cursor": "000000000001"}}
        assert await alice_stream.next() == {
            "kind": "CREATED",
            "unreadCount": 1,
            "notification": {"kind": "LIKE", "actor": {"id": "bob"}, "tweet": {"id": tweet_id}},
        }
        assert await carol_stream.silent_for(0.3)
    assert await api("alice")("{ notifications { kind actor { id } } }") == {
        "notifications": [{"kind": "LIKE", "actor": {"id": "bob"}}]
    }


async def test_a_service_posts_a_tweet_to_the_followers_feeds(ws_as, api):
    await known(api, "alice", "carol")
    await api("bob")('mutation { follow(userId: "alice") }')
    async with ws_as("bob") as bob_ws, ws_as("carol") as carol_ws:
        bob_feed = await bob_ws.subscribe("feed { content author { id } hashtags }")
        carol_feed = await carol_ws.subscribe("feed { content }")
        await asyncio.sleep(0.1)
        data = await service(api)(
            'mutation { publishTweet(authorId: "alice", content: "from the tweet service #ops") { id } }'
        )
        assert data["publishTweet"]["id"].isdigit()
        assert await bob_feed.next() == {
            "content": "from the tweet service #ops",
            "author": {"id": "alice"},
            "hashtags": ["ops"],
        }
        assert await carol_feed.silent_for(0.3)


async def test_a_service_reports_engagement_to_counters_and_the_author(ws_as, api):
    await known(api, "bob")
    tweet_id = await api("alice").post("count me")
    async with ws_as("alice") as alice_ws, ws_as("carol") as carol_ws:
        notes = await alice_ws.subscribe("notifications { notification { kind actor { id } } }")
        counts = await carol_ws.subscribe(f'engagement(tweetId: "{tweet_id}") {{ likes retweets }}')
        assert await counts.next() == {"likes": 0, "retweets": 0}
        publish = (
            "mutation($t: ID!, $a: EngagementAction!) { "
            'publishEngagement(userId: "bob", tweetId: $t, action: $a) { likes retweets } }'
        )
        assert await service(api)(publish, {"t": tweet_id, "a": "LIKE"}) == {
            "publishEngagement": {"likes": 1, "retweets": 0}
        }
        assert await counts.next() == {"likes": 1, "retweets": 0}
        assert await notes.next() == {"notification": {"kind": "LIKE", "actor": {"id": "bob"}}}
        assert await service(api)(publish, {"t": tweet_id, "a": "RETWEET"}) == {
            "publishEngagement": {"likes": 1, "retweets": 1}
        }
        assert await counts.next() == {"likes": 1, "retweets": 1}
        assert await notes.next() == {"notification": {"kind": "RETWEET", "actor": {"id": "bob"}}}
        assert await service(api)(publish, {"t": tweet_id, "a": "UNLIKE"}) == {
            "publishEngagement": {"likes": 0, "retweets": 1}
        }
        assert await counts.next() == {"likes": 0, "retweets": 1}
        assert await notes.silent_for(0.3)


async def test_a_published_ranking_becomes_the_current_one(ws_as, api):
    await api("alice").post("#python is computed locally")
    async with ws_as("bob") as bob_ws:
        stream = await bob_ws.subscribe("trending { topics { topic tweetCount rank } }")
        first = await stream.next()
        assert first["topics"] in ([], [{"topic": "python", "tweetCount": 1, "rank": 1}])
        if not first["topics"]:
            assert (await stream.next(timeout=5))["topics"] == [
                {"topic": "python", "tweetCount": 1, "rank": 1}
            ]
        published = await service(api)(
            "mutation($t: [TrendingTopicInput!]!) "
            "{ publishTrending(topics: $t) { topics { topic tweetCount rank } } }",
            {"t": [{"topic": "#WorldCup", "tweetCount": 900}, {"topic": "rust", "tweetCount": 40}]},
        )
        ranking = [
            {"topic": "worldcup", "tweetCount": 900, "rank": 1},
            {"topic": "rust", "tweetCount": 40, "rank": 2},
        ]
        assert published == {"publishTrending": {"topics": ranking}}
        assert await stream.next() == {"topics": ranking}
        assert await stream.silent_for(0.6)  # several recomputation intervals: the ranking stands
        late = await bob_ws.subscribe("trending { topics { topic tweetCount rank } }")
        assert await late.next() == {"topics": ranking}


async def test_a_service_publishes_typing_to_the_conversation(ws_as, api):
    await known(api, "alice")
    c8, c9 = await api("alice").post("one thread"), await api("alice").post("another")
    async with ws_as("bob") as bob_ws:
        stream = await bob_ws.subscribe(
            f'typing(conversationId: "{c9}") {{ conversationId user {{ id }} isTyping }}'
        )
        other = await bob_ws.subscribe(f'typing(conversationId: "{c8}") {{ isTyping }}')
        await asyncio.sleep(0.1)
        publish = f'mutation {{ publishTyping(conversationId: "{c9}", userId: "alice", isTyping: true) }}'
        assert await service(api)(publish) == {"publishTyping": True}
        assert await stream.next() == {"conversationId": c9, "user": {"id": "alice"}, "isTyping": True}
        assert await other.silent_for(0.2)


async def test_a_user_token_is_refused_and_nothing_is_broadcast(live_server, ws_as, api):
    await known(api, "alice", "bob")
    tweet_id = await api("alice").post("mine")
    mallory = api("mallory")
    attempts = [
        'mutation { createNotification(userId: "alice", kind: FOLLOW, actorId: "bob") { id } }',
        'mutation { publishTweet(authorId: "alice", content: "spoofed") { id } }',
        f'mutation {{ publishEngagement(userId: "bob", tweetId: "{tweet_id}", action: LIKE) {{ likes }} }}',
        'mutation { publishTrending(topics: [{topic: "spam", tweetCount: 1}]) { windowSeconds } }',
        f'mutation {{ publishTyping(conversationId: "{tweet_id}", userId: "alice", isTyping: true) }}',
    ]
    async with ws_as("alice") as alice_ws:
        notes = await alice_ws.subscribe("notifications { kind }")
        counts = await alice_ws.subscribe(f'engagement(tweetId: "{tweet_id}") {{ likes }}')
        trending = await alice_ws.subscribe("trending { topics { topic } }")
        typing = await alice_ws.subscribe(f'typing(conversationId: "{tweet_id}") {{ isTyping }}')
        assert await counts.next() == {"likes": 0}
        await trending.next()
        await eventually(lambda: live_server.stats()["subscriptions"] == 4)
        await eventually(lambda: live_server.tidings.bus.published["trending"] == 1)  # the first ranking, []
        published = live_server.stats()["events_published"]
        for attempt in attempts:
            body = await mallory.raw(attempt)
            assert body["data"] is None
            assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
                (FORBIDDEN, "FORBIDDEN")
            ]
        for stream in (notes, counts, trending, typing):
            assert await stream.silent_for(0.2)
        assert live_server.stats()["events_published"] == published
    assert await api("alice")("{ unreadCount feed(first: 5) { content } }") == {
        "unreadCount": 0,
        "feed": [{"content": "mine"}],
    }


async def test_service_mutations_need_a_token(api, http):
    body = (
        await http.post(
            "/graphql",
            json={"query": 'mutation { publishTyping(conversationId: "c", userId: "a", isTyping: true) }'},
        )
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_service_is_told_what_is_wrong(api):
    await known(api, "alice")
    body = await service(api).raw(
        'mutation { createNotification(userId: "alice", kind: LIKE, actorId: "alice") { id } }'
    )
    assert (
        body["errors"][0]["message"]
        == "Nobody is notified of their own action: userId and actorId are the same."
    )
    body = await service(api).raw(
        'mutation { createNotification(userId: "nobody", kind: LIKE, actorId: "alice") { id } }'
    )
    assert body["errors"][0]["message"] == "No user with id 'nobody'."
    body = await service(api).raw(
        'mutation { publishTrending(topics: [{topic: "a", tweetCount: 1}, {topic: "#A", tweetCount: 2}]) '
        "{ windowSeconds } }"
    )
    assert body["errors"][0]["message"] == "Topic 'a' appears twice in the ranking."
