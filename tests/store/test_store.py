"""The store's verbs and invariants, on SQLite (and on PostgreSQL with --database=postgresql)."""

from __future__ import annotations

import asyncio

import pytest

from tidings.auth import Claims
from tidings.errors import InvalidInputError, NotFoundError
from tidings.store import Store
from tidings.store.text import hashtags, mentions

from ..factories import database_url


def claims(user_id: str) -> Claims:
    return Claims(user_id=user_id, handle=user_id, name=user_id.title(), role="user", expires_at=None)


@pytest.fixture
async def store(tmp_path):
    store = Store(database_url(tmp_path))
    await store.open()
    yield store
    await store.close()


def test_hashtags_are_lower_cased_distinct_and_without_the_hash():
    assert hashtags("#Python and #python, #rust! a#b #") == ["python", "rust"]


def test_mentions_are_distinct_handles():
    assert mentions("@bob hi @bob and @carol_2, mail a@b.c") == ["bob", "carol_2"]


async def test_concurrent_notifications_get_gapless_increasing_sequences(store):
    await store.upsert_user(claims("alice"))
    post = await store.post("alice", "like me")
    fans = [f"fan{i}" for i in range(40)]
    for fan in fans:
        await store.upsert_user(claims(fan))
    results = await asyncio.gather(*(store.like(fan, post.tweet.id) for fan in fans))
    seqs = sorted(r.created.notification.seq for r in results if r.created)
    assert seqs == list(range(1, 41))
    assert await store.notification_state("alice") == (40, 40)


async def test_a_like_is_idempotent(store):
    for u in ("alice", "bob"):
        await store.upsert_user(claims(u))
    tweet = (await store.post("alice", "x")).tweet
    first = await store.like("bob", tweet.id)
    second = await store.like("bob", tweet.id)
    assert (first.changed, first.metrics.likes, first.created is not None) == (True, 1, True)
    assert (second.changed, second.metrics.likes, second.created) == (False, 1, None)


async def test_a_like_with_the_actor_row_notifies_as_that_actor_with_the_new_counts(store):
    alice = await store.upsert_user(claims("alice"))
    bob = await store.upsert_user(claims("bob"))
    tweet = (await store.post("alice", "count me")).tweet
    liked = await store.like("bob", tweet.id, actor=bob)
    note = liked.created.notification
    assert (note.user_id, note.kind, note.actor, note.tweet.id) == ("alice", "LIKE", bob, tweet.id)
    assert note.tweet.metrics == liked.metrics and liked.metrics.likes == 1
    assert note.tweet.author == alice and note.tweet.content == "count me"
    retweeted = await store.retweet("bob", tweet.id)  # without it, the store reads the actor
    assert retweeted.created.notification.actor == bob
    assert retweeted.created.notification.tweet.metrics.retweets == 1
    with pytest.raises(ValueError, match="is not user"):
        await store.like("carol", tweet.id, actor=bob)


async def test_bad_input_is_refused_clearly(store):
    await store.upsert_user(claims("alice"))
    with pytest.raises(InvalidInputError, match="at most 280"):
        await store.post("alice", "x" * 281)
    with pytest.raises(InvalidInputError, match="needs some content"):
        await store.post("alice", "   ")
    with pytest.raises(InvalidInputError, match="'abc' is not a tweet id"):
        await store.like("alice", "abc")
    with pytest.raises(NotFoundError, match="No tweet with id '99'"):
        await store.like("alice", "99")
    with pytest.raises(NotFoundError, match="No user with id 'ghost'"):
        await store.follow("alice", "ghost")
    with pytest.raises(InvalidInputError, match="cannot follow yourself"):
        await store.follow("alice", "alice")


async def test_one_cannot_mark_another_users_notification(store):
    for u in ("alice", "bob"):
        await store.upsert_user(claims(u))
    created = (await store.follow("bob", "alice")).created
    assert created is not None
    with pytest.raises(NotFoundError, match="No notification with id"):  # as if it did not exist
        await store.mark_read("bob", created.notification.id)
    result = await store.mark_read("alice", created.notification.id)
    assert (result.changed, result.unread) == (True, 0)


async def test_trending_counts_the_window_only(store):
    from datetime import UTC, datetime, timedelta

    await store.upsert_user(claims("alice"))
    await store.post("alice", "#a #b")
    await store.post("alice", "#a")
    rows = await store.trending(window_seconds=60, limit=10)
    assert [(r.topic, r.tweet_count) for r in rows] == [("a", 2), ("b", 1)]
    later = datetime.now(UTC) + timedelta(seconds=120)
    assert await store.trending(window_seconds=60, limit=10, now=later) == []


async def test_every_change_of_the_counts_raises_the_version_by_one(store):
    for u in ("alice", "bob"):
        await store.upsert_user(claims(u))
    tweet = (await store.post("alice", "count me")).tweet
    assert tweet.metrics.version == 0
    seen = [tweet.metrics]
    steps = [
        (store.like("bob", tweet.id), True),
        (store.like("bob", tweet.id), False),  # done already: nothing changes
        (store.unlike("bob", tweet.id), True),
        (store.retweet("bob", tweet.id), True),
        (store.unretweet("bob", tweet.id), True),
        (store.like("alice", tweet.id), True),
    ]
    for step, changes in steps:
        result = await step
        assert result.changed is changes
        seen.append(result.metrics)
    reply = await store.post("bob", "a reply", reply_to=tweet.id)
    assert reply.parent_metrics is not None
    seen.append(reply.parent_metrics)
    assert [m.version for m in seen] == [0, 1, 1, 2, 3, 4, 5, 6]
    assert all(a.updated_at <= b.updated_at for a, b in zip(seen, seen[1:], strict=False))
    assert (await store.metrics(tweet.id)).version == 6


async def test_on_postgresql_a_like_waits_for_its_flush_and_a_first_sight_need_not(store):
    """A user's upsert commits without waiting for its WAL flush (a like or follow that refers
    to the user later flushes it too); the writes that matter wait for theirs."""
    if store.is_sqlite:
        pytest.skip("synchronous_commit is PostgreSQL's: the PostgreSQL run of scripts/test checks it")
    author = await store.upsert_user(claims("author"))
    tweet = (await store.post(author.id, "durable")).tweet.id
    fan = await store.upsert_user(claims("fan"))
    assert (await store.like(fan.id, tweet)).metrics.likes == 1
    async with store._pg.pool.acquire() as conn:
        assert await conn.fetchval("SHOW synchronous_commit") == "on"
    async with store._pg_users.pool.acquire() as conn:
        assert await conn.fetchval("SHOW synchronous_commit") == "off"
    assert (await store.user("fan")) is not None
