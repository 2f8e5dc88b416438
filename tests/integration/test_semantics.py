"""Every semantic of API.md's "Semantics that clients rely on", over both sub-protocols."""

from __future__ import annotations

import asyncio

from ..conftest import eventually

NOTE = (
    "notifications { kind cursor unreadCount notification { kind actor { id } tweet { id content } read } }"
)


async def test_like_notifies_the_author_once(ws_as, api):
    alice, bob = api("alice"), api("bob")
    tweet_id = await alice.post("hi")
    async with ws_as("alice") as alice_ws:
        stream = await alice_ws.subscribe(
            "notifications { kind notification { kind actor { id } tweet { id } } }"
        )
        await bob(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        assert await stream.next() == {
            "kind": "CREATED",
            "notification": {"kind": "LIKE", "actor": {"id": "bob"}, "tweet": {"id": tweet_id}},
        }
        assert await bob(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}') == {
            "likeTweet": {"likes": 1}
        }
        assert await stream.silent_for(0.3)


async def test_like_by_the_author_sends_no_notification(ws_as, api):
    alice = api("alice")
    tweet_id = await alice.post("my own")
    async with ws_as("alice") as alice_ws:
        stream = await alice_ws.subscribe("notifications { kind }")
        assert await alice(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}') == {
            "likeTweet": {"likes": 1}
        }
        assert await stream.silent_for(0.3)
    assert await alice("{ unreadCount }") == {"unreadCount": 0}


async def test_engagement_sends_current_counts_then_changes(ws_as, api):
    alice, bob, carol = api("alice"), api("bob"), api("carol")
    tweet_id = await alice.post("count me")
    await bob(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    async with ws_as("dave") as dave:
        stream = await dave.subscribe(
            f'engagement(tweetId: "{tweet_id}") {{ tweetId likes replies retweets }}'
        )
        assert await stream.next() == {"tweetId": tweet_id, "likes": 1, "replies": 0, "retweets": 0}
        await carol(f'mutation {{ retweet(tweetId: "{tweet_id}") {{ retweets }} }}')
        assert await stream.next() == {"tweetId": tweet_id, "likes": 1, "replies": 0, "retweets": 1}
        await bob(f'mutation {{ unlikeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        assert await stream.next() == {"tweetId": tweet_id, "likes": 0, "replies": 0, "retweets": 1}


async def test_unlike_keeps_the_notification(api):
    alice, bob = api("alice"), api("bob")
    tweet_id = await alice.post("like then unlike")
    await bob(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    assert await bob(f'mutation {{ unlikeTweet(tweetId: "{tweet_id}") {{ likes }} }}') == {
        "unlikeTweet": {"likes": 0}
    }
    data = await alice("{ notifications { kind actor { id } } unreadCount }")
    assert data == {"notifications": [{"kind": "LIKE", "actor": {"id": "bob"}}], "unreadCount": 1}


async def test_retweet_notifies_once_and_is_idempotent(ws_as, api):
    alice, bob = api("alice"), api("bob")
    tweet_id = await alice.post("retweet me")
    async with ws_as("alice") as alice_ws:
        stream = await alice_ws.subscribe("notifications { notification { kind actor { id } } }")
        for _ in range(2):
            assert await bob(f'mutation {{ retweet(tweetId: "{tweet_id}") {{ retweets }} }}') == {
                "retweet": {"retweets": 1}
            }
        assert await stream.next() == {"notification": {"kind": "RETWEET", "actor": {"id": "bob"}}}
        assert await stream.silent_for(0.3)


async def test_feed_reaches_followers_only(ws_as, api):
    alice, bob = api("alice"), api("bob")
    await alice("{ viewer { id } }")
    await api("carol")("{ viewer { id } }")
    await bob('mutation { follow(userId: "alice") }')
    async with ws_as("bob") as bob_ws, ws_as("carol") as carol_ws:
        bob_feed = await bob_ws.subscribe("feed { content author { id } }")
        carol_feed = await carol_ws.subscribe("feed { content }")
        await asyncio.sleep(0.1)
        await alice.post("for my followers #news")
        assert await bob_feed.next() == {"content": "for my followers #news", "author": {"id": "alice"}}
        assert await carol_feed.silent_for(0.3)


async def test_unfollow_stops_the_live_feed(ws_as, api):
    alice, bob = api("alice"), api("bob")
    await alice("{ viewer { id } }")
    await bob('mutation { follow(userId: "alice") }')
    async with ws_as("bob") as bob_ws:
        feed = await bob_ws.subscribe("feed { content }")
        await asyncio.sleep(0.1)
        await alice.post("one")
        assert await feed.next() == {"content": "one"}
        assert await bob('mutation { unfollow(userId: "alice") }') == {"unfollow": True}
        await alice.post("two")
        assert await feed.silent_for(0.3)


async def test_reply_bumps_replies_and_notifies_the_parent_author(ws_as, api):
    alice, bob = api("alice"), api("bob")
    parent = await alice.post("parent")
    async with ws_as("alice") as alice_ws:
        notes = await alice_ws.subscribe(
            "notifications { notification { kind actor { id } tweet { content replyTo } } }"
        )
        counts = await alice_ws.subscribe(f'engagement(tweetId: "{parent}") {{ replies }}')
        assert await counts.next() == {"replies": 0}
        await bob.post("@alice a reply", reply_to=parent)
        assert await notes.next() == {
            "notification": {
                "kind": "REPLY",
                "actor": {"id": "bob"},
                "tweet": {"content": "@alice a reply", "replyTo": parent},
            }
        }
        assert await counts.next() == {"replies": 1}
        assert await notes.silent_for(0.3)  # one notification per user per tweet: no MENTION besides


async def test_mentions_notify_known_handles_only(ws_as, api):
    alice = api("alice")
    await api("bob")("{ viewer { id } }")
    async with ws_as("bob") as bob_ws:
        stream = await bob_ws.subscribe(
            "notifications { notification { kind actor { id } tweet { content } } }"
        )
        await alice.post("hey @bob and @nobody and @alice")
        assert await stream.next() == {
            "notification": {
                "kind": "MENTION",
                "actor": {"id": "alice"},
                "tweet": {"content": "hey @bob and @nobody and @alice"},
            }
        }
        assert await stream.silent_for(0.3)
    assert await alice("{ unreadCount }") == {"unreadCount": 0}


async def test_follow_notifies_the_followed_user(ws_as, api):
    await api("alice")("{ viewer { id } }")
    bob = api("bob")
    async with ws_as("alice") as alice_ws:
        stream = await alice_ws.subscribe(
            "notifications { notification { kind actor { id } tweet { id } } unreadCount }"
        )
        assert await bob('mutation { follow(userId: "alice") }') == {"follow": True}
        assert await stream.next() == {
            "notification": {"kind": "FOLLOW", "actor": {"id": "bob"}, "tweet": None},
            "unreadCount": 1,
        }
        assert await bob('mutation { follow(userId: "alice") }') == {"follow": False}
        assert await stream.silent_for(0.3)


async def test_mark_read_and_mark_all_read_reach_the_owners_other_streams(ws_as, api):
    alice, bob = api("alice"), api("bob")
    tweet_id = await alice.post("read me")
    await bob(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    await bob(f'mutation {{ retweet(tweetId: "{tweet_id}") {{ retweets }} }}')
    await bob('mutation { follow(userId: "alice") }')
    notes = (await alice("{ notifications { id cursor } }"))["notifications"]
    async with ws_as("alice") as tab:
        stream = await tab.subscribe("notifications { kind unreadCount cursor notification { id read } }")
        await asyncio.sleep(0.1)
        read = await alice(f'mutation {{ markNotificationRead(id: "{notes[0]["id"]}") {{ id read }} }}')
        assert read == {"markNotificationRead": {"id": notes[0]["id"], "read": True}}
        assert await stream.next() == {
            "kind": "READ",
            "unreadCount": 2,
            "cursor": notes[0]["cursor"],
            "notification": {"id": notes[0]["id"], "read": True},
        }
        assert await alice("mutation { markAllNotificationsRead }") == {"markAllNotificationsRead": 2}
        assert await stream.next() == {
            "kind": "ALL_READ",
            "unreadCount": 0,
            "cursor": notes[0]["cursor"],
            "notification": None,
        }
        assert await alice("mutation { markAllNotificationsRead }") == {"markAllNotificationsRead": 0}
        assert await stream.silent_for(0.3)


async def test_notifications_after_a_cursor_replay_then_go_live(ws_as, api):
    alice = api("alice")
    tweet_id = await alice.post("popular")
    for name in ("u1", "u2", "u3"):
        await api(name)(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    cursors = [n["cursor"] for n in (await alice("{ notifications { cursor } }"))["notifications"]]
    first = min(cursors)
    async with ws_as("alice") as alice_ws:
        stream = await alice_ws.subscribe(
            "subscription($after: String) "
            "{ notifications(after: $after) { cursor notification { actor { id } } } }",
            {"after": first},
        )
        assert [(await stream.next())["notification"]["actor"]["id"] for _ in range(2)] == ["u2", "u3"]
        await api("u4")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        assert (await stream.next())["notification"]["actor"]["id"] == "u4"
        assert await stream.silent_for(0.3)


async def test_replay_has_no_gap_while_notifications_are_created(ws_as, api):
    alice = api("alice")
    tweet_id = await alice.post("busy")
    likers = [api(f"fan{i}") for i in range(30)]
    for fan in likers[:10]:
        await fan(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    async with ws_as("alice") as alice_ws:

        async def like_rest() -> None:
            for fan in likers[10:]:
                await fan(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')

        burst = asyncio.create_task(like_rest())
        stream = await alice_ws.subscribe('notifications(after: "000000000000") { cursor }')
        cursors = [(await stream.next(timeout=5))["cursor"] for _ in range(30)]
        await burst
        assert [int(c) for c in cursors] == list(range(2, 32)) or [int(c) for c in cursors] == list(
            range(1, 31)
        )
        assert await stream.silent_for(0.3)


async def test_trending_sends_the_ranking_then_changes(ws_as, api):
    alice = api("alice")
    await alice.post("#python is nice")
    one = [{"topic": "python", "tweetCount": 1, "rank": 1}]
    both = [{"topic": "python", "tweetCount": 2, "rank": 1}, {"topic": "rust", "tweetCount": 1, "rank": 2}]
    async with ws_as("bob") as bob_ws:
        stream = await bob_ws.subscribe("trending { windowSeconds topics { topic tweetCount rank } }")
        first = await stream.next()
        assert first["windowSeconds"] == 900
        assert first["topics"] in ([], one)
        if first["topics"] == []:  # subscribed before the first tick counted the first post
            assert (await stream.next(timeout=5))["topics"] == one
        await alice.post("#Rust and #python")
        assert (await stream.next(timeout=5))["topics"] == both
        assert await stream.silent_for(0.6)  # unchanged ranking: nothing sent


async def test_typing_reaches_the_others_in_the_conversation(ws_as, api):
    c1, c2 = await api("bob").post("a thread"), await api("bob").post("another thread")
    async with ws_as("alice") as alice_ws, ws_as("bob") as bob_ws:
        alice_stream = await alice_ws.subscribe(
            f'typing(conversationId: "{c1}") {{ conversationId user {{ id }} isTyping }}'
        )
        bob_stream = await bob_ws.subscribe(f'typing(conversationId: "{c1}") {{ user {{ id }} isTyping }}')
        other = await bob_ws.subscribe(f'typing(conversationId: "{c2}") {{ isTyping }}')
        await asyncio.sleep(0.1)
        assert await api("alice")(f'mutation {{ setTyping(conversationId: "{c1}", isTyping: true) }}') == {
            "setTyping": True
        }
        assert await bob_stream.next() == {"user": {"id": "alice"}, "isTyping": True}
        assert await alice_stream.silent_for(0.2)
        assert await other.silent_for(0.1)


async def test_stats_count_connections_and_subscriptions(live_server, ws_as, api):
    async with ws_as("alice") as alice_ws:
        await alice_ws.subscribe("feed { id }")
        await alice_ws.subscribe("notifications { kind }")
        await eventually(lambda: live_server.stats()["subscriptions"] == 2)
        stats = (
            await api("alice")(
                "{ stats { connections subscriptions liveSubscriptions byField { field subscriptions } "
                "instances clusterConnections } }"
            )
        )["stats"]
        assert stats == {
            "connections": 1,
            "subscriptions": 2,
            "liveSubscriptions": 2,
            "byField": [
                {"field": "feed", "subscriptions": 1},
                {"field": "notifications", "subscriptions": 1},
            ],
            "instances": 1,
            "clusterConnections": 1,
        }


async def test_a_newcomer_gets_the_newest_counts_while_others_hold_the_channel(ws_as, api):
    alice = api("alice")
    tweet_id = await alice.post("held")
    async with ws_as("bob") as bob_ws:
        held = await bob_ws.subscribe(f'engagement(tweetId: "{tweet_id}") {{ likes }}')
        assert await held.next() == {"likes": 0}
        for fan in ("f1", "f2"):
            await api(fan)(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        assert await held.next() == {"likes": 1}
        assert await held.next() == {"likes": 2}
        async with ws_as("carol") as carol_ws:
            late = await carol_ws.subscribe(f'engagement(tweetId: "{tweet_id}") {{ likes }}')
            assert await late.next() == {"likes": 2}
            await api("f3")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
            assert await late.next() == {"likes": 3}
