"""Viewer state, profiles, threads, hashtags and paging in the store (SQLite, and PostgreSQL with
--database=postgresql)."""

from __future__ import annotations

import asyncio

import pytest

from tidings.auth import Claims
from tidings.errors import InvalidInputError, NotFoundError
from tidings.store import Store, parse_id

from ..factories import database_url


def claims(user_id: str, name: str | None = None) -> Claims:
    return Claims(user_id=user_id, handle=user_id, name=name, role="user", expires_at=None)


@pytest.fixture
async def store(tmp_path):
    store = Store(database_url(tmp_path))
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def people(store):
    for user_id in ("alice", "bob", "carol"):
        await store.upsert_user(claims(user_id, user_id.title()))


async def test_liking_again_after_unlike_counts_again_and_notifies_nobody(store, people):
    tweet = (await store.post("alice", "like me twice")).tweet
    first = await store.like("bob", tweet.id)
    unliked = await store.unlike("bob", tweet.id)
    again = await store.like("bob", tweet.id)
    assert (first.changed, first.metrics.likes, first.created is not None) == (True, 1, True)
    assert (unliked.changed, unliked.metrics.likes, unliked.created) == (True, 0, None)
    assert (again.changed, again.metrics.likes, again.created) == (True, 1, None)
    assert await store.notification_state("alice") == (1, 1)


async def test_retweeting_again_after_unretweet_notifies_nobody_and_unretweet_is_idempotent(store, people):
    tweet = (await store.post("alice", "share me")).tweet
    first = await store.retweet("bob", tweet.id)
    undone = await store.unretweet("bob", tweet.id)
    undone_twice = await store.unretweet("bob", tweet.id)
    again = await store.retweet("bob", tweet.id)
    twice = await store.retweet("bob", tweet.id)
    assert (first.changed, first.metrics.retweets, first.created is not None) == (True, 1, True)
    assert (undone.changed, undone.metrics.retweets) == (True, 0)
    assert (undone_twice.changed, undone_twice.metrics.retweets) == (False, 0)
    assert (again.changed, again.metrics.retweets, again.created) == (True, 1, None)
    assert (twice.changed, twice.metrics.retweets) == (False, 1)
    kinds = [n.kind for n in await store.notifications("alice", first=10)]
    assert kinds == ["RETWEET"]


async def test_concurrent_likes_and_unlikes_keep_the_count_equal_to_the_likers(store, people):
    tweet = (await store.post("alice", "busy")).tweet
    fans = [f"fan{i}" for i in range(12)]
    for fan in fans:
        await store.upsert_user(claims(fan))
    await asyncio.gather(*(store.like(fan, tweet.id) for fan in fans))
    await asyncio.gather(
        *(store.unlike(fan, tweet.id) for fan in fans[:6]), *(store.like(fan, tweet.id) for fan in fans[3:])
    )
    liked = await store.engaged([(fan, int(tweet.id)) for fan in fans])
    assert (await store.metrics(tweet.id)).likes == len(liked)
    assert set(fans[6:]) <= {user for user, _ in liked}


async def test_engaged_says_who_likes_and_retweets_what_now(store, people):
    one = (await store.post("alice", "one")).tweet
    two = (await store.post("alice", "two")).tweet
    await store.like("bob", one.id)
    await store.retweet("bob", one.id)
    await store.like("carol", two.id)
    await store.like("bob", two.id)
    await store.unlike("bob", two.id)
    pairs = [(u, int(x.id)) for u in ("bob", "carol", "alice") for x in (one, two)]
    assert await store.engaged(pairs) == {
        ("bob", int(one.id)): (True, True),
        ("carol", int(two.id)): (True, False),
    }
    assert await store.engaged([]) == {}
    page = [("bob", int(one.id)), ("bob", int(two.id))]  # one viewer's page: grouped by viewer
    assert await store.engaged(page) == {("bob", int(one.id)): (True, True)}


async def test_follow_counts_and_following_pairs(store, people):
    await store.follow("bob", "alice")
    await store.follow("carol", "alice")
    await store.follow("alice", "carol")
    await store.unfollow("carol", "alice")
    counts = await store.follow_counts(["alice", "bob", "carol", "nobody"])
    assert counts == {"alice": (1, 1), "bob": (0, 1), "carol": (1, 0), "nobody": (0, 0)}
    pairs = [("bob", "alice"), ("carol", "alice"), ("alice", "carol"), ("alice", "bob")]
    assert await store.following_pairs(pairs) == {("bob", "alice"), ("alice", "carol")}


async def test_a_user_is_found_by_handle(store, people):
    found = await store.user_by_handle("bob")
    assert (found.id, found.handle, found.display_name) == ("bob", "bob", "Bob")
    assert await store.user_by_handle("zed") is None


async def test_a_token_without_a_name_leaves_the_display_name_alone(store):
    assert (await store.upsert_user(claims("bob", "Bob"))).display_name == "Bob"
    assert (await store.upsert_user(claims("bob"))).display_name == "Bob"
    assert (await store.user("bob")).display_name == "Bob"
    assert (await store.upsert_user(claims("bob", "Robert"))).display_name == "Robert"
    assert (await store.upsert_user(claims("dan"))).display_name == "dan"  # new and unnamed: the handle


async def test_user_tweets_page_back_newest_first(store, people):
    ids = [(await store.post("alice", f"t{i}")).tweet.id for i in range(5)]
    await store.post("bob", "not alice's")
    page = await store.user_tweets("alice", first=2)
    assert [x.id for x in page] == [ids[4], ids[3]]
    page = await store.user_tweets("alice", first=10, before=int(page[-1].id))
    assert [x.id for x in page] == [ids[2], ids[1], ids[0]]
    assert await store.user_tweets("nobody", first=10) == []


async def test_replies_page_forward_oldest_first(store, people):
    root = (await store.post("alice", "thread")).tweet
    other = (await store.post("alice", "other")).tweet
    ids = [(await store.post(u, f"re {u}", reply_to=root.id)).tweet.id for u in ("bob", "carol", "bob")]
    await store.post("carol", "elsewhere", reply_to=other.id)
    page = await store.replies(int(root.id), first=2)
    assert [(x.id, x.reply_to) for x in page] == [(ids[0], root.id), (ids[1], root.id)]
    rest = await store.replies(int(root.id), first=10, after=int(page[-1].id))
    assert [x.id for x in rest] == [ids[2]]


async def test_hashtag_pages_back_newest_first(store, people):
    ids = [(await store.post("alice", f"#Launch number {i}")).tweet.id for i in range(3)]
    await store.post("bob", "#other")
    page = await store.hashtag("launch", first=2)
    assert [x.id for x in page] == [ids[2], ids[1]]
    assert [x.id for x in await store.hashtag("launch", first=5, before=int(ids[1]))] == [ids[0]]
    assert await store.hashtag("nothing", first=5) == []


async def test_feed_pages_back_and_feed_after_reads_forward(store, people):
    await store.follow("bob", "alice")
    mine = (await store.post("bob", "mine")).tweet.id
    ids = [(await store.post("alice", f"a{i}")).tweet.id for i in range(4)]
    await store.post("carol", "not followed")
    page = await store.feed("bob", 2)
    assert [x.id for x in page] == [ids[3], ids[2]]
    assert [x.id for x in await store.feed("bob", 10, before=int(ids[2]))] == [ids[1], ids[0], mine]
    # feed_after: what the live feed carries (followed authors only), oldest first
    assert [x.id for x in await store.feed_after("bob", after=int(ids[0]), first=2)] == [ids[1], ids[2]]
    assert [x.id for x in await store.feed_after("bob", after=0, first=10)] == ids


@pytest.mark.parametrize("raw", ["", "abc", "١٢", "²", "12a", " 1", "1" * 21, "-1", "1.0"])
def test_a_malformed_id_is_bad_input(raw):
    with pytest.raises(InvalidInputError):
        parse_id(raw, "tweet")


def test_a_well_formed_id_past_every_key_is_not_found():
    with pytest.raises(NotFoundError):
        parse_id("9" * 20, "tweet")


def test_a_well_formed_id_is_its_number():
    assert parse_id("00042", "tweet") == 42
    assert parse_id(str(2**63 - 1), "tweet") == 2**63 - 1
