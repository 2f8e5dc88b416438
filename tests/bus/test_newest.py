"""The Hub keeps each channel's newest state event, for newcomers' snapshots."""

from __future__ import annotations

from tidings.bus import BroadcastBus, Event, channels


async def test_the_newest_state_wins_whatever_the_delivery_order():
    bus = BroadcastBus("memory://")
    await bus.connect()
    try:
        channel = channels.engagement("t")
        assert bus.newest(channel) is None
        async with bus.subscribe(channel, latest_only=True) as mailbox:
            assert bus.newest(channel) is None
            bus.offer(channel, Event("metrics", {"likes": 1}, order=10.0))
            await bus.publish(channel, Event("metrics", {"likes": 3}, order=30.0))
            await bus.publish(
                channel, Event("metrics", {"likes": 2}, order=20.0)
            )  # committed earlier, published later
            await mailbox.get()
            newest = bus.newest(channel)
            assert newest is not None and newest.data == {"likes": 3}
            bus.offer(channel, Event("metrics", {"likes": 1}, order=10.0))
            newest = bus.newest(channel)
            assert newest is not None and newest.data == {"likes": 3}
        assert bus.newest(channel) is None  # the channel is gone, and its state with it
    finally:
        await bus.disconnect()
