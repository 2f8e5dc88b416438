"""The supervised brokers: a lost listener is noticed, resubscribed and resynced; NOTIFY's limits."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from tidings.bus import RESYNC, BroadcastBus, Event, channels
from tidings.config import Settings
from tidings.errors import BrokerUnavailableError, ConfigError

from ..services import POSTGRES_BROKER, REDIS_URL, redis_command

pytestmark = pytest.mark.services  # the real Redis and PostgreSQL, never skipped


async def test_a_killed_redis_listener_is_noticed_resubscribed_and_every_subscriber_resynced():
    bus = BroadcastBus(REDIS_URL)
    await bus.connect()
    states: list[bool] = []
    assert bus.backend is not None
    bus.backend.on_state(lambda up, since: states.append(up))
    channel = channels.engagement(f"kill-{uuid.uuid4().hex}")
    try:
        async with bus.subscribe(channel) as mailbox:
            await bus.check()
            await redis_command("CLIENT", "KILL", "TYPE", "pubsub")  # what broadcaster#144 never notices
            resync = await asyncio.wait_for(mailbox.get(), 3)
            assert (resync.kind, states, bus.reconnects) == (RESYNC, [False, True], 1)
            await bus.check()
            await bus.publish(channel, Event("metrics", {"n": 1}))
            after = await asyncio.wait_for(mailbox.get(), 2)
            assert (after.kind, after.data) == ("metrics", {"n": 1})
    finally:
        await bus.disconnect()


async def test_a_redis_that_is_not_there_leaves_the_bus_unready_with_a_reason():
    bus = BroadcastBus("redis://127.0.0.1:1/0")
    await bus.connect()
    try:
        with pytest.raises(
            BrokerUnavailableError, match=r"redis://127.0.0.1:1/0 is unreachable since .*; reconnecting"
        ):
            await bus.check()
    finally:
        await bus.disconnect()


async def test_a_postgres_notify_payload_over_8000_bytes_arrives_whole():
    bus = BroadcastBus(POSTGRES_BROKER)
    await bus.connect()
    channel = channels.notifications(f"large-{uuid.uuid4().hex}")
    try:
        async with bus.subscribe(channel) as mailbox:
            small, large = Event("created", {"text": "x"}), Event("created", {"text": "y" * 20_000})
            await bus.publish(channel, large)
            await bus.publish(channel, small)
            got = [await asyncio.wait_for(mailbox.get(), 3) for _ in range(2)]
            assert [e.data for e in got] == [large.data, small.data]  # in order, whole
    finally:
        await bus.disconnect()


async def test_a_postgres_channel_longer_than_an_identifier_still_delivers():
    bus = BroadcastBus(POSTGRES_BROKER)
    await bus.connect()
    channel = channels.notifications("u" * 64 + uuid.uuid4().hex)
    try:
        async with bus.subscribe(channel) as mailbox:
            await bus.publish(channel, Event("created", {"n": 1}))
            assert (await asyncio.wait_for(mailbox.get(), 3)).data == {"n": 1}
    finally:
        await bus.disconnect()


def test_kafka_is_refused_saying_so_and_what_to_use_instead():
    refusal = (
        r"TIDINGS_BROKER_URL is 'kafka://127.0.0.1:9092'; expected redis://HOST:6379 .*Kafka is not supp"
    )
    with pytest.raises(ConfigError, match=refusal):
        BroadcastBus("kafka://127.0.0.1:9092")
    with pytest.raises(ConfigError, match=refusal):
        Settings.read(broker_url="kafka://127.0.0.1:9092")


async def test_a_stalled_event_loop_is_not_taken_for_a_lost_redis():
    """Seconds of CPU-bound work on the loop (5,000 sockets connecting or closing at once) let the
    read's timer fire before the PONG already waiting in the socket is read: the broker was called
    lost, every subscriber was told to resync, and a reconnect raced the shutdown (below)."""
    bus = BroadcastBus(REDIS_URL)
    await bus.connect()
    assert bus.backend is not None
    channel = channels.engagement(f"stall-{uuid.uuid4().hex}")
    try:
        async with bus.subscribe(channel) as mailbox:
            await bus.check()
            sessions = bus.backend.sessions
            for _ in range(2):
                await asyncio.sleep(0.6)  # a PING goes out after 0.5 s of silence
                time.sleep(2.5)  # the loop does nothing else for longer than DEAD_AFTER
                await asyncio.sleep(0)
            await asyncio.sleep(0.5)
            assert (bus.backend.sessions, bus.reconnects, bus.backend.up) == (sessions, 0, True)
            await bus.publish(channel, Event("metrics", {"n": 1}))
            event = await asyncio.wait_for(mailbox.get(), 2)
            assert (event.kind, event.data) == ("metrics", {"n": 1})  # no resync came before it
    finally:
        await bus.disconnect()


async def test_the_bus_closes_even_when_its_redis_session_is_ending_at_that_moment():
    """A session that ended (its connection lost) while the bus was closing swallowed the
    cancellation in its clean-up and reconnected: `disconnect` then waited forever, and a
    SIGTERM'd server never exited. Each round cuts the listener and closes the bus together."""
    for steps in range(8):  # the close lands 0-7 loop iterations after the loss is read
        bus = BroadcastBus(REDIS_URL)
        await bus.connect()
        assert bus.backend is not None
        async with bus.subscribe(channels.engagement(f"closing-{uuid.uuid4().hex}")):
            await bus.check()
        await redis_command("CLIENT", "KILL", "TYPE", "pubsub")
        time.sleep(0.05)  # the end of the listener's connection is waiting in its socket now
        for _ in range(steps):
            await asyncio.sleep(0)
        await asyncio.wait_for(bus.disconnect(), 10)
