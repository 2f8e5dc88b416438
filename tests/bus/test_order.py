"""Events published concurrently in one process reach subscribers in the order published, on
memory:// and on the real Redis (a pool of publishing connections used to reorder them, and a
burst of them could run out of connections)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tidings.bus import BroadcastBus, Event

from ..services import REDIS_URL


@pytest.mark.parametrize("url", ["memory://", REDIS_URL], ids=["memory", "redis"])
async def test_concurrent_publishes_arrive_in_the_order_they_were_made(url: str) -> None:
    bus = BroadcastBus(url, backlog_size=1000)
    await bus.connect()
    channel = f"engagement.order-{uuid.uuid4().hex}"
    received: list[int] = []
    try:
        async with bus.subscribe(channel) as mailbox:
            for burst in range(3):
                start = burst * 300
                await asyncio.gather(
                    *(bus.publish(channel, Event("metrics", {"i": i})) for i in range(start, start + 300))
                )
                while len(received) < start + 300:
                    received.append((await asyncio.wait_for(mailbox.get(), 5)).data["i"])
    finally:
        await bus.disconnect()
    assert received == list(range(900))
