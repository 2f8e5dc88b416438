"""What the security tests check again and again: the error a stream or a request ended with,
and that the server logged nothing above debug while it was refusing bad input."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from ..clients import Stream

# The test's own clients log each request at INFO; only the server's records count.
CLIENT_LOGGERS = ("httpx", "httpcore", "websockets.client")


async def stream_error(stream: Stream, timeout: float = 5.0) -> dict[str, Any]:
    """The first error of an operation that must fail: from an `error` message, or from the
    `errors` of a `next`/`data` one. AssertionError when the operation gives data instead."""
    message = await stream.message(timeout)
    payload: Any = message.get("payload")
    if message["type"] == "error":
        error: dict[str, Any] = payload[0] if isinstance(payload, list) else payload
        return error
    assert message["type"] in ("next", "data"), message
    assert payload.get("errors"), f"expected an error, got {message}"
    first: dict[str, Any] = payload["errors"][0]
    return first


def code_of(error: dict[str, Any]) -> str | None:
    return (error.get("extensions") or {}).get("code")


def nothing_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    """AssertionError naming every record above DEBUG that `caplog` holds."""
    loud = [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno > logging.DEBUG and not r.name.startswith(CLIENT_LOGGERS)
    ]
    assert not loud, "\n".join(loud)
