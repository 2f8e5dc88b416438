"""The Hub: one broker subscription per channel, concurrent first subscribers all served."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tidings.bus import BroadcastBus, Event, channels
from tidings.bus.mailbox import Mailbox, MailboxCounters, Policy
from tidings.errors import ResubscribeError

from ..services import POSTGRES_BROKER, REDIS_URL


@pytest.mark.parametrize("broker_url", ["memory://", REDIS_URL, POSTGRES_BROKER])
async def test_five_hundred_concurrent_first_subscribers_all_receive(broker_url):
    bus = BroadcastBus(broker_url)
    await bus.connect()
    try:
        channel = channels.engagement(f"race-{uuid.uuid4().hex}")  # others may share this Redis
        got: list[int] = []
        ready = asyncio.Event()
        joined = 0

        async def subscriber() -> None:
            nonlocal joined
            async with bus.subscribe(channel, latest_only=True) as mailbox:
                joined += 1
                if joined == 500:
                    ready.set()
                event = await asyncio.wait_for(mailbox.get(), 5)
                got.append(event.data["n"])

        tasks = [asyncio.create_task(subscriber()) for _ in range(500)]
        await asyncio.wait_for(ready.wait(), 10)
        assert bus.hub.channel_count == 1
        await bus.publish(channel, Event("metrics", {"n": 7}))
        await asyncio.gather(*tasks)
        assert got == [7] * 500
        await asyncio.sleep(0.05)
        assert (bus.hub.channel_count, bus.hub.mailbox_count) == (0, 0)
    finally:
        await bus.disconnect()


def test_a_latest_only_mailbox_keeps_the_newest_and_counts_what_it_skipped():
    counters = MailboxCounters()
    box = Mailbox(Policy.LATEST, 1, counters)
    for n in range(5):
        box.put(Event("metrics", {"n": n}))
    assert box.pending() == 1
    assert counters.coalesced == 4


async def test_a_backlog_mailbox_ends_with_resubscribe_when_it_overflows():
    counters = MailboxCounters()
    box = Mailbox(Policy.BACKLOG, 3, counters)
    for n in range(4):
        box.put(Event("created", {"n": n}))
    try:
        await box.get()
    except ResubscribeError as exc:
        assert "resubscribe with `after:`" in exc.message
    else:
        raise AssertionError("expected ResubscribeError")
    assert counters.overflowed == 1
