"""Shared execution never crosses viewers where the selection reads the viewer, and still shares
where it does not: 2 viewers x {with, without} a viewer field x {plain, fragment, inline
fragment, alias}, over both sub-protocols (issue 14, item 2)."""

from __future__ import annotations

import pytest

from ..clients import WsClient
from ..conftest import eventually
from ..factories import token

HEAD = "subscription($t: ID!) "
FORMS = {
    "plain": HEAD + "{ engagement(tweetId: $t) { likes %s } }",
    "fragment": HEAD + "{ engagement(tweetId: $t) { ...M } } fragment M on EngagementMetrics { likes %s }",
    "inline fragment": HEAD + "{ engagement(tweetId: $t) { likes ... on EngagementMetrics { %s } } }",
    "alias": HEAD + "{ engagement(tweetId: $t) { likes mine: %s } }",
}


def key_of(form: str, field: str) -> str:
    return "mine" if form == "alias" else field


@pytest.mark.parametrize("form", list(FORMS))
async def test_a_viewer_field_is_rendered_once_and_hydrated_per_viewer(form, live_server, ws_as, api):
    tweet_id = await api("carol").post("whose heart")
    await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    document = FORMS[form] % "likedByViewer"
    key = key_of(form, "likedByViewer")
    shared = live_server.tidings.ws.shared

    def moved(before: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        now = (shared.executions, shared.hits, shared.hydrations, shared.fallbacks)
        return (now[0] - before[0], now[1] - before[1], now[2] - before[2], now[3] - before[3])

    async with ws_as("alice") as alice_ws, ws_as("bob") as bob_ws:
        before = (shared.executions, shared.hits, shared.hydrations, shared.fallbacks)
        alice = await alice_ws.subscribe(document, {"t": tweet_id})
        assert await alice.next() == {"likes": 1, key: False}
        # bob's snapshot is the very value alice's was rendered from: still his own answer
        bob = await bob_ws.subscribe(document, {"t": tweet_id})
        assert await bob.next() == {"likes": 1, key: True}
        # one execution of the shared part, the second viewer served from it, both hydrated
        assert moved(before) == (1, 1, 2, 0)
        before = (shared.executions, shared.hits, shared.hydrations, shared.fallbacks)
        await api("carol")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        assert await bob.next() == {"likes": 2, key: True}
        assert await alice.next() == {"likes": 2, key: False}
        await eventually(lambda: moved(before)[2] >= 2)
        assert moved(before) == (1, 1, 2, 0)


async def test_hydrated_fields_keep_the_order_and_aliases_the_client_asked_for(live_server, ws_as, api):
    tweet_id = await api("carol").post("in order")
    await api("bob")(f'mutation {{ retweet(tweetId: "{tweet_id}") {{ retweets }} }}')
    document = (
        HEAD + "{ engagement(tweetId: $t) { rt: retweetedByViewer likes ...M tweetId "
        "... on EngagementMetrics { again: likedByViewer } retweets } } "
        "fragment M on EngagementMetrics { likedByViewer }"
    )
    order = ["rt", "likes", "likedByViewer", "tweetId", "again", "retweets"]
    async with ws_as("alice") as alice_ws, ws_as("bob") as bob_ws:
        alice = await alice_ws.subscribe(document, {"t": tweet_id})
        bob = await bob_ws.subscribe(document, {"t": tweet_id})
        first = await alice.next()
        assert list(first) == order
        assert first == dict(zip(order, [False, 0, False, tweet_id, False, 1], strict=True))
        assert await bob.next() == dict(zip(order, [True, 0, False, tweet_id, False, 1], strict=True))
        await api("alice")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        mine = await alice.next()
        assert list(mine) == order
        assert mine == dict(zip(order, [False, 1, True, tweet_id, True, 1], strict=True))
        assert await bob.next() == dict(zip(order, [True, 1, False, tweet_id, False, 1], strict=True))


async def test_n_viewers_cost_one_execution_per_event_and_n_hydrations(live_server, api):
    """The hydrator's shape (issue 15, target 6): 30 subscribers with `likedByViewer` selected,
    every third of whom likes the tweet, cost one execution per event, not 30."""
    tweet_id = await api("carol").post("popular")
    n = 30
    likers = {f"h{i}" for i in range(0, n, 3)}
    for user in sorted(likers):
        await api(user)(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    query = f'engagement(tweetId: "{tweet_id}") {{ tweetId likes likedByViewer }}'
    streams = {}
    for i in range(n):
        client = await WsClient(live_server.ws_url).open()
        await client.init(token(f"h{i}"))
        streams[f"h{i}"] = await client.subscribe(query)
    for user, stream in streams.items():
        assert await stream.next() == {
            "tweetId": tweet_id,
            "likes": len(likers),
            "likedByViewer": user in likers,
        }
    shared = live_server.tidings.ws.shared
    before = (shared.executions, shared.hits, shared.hydrations, shared.fallbacks)
    await api("carol")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    for user, stream in streams.items():
        expected = {"tweetId": tweet_id, "likes": len(likers) + 1, "likedByViewer": user in likers}
        assert await stream.next() == expected
    await eventually(lambda: shared.hydrations - before[2] >= n)
    moved = (
        shared.executions - before[0],
        shared.hits - before[1],
        shared.hydrations - before[2],
        shared.fallbacks - before[3],
    )
    assert moved == (1, n - 1, n, 0)


@pytest.mark.parametrize("form", list(FORMS))
async def test_a_selection_without_viewer_fields_is_executed_once_for_both_viewers(
    form, live_server, ws_as, api
):
    tweet_id = await api("carol").post("just counts")
    await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    document = FORMS[form] % "retweets"
    key = key_of(form, "retweets")
    shared = live_server.tidings.ws.shared
    async with ws_as("alice") as alice_ws, ws_as("bob") as bob_ws:
        before = (shared.executions, shared.hits)
        alice = await alice_ws.subscribe(document, {"t": tweet_id})
        assert await alice.next() == {"likes": 1, key: 0}
        bob = await bob_ws.subscribe(document, {"t": tweet_id})
        assert await bob.next() == {"likes": 1, key: 0}
        assert (shared.executions - before[0], shared.hits - before[1]) == (1, 1)
        before = (shared.executions, shared.hits)
        await api("carol")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        assert await bob.next() == await alice.next() == {"likes": 2, key: 0}
        await eventually(lambda: shared.hits - before[1] >= 1)
        assert (shared.executions - before[0], shared.hits - before[1]) == (1, 1)


async def test_a_user_field_below_a_public_stream_is_per_viewer(live_server, ws_as, api):
    tweet_id = await api("carol").post("typing here")
    await api("alice")('mutation { follow(userId: "carol") }')
    document = f'typing(conversationId: "{tweet_id}") {{ user {{ id followedByViewer }} isTyping }}'
    async with ws_as("alice") as alice_ws, ws_as("bob") as bob_ws:
        alice, bob = await alice_ws.subscribe(document), await bob_ws.subscribe(document)
        await api("carol")(f'mutation {{ setTyping(conversationId: "{tweet_id}", isTyping: true) }}')
        assert await alice.next() == {"user": {"id": "carol", "followedByViewer": True}, "isTyping": True}
        assert await bob.next() == {"user": {"id": "carol", "followedByViewer": False}, "isTyping": True}


async def test_a_fragment_named_like_a_public_field_runs_as_its_real_root_field(live_server, ws_as, api):
    """Issue 11, finding 11: `...engagement` on Subscription selecting `notifications` counts as
    (and is keyed as) `notifications`, and each viewer gets their own."""
    a_tweet, b_tweet = await api("alice").post("a"), await api("bob").post("b")
    document = (
        "subscription { ...engagement } "
        "fragment engagement on Subscription { notifications { notification { actor { id } tweet { id } } } }"
    )
    async with ws_as("alice") as alice_ws, ws_as("bob") as bob_ws:
        alice = await alice_ws.subscribe(document)
        bob = await bob_ws.subscribe(document)
        alice.client.last_field[alice.id] = bob.client.last_field[bob.id] = "notifications"
        assert live_server.stats()["by_field"].get("notifications") == 2
        assert live_server.stats()["by_field"].get("engagement", 0) == 0
        await api("carol")(
            f'mutation {{ a: likeTweet(tweetId: "{a_tweet}") {{ likes }} '
            f'b: likeTweet(tweetId: "{b_tweet}") {{ likes }} }}'
        )
        assert await alice.next() == {"notification": {"actor": {"id": "carol"}, "tweet": {"id": a_tweet}}}
        assert await bob.next() == {"notification": {"actor": {"id": "carol"}, "tweet": {"id": b_tweet}}}
        assert await alice.silent_for(0.2)
        assert await bob.silent_for(0.1)
