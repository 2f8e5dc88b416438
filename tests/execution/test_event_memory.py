"""A long-lived subscription holds the same memory after its 300th event as after its first.

graphql-core 3.3's per-event executor is a shallow copy of the subscription's executor, and
shares its memo of collected subfields, keyed by the identity of each execution's own field
lists: every event added an entry (with the lists and the collected fields) that nothing ever
removed, for as long as the subscription lived. A subscription that saw a like a second for a
day held ~86,000 of them."""

from __future__ import annotations

import asyncio
import gc

from graphql.execution.collect_fields import CollectedFields

from ..clients import WsClient
from ..factories import token

EVENTS = 300


def collected_fields() -> int:
    gc.collect()
    return sum(isinstance(o, CollectedFields) for o in gc.get_objects())


async def test_each_event_leaves_nothing_behind_in_its_subscription(live_server, api):
    tweet_id = await api("alice").post("popular")
    client = await WsClient(live_server.ws_url).open()
    await client.init(token("watcher"))
    # The subfields of `engagement` are collected anew on every event.
    stream = await client.subscribe(f'engagement(tweetId: "{tweet_id}") {{ tweetId likes }}')
    assert (await stream.next())["likes"] == 0
    fans = [api(f"fan{i}") for i in range(EVENTS + 1)]
    like = f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}'
    await fans[0](like)
    assert (await stream.next())["likes"] == 1
    before = collected_fields()
    for fan in fans[1:]:
        await fan(like)
        await asyncio.wait_for(stream.next(), 10)
    grown = collected_fields() - before
    # One event's worth may be alive at the moment of counting; not one per event.
    assert grown < 10, f"{EVENTS} events left {grown} CollectedFields behind"
