"""Which WebSocket layer serves /graphql: ours by default, uvicorn's on request or for
permessage-deflate (which ours does not offer). Every layer serves the same protocol."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ..clients import Api, WsClient
from ..conftest import LiveServer
from ..factories import make_settings, token

OURS = "tidings.transport.websocket"
SANSIO = "uvicorn.protocols.websockets.websockets_sansio_impl"


@pytest.mark.parametrize(
    ("overrides", "module", "extensions"),
    [
        ({}, OURS, None),
        ({"ws_impl": "websockets-sansio"}, SANSIO, None),
        ({"ws_per_message_deflate": True}, SANSIO, "permessage-deflate"),
    ],
    ids=["default", "websockets-sansio", "deflate"],
)
async def test_each_websocket_layer_serves_a_live_subscription(
    tmp_path: Any, overrides: dict[str, Any], module: str, extensions: str | None
) -> None:
    server = LiveServer(make_settings(tmp_path, **overrides))
    server.start()
    try:
        assert server.server.config.ws_protocol_class.__module__ == module
        async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as http:
            alice, bob = Api(http, token("alice")), Api(http, token("bob"))
            tweet_id = await alice.post("which layer?")
            client = await WsClient(server.ws_url, live=lambda: server.stats()["live"]).open()
            assert client.ws is not None and client.ws.response is not None
            offered_back = client.ws.response.headers.get("Sec-WebSocket-Extensions")
            assert (offered_back or "").split(";")[0] == (extensions or "")
            await client.init(token("carol"))
            stream = await client.subscribe(f'engagement(tweetId: "{tweet_id}") {{ likes }}')
            assert await stream.next() == {"likes": 0}
            await bob(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
            assert await stream.next() == {"likes": 1}
            await client.close()
    finally:
        server.stop()
