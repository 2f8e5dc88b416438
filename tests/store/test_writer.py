"""The hot writes: group commit on SQLite's writer thread, lanes on PostgreSQL (store/writer.py,
store/lanes.py, store/writes.py). Run on PostgreSQL too with --database=postgresql."""

from __future__ import annotations

import asyncio

import pytest

from tidings.auth import Claims
from tidings.errors import AuthError, NotFoundError
from tidings.store import Store

from ..factories import database_url


def claims(user_id: str, handle: str | None = None) -> Claims:
    name = user_id.title()
    return Claims(user_id=user_id, handle=handle or user_id, name=name, role="user", expires_at=None)


@pytest.fixture
async def store(tmp_path):
    store = Store(database_url(tmp_path))
    await store.open()
    yield store
    await store.close()


def _counts(store: Store) -> tuple[int, int]:
    runner = store.writer or store._pg
    assert runner is not None
    return runner.transactions, runner.jobs


async def test_concurrent_likes_share_transactions_and_each_counts_once(store):
    await store.upsert_user(claims("alice"))
    tweet = (await store.post("alice", "like me")).tweet
    fans = [f"fan{i}" for i in range(60)]
    await asyncio.gather(*(store.upsert_user(claims(fan)) for fan in fans))
    before = _counts(store)
    if store.writer is not None:
        # Hold the writer's slot while the likes queue: then they are one transaction.
        async with store.writer.exclusive():
            likes = [asyncio.ensure_future(store.like(fan, tweet.id)) for fan in fans]
            await asyncio.sleep(0.05)
            assert not any(like.done() for like in likes)  # nothing is answered before its commit
        results = await asyncio.gather(*likes)
    else:
        results = await asyncio.gather(*(store.like(fan, tweet.id) for fan in fans))
    transactions, jobs = (a - b for a, b in zip(_counts(store), before, strict=True))
    assert jobs == len(fans)
    assert transactions < jobs  # grouped
    # Each like changed the count by one, in the order they were queued, each notified alice
    # with the next sequence number: gapless, strictly increasing.
    assert sorted(r.metrics.likes for r in results) == list(range(1, len(fans) + 1))
    seqs = [r.created.notification.seq for r in results if r.created is not None]
    assert sorted(seqs) == list(range(1, len(fans) + 1))
    assert [r.metrics.updated_at for r in results] == sorted(r.metrics.updated_at for r in results)
    assert (await store.metrics(tweet.id)).likes == len(fans)
    assert await store.notification_state("alice") == (len(fans), len(fans))
    again = await store.like("fan0", tweet.id)
    assert (again.changed, again.metrics.likes, again.created) == (False, len(fans), None)


async def test_a_failing_write_fails_only_its_own_caller(store):
    await store.upsert_user(claims("alice"))
    await store.upsert_user(claims("bob"))
    tweet = (await store.post("alice", "hello")).tweet
    results = await asyncio.gather(
        store.like("bob", tweet.id),
        store.like("bob", "999999"),  # no such tweet
        store.like("nobody", tweet.id),  # no such user
        store.upsert_user(claims("carol", handle="bob")),  # bob's handle
        store.retweet("bob", tweet.id),
        return_exceptions=True,
    )
    liked, missing_tweet, missing_user, taken, retweeted = results
    assert isinstance(missing_tweet, NotFoundError) and "tweet" in missing_tweet.message
    assert isinstance(missing_user, NotFoundError) and "user" in missing_user.message
    assert isinstance(taken, AuthError)
    assert not isinstance(liked, BaseException) and not isinstance(retweeted, BaseException)
    assert (liked.metrics.likes, retweeted.metrics.retweets) == (1, 1)
    assert await store.user("carol") is None
    assert await store.notification_state("alice") == (2, 2)


async def test_own_like_changes_the_count_without_a_notification(store):
    await store.upsert_user(claims("alice"))
    tweet = (await store.post("alice", "me")).tweet
    result = await store.like("alice", tweet.id)
    assert (result.changed, result.metrics.likes, result.created) == (True, 1, None)
    assert await store.notification_state("alice") == (0, 0)


async def test_a_like_carries_the_tweet_and_actor_its_notification_shows(store):
    await store.upsert_user(claims("alice"))
    bob = await store.upsert_user(claims("bob"))
    tweet = (await store.post("alice", "see #this")).tweet
    result = await store.like("bob", tweet.id, actor=bob)
    assert result.created is not None
    note = result.created.notification
    (stored,) = await store.notifications("alice", first=5)
    assert note == stored


async def test_writes_made_on_the_loop_take_turns_with_the_writer(store):
    """Verbs still written with SQLAlchemy (follow, post) and the hot writes interleave."""
    await store.upsert_user(claims("alice"))
    tweet = (await store.post("alice", "hi")).tweet
    users = [f"u{i}" for i in range(20)]
    await asyncio.gather(*(store.upsert_user(claims(u)) for u in users))
    await asyncio.gather(
        *(store.follow(u, "alice") for u in users),
        *(store.like(u, tweet.id) for u in users),
    )
    assert sorted(await store.followers("alice")) == sorted(users)
    assert (await store.metrics(tweet.id)).likes == len(users)
    assert await store.notification_state("alice") == (2 * len(users), 2 * len(users))
