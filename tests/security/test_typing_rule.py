"""Finding 5 (issue 11): typing had no rule; anyone could watch or set typing in any string.

A conversation is the reply thread under a tweet, named by that tweet's id (API.md): `typing`
and `setTyping` with an id that is no existing tweet's are NOT_FOUND (a malformed id,
BAD_USER_INPUT), and nothing is subscribed or published for them.
"""

from __future__ import annotations

from ..conftest import eventually
from .checks import code_of, stream_error

SET = "mutation($c: ID!) { setTyping(conversationId: $c, isTyping: true) }"
WATCH = "subscription($c: ID!) { typing(conversationId: $c) { user { id } isTyping } }"


async def test_set_typing_in_no_tweets_thread_is_not_found(live_server, api):
    alice = api("alice")
    tweet = await alice.post("a thread")
    published = live_server.stats()["events_published"]
    for conversation, code in [(str(int(tweet) + 1), "NOT_FOUND"), ("dm-1", "BAD_USER_INPUT")]:
        body = await alice.raw(SET, {"c": conversation})
        assert body["data"] is None, body
        assert [code_of(e) for e in body["errors"]] == [code], body
    assert live_server.stats()["events_published"] == published
    assert await alice(SET, {"c": tweet}) == {"setTyping": True}


async def test_watching_typing_in_no_tweets_thread_is_not_found(live_server, ws_as, api, protocol):
    tweet = await api("bob").post("a thread")
    async with ws_as("alice") as alice:
        channels = live_server.stats()["bus_channels"]
        for conversation, code in [("999999", "NOT_FOUND"), ("dm-1", "BAD_USER_INPUT")]:
            stream = await alice.subscribe(WATCH, {"c": conversation})
            assert code_of(await stream_error(stream)) == code
        await eventually(lambda: live_server.stats()["subscriptions"] == 0)
        assert live_server.stats()["bus_channels"] == channels
        # The thread of an existing tweet works, and "007" is the same conversation as "7".
        stream = await alice.subscribe(WATCH, {"c": tweet.zfill(3)})
        assert await api("bob")(SET, {"c": tweet}) == {"setTyping": True}
        assert await stream.next() == {"user": {"id": "bob"}, "isTyping": True}
