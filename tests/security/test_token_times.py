"""Finding 7 (issue 11): `exp` as a string, or as an integer beyond float range, in a correctly
signed token was accepted over HTTP and crashed the WebSocket init (1011, a traceback).

`exp`, `nbf` and `iat` must be JSON numbers between 0 and the end of year 9999: anything else is
refused, 401 over HTTP and 4403 at `connection_init` on both sub-protocols, with nothing logged
above warning.
"""

from __future__ import annotations

import asyncio
import logging
import time

import jwt
import pytest

from ..clients import LEGACY_WS
from ..factories import SECRET
from .checks import CLIENT_LOGGERS

LATER = int(time.time()) + 3600
BAD_TIMES: dict[str, dict[str, object]] = {
    "exp as a string": {"exp": str(LATER)},
    "exp beyond float range": {"exp": 10**400},
    "exp beyond year 9999": {"exp": 10**13},
    "exp as a boolean": {"exp": True},
    "exp as a list": {"exp": [LATER]},
    "nbf as a string": {"nbf": "0", "exp": LATER},
    "iat as a string": {"iat": "0", "exp": LATER},
    "iat beyond float range": {"iat": -(10**400), "exp": LATER},
    "nbf negative": {"nbf": -5, "exp": LATER},
}


def signed(times: dict[str, object]) -> str:
    return jwt.encode({"sub": "mallory", **times}, SECRET, algorithm="HS256")


def no_server_trouble(caplog: pytest.LogCaptureFixture) -> None:
    loud = [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno > logging.WARNING and not r.name.startswith(CLIENT_LOGGERS)
    ]
    assert not loud, loud
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("case", BAD_TIMES)
async def test_a_bad_time_claim_is_401_over_http(http, case, caplog):
    response = await http.post(
        "/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"Authorization": f"Bearer {signed(BAD_TIMES[case])}"},
    )
    assert response.status_code == 401, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    no_server_trouble(caplog)


async def test_a_bad_time_claim_is_4403_at_init(ws_raw, protocol, caplog):
    for case, times in BAD_TIMES.items():
        client = await ws_raw()
        await client.init(signed(times), expect_ack=False)
        if protocol == LEGACY_WS:
            refused = await asyncio.wait_for(client.control.get(), 3)
            assert refused["type"] == "connection_error", (case, refused)
        closed = await client.wait_closed()
        assert closed.code == 4403, (case, closed)
        assert closed.reason.startswith("Forbidden"), (case, closed)
    no_server_trouble(caplog)


async def test_numeric_times_still_work(ws_raw, http):
    now = int(time.time())
    token = signed({"exp": now + 60.5, "nbf": now - 1, "iat": float(now - 1)})
    client = await ws_raw()
    await client.init(token)
    response = await http.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.json() == {"data": {"viewer": {"id": "mallory"}}}
