"""Viewer state, profiles, threads, hashtags and feed paging/replay (issue 14), over both
sub-protocols where a socket is involved."""

from __future__ import annotations

import asyncio
from typing import Any

from ..clients import Api

TWEET_STATE = (
    "{ id likedByViewer retweetedByViewer metrics { likes retweets likedByViewer retweetedByViewer } }"
)


async def signed_in(*users: Api) -> None:
    """Users exist from their first request on."""
    for user in users:
        await user("{ viewer { id } }")


def like(tweet_id: str) -> str:
    return f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes likedByViewer }} }}'


def unlike(tweet_id: str) -> str:
    return f'mutation {{ unlikeTweet(tweetId: "{tweet_id}") {{ likes likedByViewer }} }}'


def retweet(tweet_id: str) -> str:
    return f'mutation {{ retweet(tweetId: "{tweet_id}") {{ retweets retweetedByViewer }} }}'


def unretweet(tweet_id: str) -> str:
    return f'mutation {{ unretweet(tweetId: "{tweet_id}") {{ retweets retweetedByViewer }} }}'


async def test_liked_and_retweeted_by_viewer_are_each_viewers_own(api, http):
    alice, bob, carol = api("alice"), api("bob"), api("carol")
    tweet_id = await alice.post("hearts")
    assert await bob(like(tweet_id)) == {"likeTweet": {"likes": 1, "likedByViewer": True}}
    assert await carol(retweet(tweet_id)) == {"retweet": {"retweets": 1, "retweetedByViewer": True}}
    query = f'{{ tweet(id: "{tweet_id}") {TWEET_STATE} }}'
    counts = {"likes": 1, "retweets": 1}
    assert (await bob(query))["tweet"] == {
        "id": tweet_id,
        "likedByViewer": True,
        "retweetedByViewer": False,
        "metrics": {**counts, "likedByViewer": True, "retweetedByViewer": False},
    }
    assert (await carol(query))["tweet"] == {
        "id": tweet_id,
        "likedByViewer": False,
        "retweetedByViewer": True,
        "metrics": {**counts, "likedByViewer": False, "retweetedByViewer": True},
    }
    anonymous = (await Api(http, None)(query))["tweet"]
    assert (anonymous["likedByViewer"], anonymous["metrics"]["retweetedByViewer"]) == (False, False)
    # the state survives a reload: the feed and the lists carry it too
    await bob('mutation { follow(userId: "alice") }')
    assert (await bob("{ feed { id likedByViewer } }"))["feed"] == [{"id": tweet_id, "likedByViewer": True}]
    assert await bob(unlike(tweet_id)) == {"unlikeTweet": {"likes": 0, "likedByViewer": False}}
    assert (await bob(query))["tweet"]["likedByViewer"] is False


async def test_engagement_carries_each_subscribers_own_liked_by_viewer(ws_as, api):
    tweet_id = await api("alice").post("mine or yours")
    document = f'engagement(tweetId: "{tweet_id}") {{ likes likedByViewer retweetedByViewer }}'
    async with ws_as("bob") as bob_ws, ws_as("carol") as carol_ws:
        bob_stream, carol_stream = await bob_ws.subscribe(document), await carol_ws.subscribe(document)
        nothing = {"likes": 0, "likedByViewer": False, "retweetedByViewer": False}
        assert await bob_stream.next() == nothing and await carol_stream.next() == nothing
        await api("bob")(like(tweet_id))
        assert await bob_stream.next() == {"likes": 1, "likedByViewer": True, "retweetedByViewer": False}
        assert await carol_stream.next() == {"likes": 1, "likedByViewer": False, "retweetedByViewer": False}
        await api("carol")(like(tweet_id))
        assert await bob_stream.next() == {"likes": 2, "likedByViewer": True, "retweetedByViewer": False}
        assert await carol_stream.next() == {"likes": 2, "likedByViewer": True, "retweetedByViewer": False}
        await api("bob")(unlike(tweet_id))
        assert await bob_stream.next() == {"likes": 1, "likedByViewer": False, "retweetedByViewer": False}
        assert await carol_stream.next() == {"likes": 1, "likedByViewer": True, "retweetedByViewer": False}


async def test_liking_again_after_unlike_does_not_notify_the_author_again(ws_as, api):
    alice, bob = api("alice"), api("bob")
    tweet_id = await alice.post("once is enough")
    async with ws_as("alice") as alice_ws:
        stream = await alice_ws.subscribe("notifications { kind notification { kind actor { id } } }")
        await bob(like(tweet_id))
        assert await stream.next() == {
            "kind": "CREATED",
            "notification": {"kind": "LIKE", "actor": {"id": "bob"}},
        }
        assert await bob(unlike(tweet_id)) == {"unlikeTweet": {"likes": 0, "likedByViewer": False}}
        assert await bob(like(tweet_id)) == {"likeTweet": {"likes": 1, "likedByViewer": True}}
        assert await stream.silent_for(0.3)
    assert await alice("{ unreadCount }") == {"unreadCount": 1}


async def test_unretweet_is_idempotent_lowers_the_count_and_keeps_the_notification(ws_as, api):
    alice, bob = api("alice"), api("bob")
    tweet_id = await alice.post("share")
    async with ws_as("alice") as alice_ws, ws_as("dave") as dave_ws:
        notes = await alice_ws.subscribe("notifications { notification { kind actor { id } } }")
        counts = await dave_ws.subscribe(f'engagement(tweetId: "{tweet_id}") {{ retweets }}')
        assert await counts.next() == {"retweets": 0}
        assert await bob(retweet(tweet_id)) == {"retweet": {"retweets": 1, "retweetedByViewer": True}}
        assert await notes.next() == {"notification": {"kind": "RETWEET", "actor": {"id": "bob"}}}
        assert await counts.next() == {"retweets": 1}
        undone = {"unretweet": {"retweets": 0, "retweetedByViewer": False}}
        assert await bob(unretweet(tweet_id)) == undone
        assert await bob(unretweet(tweet_id)) == undone
        assert await counts.next() == {"retweets": 0}
        assert await counts.silent_for(0.2)  # the second unretweet changed nothing
        assert await bob(retweet(tweet_id)) == {"retweet": {"retweets": 1, "retweetedByViewer": True}}
        assert await counts.next() == {"retweets": 1}
        assert await notes.silent_for(0.3)
    listed = await alice("{ notifications { kind actor { id } } }")
    assert listed == {"notifications": [{"kind": "RETWEET", "actor": {"id": "bob"}}]}


async def test_profiles_count_follows_and_say_whether_the_viewer_follows(api, http):
    alice, bob, carol = api("alice"), api("bob"), api("carol")
    await signed_in(alice, bob, carol)
    await bob('mutation { follow(userId: "alice") }')
    await carol('mutation { follow(userId: "alice") }')
    await alice('mutation { follow(userId: "carol") }')
    query = (
        '{ user(handle: "alice") { id handle displayName followersCount followingCount followedByViewer } }'
    )
    profile = {
        "id": "alice",
        "handle": "alice",
        "displayName": "Alice",
        "followersCount": 2,
        "followingCount": 1,
    }
    assert await bob(query) == {"user": {**profile, "followedByViewer": True}}
    assert await alice(query) == {"user": {**profile, "followedByViewer": False}}  # oneself
    assert await Api(http, None)(query) == {"user": {**profile, "followedByViewer": False}}
    await bob('mutation { unfollow(userId: "alice") }')
    assert (await bob(query))["user"]["followedByViewer"] is False
    assert (await bob('{ user(handle: "@carol") { followersCount followedByViewer } }')) == {
        "user": {"followersCount": 1, "followedByViewer": False}
    }
    assert await bob('{ user(handle: "nobody") { id } }') == {"user": None}


async def test_user_tweets_and_hashtag_page_back_newest_first(api):
    alice, bob = api("alice"), api("bob")
    ids = [await alice.post(f"#Launch day {i}") for i in range(5)]
    await bob.post("#launch too")
    page = await bob('{ userTweets(userId: "alice", first: 2) { id author { id } } }')
    assert [t["id"] for t in page["userTweets"]] == [ids[4], ids[3]]
    older = await bob(f'{{ userTweets(userId: "alice", first: 10, before: "{ids[3]}") {{ id }} }}')
    assert [t["id"] for t in older["userTweets"]] == [ids[2], ids[1], ids[0]]
    tagged = await bob('{ hashtag(tag: "#LAUNCH", first: 3) { id } }')
    assert len(tagged["hashtag"]) == 3 and tagged["hashtag"][1:] == [{"id": ids[4]}, {"id": ids[3]}]
    rest = await bob(f'{{ hashtag(tag: "launch", before: "{ids[3]}") {{ id }} }}')
    assert [t["id"] for t in rest["hashtag"]] == [ids[2], ids[1], ids[0]]


async def test_replies_list_the_thread_oldest_first(api):
    alice, bob, carol = api("alice"), api("bob"), api("carol")
    root = await alice.post("thread")
    replies = [await who.post(f"re {i}", reply_to=root) for i, who in enumerate((bob, carol, bob))]
    page = await alice(f'{{ replies(tweetId: "{root}", first: 2) {{ id replyTo author {{ id }} }} }}')
    assert page["replies"] == [
        {"id": replies[0], "replyTo": root, "author": {"id": "bob"}},
        {"id": replies[1], "replyTo": root, "author": {"id": "carol"}},
    ]
    rest = await alice(f'{{ replies(tweetId: "{root}", after: "{replies[1]}") {{ id }} }}')
    assert rest == {"replies": [{"id": replies[2]}]}


async def test_feed_query_pages_back_with_before(api):
    alice, bob = api("alice"), api("bob")
    await signed_in(alice)
    await bob('mutation { follow(userId: "alice") }')
    ids = [await alice.post(f"f{i}") for i in range(4)]
    first = await bob("{ feed(first: 2) { id } }")
    assert [t["id"] for t in first["feed"]] == [ids[3], ids[2]]
    rest = await bob(f'{{ feed(first: 5, before: "{ids[2]}") {{ id }} }}')
    assert [t["id"] for t in rest["feed"]] == [ids[1], ids[0]]


async def test_feed_after_replays_then_goes_live_once_each_in_order_while_tweets_are_posted(ws_as, api):
    alice, bob, carol = api("alice"), api("bob"), api("carol")
    await signed_in(alice, carol)
    await bob('mutation { follow(userId: "alice") }')
    await bob('mutation { follow(userId: "carol") }')
    posted = [await alice.post(f"before {i}") for i in range(6)]
    async with ws_as("bob") as bob_ws:

        async def post_more() -> list[str]:
            more = []
            for i in range(24):
                more.append(await (alice if i % 2 else carol).post(f"during {i}"))
            return more

        burst = asyncio.create_task(post_more())
        stream = await bob_ws.subscribe(
            "subscription($after: ID) { feed(after: $after) { id content } }", {"after": posted[1]}
        )
        received = [(await stream.next(timeout=5))["id"] for _ in range(4 + 24)]
        more = await burst
        assert received == posted[2:] + more
        assert await stream.silent_for(0.3)
        late = await alice.post("after the burst")
        assert (await stream.next())["id"] == late


async def test_a_token_without_a_name_leaves_the_display_name_alone(api):
    assert await api("bob", name="Bob")("{ viewer { displayName } }") == {"viewer": {"displayName": "Bob"}}
    assert await api("bob", name=None)("{ viewer { displayName } }") == {"viewer": {"displayName": "Bob"}}
    assert await api("eve", name=None)("{ viewer { displayName } }") == {"viewer": {"displayName": "eve"}}


BAD_IDS = ["abc", "١٢٣", "²", "1" * 21, "9" * 64_000, "-1", "", " 7"]


async def test_bad_ids_are_bad_input_or_not_found_never_a_server_error(api):
    bob = api("bob")
    await api("alice").post("target")
    for raw in BAD_IDS:
        documents: list[tuple[str, tuple[str, Any] | None]] = [
            ("query($i: ID!) { tweet(id: $i) { id } }", ("tweet", None)),
            ("query($i: ID!) { replies(tweetId: $i) { id } }", None),
            ("query($i: ID) { feed(before: $i) { id } }", None),
            ('query($i: ID) { hashtag(tag: "x", before: $i) { id } }', None),
            ("query($i: ID!) { userTweets(userId: $i) { id } }", ("userTweets", [])),
            ("mutation($i: ID!) { likeTweet(tweetId: $i) { likes } }", None),
            ("mutation($i: ID!) { unretweet(tweetId: $i) { retweets } }", None),
        ]
        for document, fine in documents:
            body = await bob.raw(document, {"i": raw})
            if "errors" not in body and fine is not None:
                assert body["data"] == {fine[0]: fine[1]}, (raw[:20], document)
                continue
            codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
            assert codes and set(codes) <= {"BAD_USER_INPUT", "NOT_FOUND"}, (raw[:20], document, body)
