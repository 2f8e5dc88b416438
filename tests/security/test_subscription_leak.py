"""Finding 1 (issue 11): a socket that closes while its `complete`s are in flight releases every
operation it started, exactly once: subscriptions, live subscriptions and bus channels all return
to 0 with no connection open, round after round."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from ..clients import TRANSPORT_WS, ApiFactory, WsClient
from ..conftest import eventually
from ..factories import token

ROUNDS = 3
OPERATIONS = 3000


def _released(stats: dict[str, Any]) -> bool:
    return (stats["subscriptions"], stats["live"], stats["bus_channels"], stats["streams"]) == (0, 0, 0, 0)


async def _stats(api: ApiFactory) -> dict[str, Any]:
    data = await api("watcher")(
        "{ stats { connections subscriptions liveSubscriptions busChannels byField { field } } }"
    )
    stats: dict[str, Any] = data["stats"]
    return stats


async def test_closing_with_completes_in_flight_releases_every_operation(live_server, api, protocol):
    tweet_id = await api("alice").post("watched and unwatched")
    fields = [
        f'engagement(tweetId: "{tweet_id}") {{ likes }}',
        "notifications { kind }",
        "feed { id }",
        "trending { windowSeconds }",
    ]
    start, stop = ("subscribe", "complete") if protocol == TRANSPORT_WS else ("start", "stop")
    for _ in range(ROUNDS):
        client = await WsClient(live_server.ws_url, protocol).open()
        await client.init(token("watcher"))
        assert client.ws is not None
        frames = []
        for i in range(OPERATIONS):
            query = "subscription { " + fields[i % len(fields)] + " }"
            frames.append(json.dumps({"type": start, "id": str(i), "payload": {"query": query}}))
            frames.append(json.dumps({"type": stop, "id": str(i)}))
        for frame in frames:
            await client.ws.send(frame)
        client.abort()  # at once: most of those completes are still being handled
        await eventually(lambda: live_server.stats()["connections"] == 0, timeout=20)
        with contextlib.suppress(AssertionError):  # what is left after that is asserted below
            await eventually(lambda: _released(live_server.stats()), timeout=10)
    stats = await _stats(api)
    assert stats == {
        "connections": 0,
        "subscriptions": 0,
        "liveSubscriptions": 0,
        "busChannels": 0,
        "byField": [],
    }
    assert (live_server.stats()["streams"], live_server.stats()["mailboxes"]) == (0, 0)
