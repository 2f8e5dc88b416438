"""The feed fan-out (bus/timeline.py): a tweet is published once, routed in memory to the local
followers of its author, and executed once per selection; an unfollow stops it at once."""

from __future__ import annotations

from ..clients import ApiFactory, WsClient
from ..conftest import LiveServer, eventually
from ..factories import token

FEED = "feed { id content author { id } }"


async def opened(live_server: LiveServer, user_id: str) -> WsClient:
    """A socket as `user_id` whose subscriptions are live when `subscribe` returns."""
    client = await WsClient(live_server.ws_url, live=lambda: live_server.stats()["live"]).open()
    await client.init(token(user_id))
    return client


async def follow(api: ApiFactory, follower: str, author: str) -> None:
    assert await api(follower)(f'mutation {{ follow(userId: "{author}") }}') == {"follow": True}


async def test_a_tweet_to_many_followers_with_one_selection_costs_one_execution(live_server, api):
    await api("alice")("{ viewer { id } }")
    followers = [f"f{i}" for i in range(30)]
    streams = []
    for name in followers:
        await follow(api, name, "alice")
        client = await opened(live_server, name)
        streams.append(await client.subscribe(FEED))
    lurker = await opened(live_server, "lurker")  # follows nobody
    lurking = await lurker.subscribe(FEED)
    shared = live_server.tidings.ws.shared
    before = (shared.executions, shared.hits)
    tweet_id = await api("alice").post("to all of you")
    for stream in streams:
        assert await stream.next() == {"id": tweet_id, "content": "to all of you", "author": {"id": "alice"}}
    await eventually(lambda: shared.hits - before[1] == len(followers) - 1)
    assert shared.executions - before[0] == 1
    assert await lurking.silent_for(0.3)


async def test_a_follower_who_unfollows_gets_nothing_more(live_server, api, ws_as):
    await api("alice")("{ viewer { id } }")
    await api("bob")("{ viewer { id } }")
    await follow(api, "carol", "alice")
    await follow(api, "carol", "bob")
    async with ws_as("carol") as carol:
        feed = await carol.subscribe("feed { content }")
        await api("alice").post("first")
        assert await feed.next() == {"content": "first"}
        assert await api("carol")('mutation { unfollow(userId: "alice") }') == {"unfollow": True}
        await api("alice").post("after the unfollow")
        await api("bob").post("from bob")  # published after alice's: arrives after it would have
        assert await feed.next() == {"content": "from bob"}
        assert await feed.silent_for(0.2)
        # and following again brings her back
        await follow(api, "carol", "alice")
        await api("alice").post("welcome back")
        assert await feed.next() == {"content": "welcome back"}


async def test_a_viewer_scoped_feed_selection_is_rendered_once_and_hydrated_per_follower(live_server, api):
    """`likedByViewer` is each follower's own (execution/hydrate.py): the tweet is executed once,
    each follower's like resolved for them alone."""
    await api("alice")("{ viewer { id } }")
    streams = []
    for name in ("v1", "v2", "v3"):
        await follow(api, name, "alice")
        client = await opened(live_server, name)
        streams.append(await client.subscribe("feed { id metrics { likes likedByViewer } likedByViewer }"))
    shared = live_server.tidings.ws.shared
    before = (shared.executions, shared.hydrations, shared.fallbacks)
    tweet_id = await api("alice").post("mine")
    for stream in streams:
        assert await stream.next() == {
            "id": tweet_id,
            "metrics": {"likes": 0, "likedByViewer": False},
            "likedByViewer": False,
        }
    await eventually(lambda: shared.hydrations - before[1] >= 3)
    assert (shared.executions - before[0], shared.hydrations - before[1], shared.fallbacks - before[2]) == (
        1,
        3,
        0,
    )


async def test_the_follow_graph_is_held_only_while_a_feed_is_live(live_server, api):
    await api("alice")("{ viewer { id } }")
    await follow(api, "dave", "alice")
    timeline = live_server.tidings.bus.timeline
    client = await opened(live_server, "dave")
    stream = await client.subscribe(FEED)
    assert timeline.followers_of("alice") == {"dave"}
    await stream.complete()
    await eventually(lambda: timeline.viewer_count == 0)
    assert timeline.followers_of("alice") == frozenset()
    await eventually(lambda: live_server.stats()["bus_channels"] == 0)
