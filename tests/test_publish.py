"""`tidings.publish` in process: store, commit, then the same events as the user actions."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tidings.bus import channels
from tidings.errors import InvalidInputError, NotFoundError
from tidings.publish import Publisher

from .conftest import eventually
from .factories import token


async def _known(app_client: httpx.AsyncClient, *names: str) -> None:
    for name in names:
        response = await app_client.post(
            "/graphql",
            json={"query": "{ viewer { id } }"},
            headers={"Authorization": f"Bearer {token(name)}"},
        )
        assert response.json() == {"data": {"viewer": {"id": name}}}


async def test_each_verb_stores_then_publishes_on_the_right_channels(app_client):
    await _known(app_client, "alice", "bob")
    tidings = app_client.app.state.tidings
    publisher = Publisher.of(app_client.app)
    assert (await publisher.follow(follower_id="bob", followee_id="alice")) is True
    thread = await publisher.tweet(author_id="bob", content="a conversation")
    bus = tidings.bus
    async with (
        bus.subscribe(channels.feed("bob")) as feed,
        bus.timeline.joined("bob", lambda: tidings.store.following("bob")),  # as bob's feed does
        bus.subscribe(channels.notifications("alice")) as alice_notes,
        bus.subscribe(channels.typing(thread.id)) as typing,
        bus.subscribe(channels.trending(), latest_only=True) as trending,
    ):
        tweet = await publisher.tweet(author_id="alice", content="in process #ops")
        event = await asyncio.wait_for(feed.get(), 2)
        assert (event.kind, event.data["id"], event.data["content"]) == ("tweet", tweet.id, "in process #ops")

        note = await publisher.notification(
            user_id="alice", kind="MENTION", actor_id="bob", tweet_id=tweet.id
        )
        event = await asyncio.wait_for(alice_notes.get(), 2)
        assert (event.kind, event.data["n"]["id"], event.data["unread"]) == (
            "created",
            note.id,
            2,
        )  # after FOLLOW

        async with bus.subscribe(channels.engagement(tweet.id), latest_only=True) as counts:
            metrics = await publisher.like(user_id="bob", tweet_id=tweet.id)
            assert (metrics.likes, (await asyncio.wait_for(counts.get(), 2)).data["likes"]) == (1, 1)
            like_note = await asyncio.wait_for(alice_notes.get(), 2)
            assert (like_note.data["n"]["kind"], like_note.data["unread"]) == ("LIKE", 3)

        await publisher.typing(conversation_id=thread.id, user_id="alice", is_typing=True)
        event = await asyncio.wait_for(typing.get(), 2)
        assert (event.data["user"]["id"], event.data["is_typing"]) == ("alice", True)

        rows = await publisher.trending([("#Launch", 12), ("python", 3)])
        assert [(r.topic, r.tweet_count) for r in rows] == [("launch", 12), ("python", 3)]
        # The trender's own tick may land just before ours (the Mailbox holds the latest):
        # ours arrives, whatever came first.
        ranked = [["launch", 12], ["python", 3]]
        event = await asyncio.wait_for(trending.get(), 2)
        while event.data["topics"] != ranked:
            event = await asyncio.wait_for(trending.get(), 2)
        assert (await tidings.trender.current()).data["topics"] == [["launch", 12], ["python", 3]]
        assert await tidings.trender.tick() is False  # the service's ranking holds

    assert await tidings.store.notification_state("alice") == (3, 3)


async def test_bad_arguments_store_and_publish_nothing(app_client):
    await _known(app_client, "alice")
    publisher = Publisher.of(app_client.app)
    bus = app_client.app.state.tidings.bus
    await eventually(lambda: bus.published["trending"] == 1)  # the first ranking, from the start
    before = bus.events_published
    with pytest.raises(InvalidInputError, match="expected one of LIKE, REPLY, RETWEET, FOLLOW, MENTION"):
        await publisher.notification(user_id="alice", kind="POKE", actor_id="bob")
    with pytest.raises(NotFoundError, match="No user with id 'bob'"):
        await publisher.notification(user_id="alice", kind="LIKE", actor_id="bob")
    with pytest.raises(NotFoundError, match="No tweet with id '99'"):
        await publisher.like(user_id="alice", tweet_id="99")
    with pytest.raises(InvalidInputError, match="is not a conversation id"):
        await publisher.typing(conversation_id="c", user_id="alice", is_typing=False)
    with pytest.raises(NotFoundError, match="No conversation '99'"):
        await publisher.typing(conversation_id="99", user_id="alice", is_typing=False)
    thread = await publisher.store.post("alice", "a thread")
    with pytest.raises(NotFoundError, match="No user with id 'zed'"):
        await publisher.typing(conversation_id=thread.tweet.id, user_id="zed", is_typing=False)
    with pytest.raises(InvalidInputError, match="expected 0 or more"):
        await publisher.trending([("x", -1)])
    assert bus.events_published == before
    assert await app_client.app.state.tidings.store.notification_state("alice") == (0, 0)
