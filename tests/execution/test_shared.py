"""Execute once, send bytes many times, and never across viewers where a result may differ."""

from __future__ import annotations

from tidings.execution.shared import SharedPayloads, scope_of, variables_key

from ..clients import WsClient
from ..conftest import eventually
from ..factories import token


def test_a_viewer_scoped_selection_never_shares_a_key_across_viewers():
    assert scope_of(True, "alice") != scope_of(True, "bob")
    assert scope_of(False, "alice") == scope_of(False, "bob") is None


def test_a_shared_payload_is_found_only_under_its_whole_key():
    shared = SharedPayloads(size=4)
    value = object()
    key = (id(value), "doc", variables_key({"a": 1}), None, "alice")
    shared.put(key, value, '{"data":1}')
    assert shared.get(key) == '{"data":1}'
    assert shared.get((id(value), "doc", variables_key({"a": 1}), None, "bob")) is None
    assert shared.get((id(value), "doc", variables_key({"a": 2}), None, "alice")) is None
    assert variables_key({"b": 1, "a": 2}) == variables_key({"a": 2, "b": 1})


async def test_fifty_subscribers_with_one_operation_cost_one_execution_per_event(live_server, api):
    alice = api("alice")
    tweet_id = await alice.post("watched")
    query = f'engagement(tweetId: "{tweet_id}") {{ tweetId likes }}'
    streams = []
    for i in range(50):
        client = await WsClient(live_server.ws_url).open()
        await client.init(token(f"w{i}"))
        stream = await client.subscribe(query)
        assert await stream.next() == {"tweetId": tweet_id, "likes": 0}
        streams.append(stream)
    shared = live_server.tidings.ws.shared
    before = (shared.executions, shared.hits)
    await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    for stream in streams:
        assert await stream.next() == {"tweetId": tweet_id, "likes": 1}
    await eventually(lambda: (shared.executions, shared.hits) != before)
    assert (shared.executions - before[0], shared.hits - before[1]) == (1, 49)


async def test_newcomers_to_a_held_channel_share_one_execution_of_their_snapshot(live_server, api):
    tweet_id = await api("alice").post("joined")
    query = f'engagement(tweetId: "{tweet_id}") {{ tweetId likes }}'
    first = await WsClient(live_server.ws_url).open()
    await first.init(token("w0"))
    assert await (await first.subscribe(query)).next() == {"tweetId": tweet_id, "likes": 0}
    shared = live_server.tidings.ws.shared
    before = (shared.executions, shared.hits)
    for i in range(1, 21):  # the channel is held: each newcomer's snapshot is the held state
        client = await WsClient(live_server.ws_url).open()
        await client.init(token(f"w{i}"))
        assert await (await client.subscribe(query)).next() == {"tweetId": tweet_id, "likes": 0}
    assert (shared.executions - before[0], shared.hits - before[1]) == (0, 20)


async def test_two_viewers_with_one_document_get_their_own_notifications(live_server, api, ws_as):
    alice, bob = api("alice"), api("bob")
    a_tweet, b_tweet = await alice.post("a"), await bob.post("b")
    document = "notifications { notification { actor { id } tweet { id } } }"
    async with ws_as("alice") as alice_ws, ws_as("bob") as bob_ws:
        alice_stream = await alice_ws.subscribe(document)
        bob_stream = await bob_ws.subscribe(document)
        await api("carol")(
            f'mutation {{ a: likeTweet(tweetId: "{a_tweet}") {{ likes }} '
            f'b: likeTweet(tweetId: "{b_tweet}") {{ likes }} }}'
        )
        assert await alice_stream.next() == {
            "notification": {"actor": {"id": "carol"}, "tweet": {"id": a_tweet}}
        }
        assert await bob_stream.next() == {
            "notification": {"actor": {"id": "carol"}, "tweet": {"id": b_tweet}}
        }
        assert await alice_stream.silent_for(0.2)
        assert await bob_stream.silent_for(0.1)
