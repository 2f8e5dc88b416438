"""Finding 10 (issue 11): X-Forwarded-For is believed only from TIDINGS_TRUSTED_PROXIES (none by
default), by uvicorn and so by our per-address limits: a local client rotating the header cannot
escape them, even with uvicorn's FORWARDED_ALLOW_IPS set in the environment."""

from __future__ import annotations

import logging
import os

import pytest

from tidings.http.serving import uvicorn_options

from ..clients import WsClient
from ..conftest import eventually
from ..factories import make_settings, token


@pytest.fixture
def settings(tmp_path):
    os.environ["FORWARDED_ALLOW_IPS"] = "*"  # uvicorn's own switch: not ours to be steered by
    # Loopback is exempt from per-address limits by default; here it is a client like any other.
    return make_settings(tmp_path, max_connections_per_ip=2, connect_rate_per_ip=0, limit_exempt=[])


async def test_a_client_rotating_x_forwarded_for_stays_one_address(live_server, protocol):
    opened = []
    for i in range(3):
        client = await WsClient(
            live_server.ws_url, protocol, headers={"X-Forwarded-For": f"203.0.113.{i + 1}"}
        ).open()
        opened.append(client)
    assert (await opened[2].wait_closed()).code == 4431
    for client in opened[:2]:
        await client.init(token("rotator"))
        assert not client.is_closed
    assert dict(live_server.tidings.ws.limits.by_ip) == {"127.0.0.1": 2}


async def test_the_address_in_the_logs_is_the_peer_s(live_server, caplog):
    with caplog.at_level(logging.INFO, logger="tidings.ws"):
        client = await WsClient(live_server.ws_url, headers={"X-Forwarded-For": "198.51.100.7"}).open()
        await client.init(token("alice"))
        await eventually(lambda: any(r.getMessage() == "websocket opened" for r in caplog.records))
    [opened] = [r for r in caplog.records if r.getMessage() == "websocket opened"]
    assert opened.client.startswith("127.0.0.1:")


def test_uvicorn_believes_forwarded_headers_only_from_trusted_proxies(tmp_path):
    assert uvicorn_options(make_settings(tmp_path))["proxy_headers"] is False
    trusted = uvicorn_options(make_settings(tmp_path, trusted_proxies="10.0.0.0/8, 127.0.0.1"))
    assert (trusted["proxy_headers"], trusted["forwarded_allow_ips"]) == (True, ["10.0.0.0/8", "127.0.0.1"])


async def test_a_trusted_proxy_s_forwarded_address_is_counted(tmp_path):
    from ..conftest import LiveServer

    server = LiveServer(
        make_settings(
            tmp_path,
            max_connections_per_ip=1,
            connect_rate_per_ip=0,
            limit_exempt=[],
            trusted_proxies=["127.0.0.0/8"],
        )
    )
    server.start()
    try:
        first = await WsClient(server.ws_url, headers={"X-Forwarded-For": "203.0.113.1"}).open()
        second = await WsClient(server.ws_url, headers={"X-Forwarded-For": "203.0.113.2"}).open()
        again = await WsClient(server.ws_url, headers={"X-Forwarded-For": "203.0.113.1"}).open()
        assert (await again.wait_closed()).code == 4431
        assert not first.is_closed and not second.is_closed
        assert dict(server.tidings.ws.limits.by_ip) == {"203.0.113.1": 1, "203.0.113.2": 1}
    finally:
        server.stop()
