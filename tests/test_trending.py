"""Trending once per cluster: processes sharing a store take turns, and serve one ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.auth import Claims
from tidings.bus import BroadcastBus
from tidings.store import Store, TopicRow
from tidings.trending import Trender

from .factories import database_url


@pytest.fixture
async def stores(tmp_path):
    """Two processes' stores on one database."""
    pair = [Store(database_url(tmp_path)), Store(database_url(tmp_path))]
    for store in pair:
        await store.open()
    yield pair
    for store in pair:
        await store.close()


async def test_one_claimant_per_interval_among_processes_sharing_a_store(stores):
    a, b = stores
    t0 = datetime(2030, 1, 1, tzinfo=UTC)
    at = [t0 + timedelta(seconds=s) for s in (0, 1, 4.4, 4.6, 4.7)]
    claims = [
        await a.claim_trending(interval=5, now=at[0]),
        await b.claim_trending(interval=5, now=at[1]),
        await a.claim_trending(interval=5, now=at[2]),
        await b.claim_trending(interval=5, now=at[3]),
        await a.claim_trending(interval=5, now=at[4]),
    ]
    assert claims == [True, False, False, True, False]


async def test_the_second_process_neither_recomputes_nor_differs(stores):
    a, b = stores
    await a.upsert_user(Claims(user_id="alice", handle="alice", name="Alice", role="user", expires_at=None))
    await a.post("alice", "#python #rust")
    await a.post("alice", "#python")
    bus = BroadcastBus("memory://")
    await bus.connect()
    try:
        first = Trender(a, bus, interval=60, window=900)
        second = Trender(b, bus, interval=60, window=900)
        assert (await first.tick(), await second.tick()) == (True, False)
        assert (first.computations, second.computations) == (1, 0)
        ranking = [["python", 2], ["rust", 1]]
        assert (await first.current()).data["topics"] == ranking
        assert (await second.current()).data["topics"] == ranking
        assert (await second.current()).data["at"] == (await first.current()).data["at"]
    finally:
        await bus.disconnect()


async def test_a_ranking_from_a_service_holds_every_process_off(stores):
    a, b = stores
    bus = BroadcastBus("memory://")
    await bus.connect()
    try:
        first = Trender(a, bus, interval=0.01, window=900)
        second = Trender(b, bus, interval=0.01, window=900)
        await first.adopt([TopicRow("worldcup", 900)])
        assert (await first.tick(), await second.tick()) == (False, False)
        assert (first.computations, second.computations) == (0, 0)
        assert (await second.current()).data["topics"] == [["worldcup", 900]]
    finally:
        await bus.disconnect()
