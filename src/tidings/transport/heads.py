"""Request heads: how long they may take and how large they may be (docs/PROTOCOL.md, "Limits").

uvicorn reads every request head itself, a WebSocket handshake's too (it hands the socket to the
WebSocket protocol once the head is in), with no deadline before the first request and, on
httptools, no size limit: sockets that trickle a partial head are held for as long as the client
likes, outside every limit, and a 16 MB header is read whole. `HeadGuard` is uvicorn's httptools
protocol (`uvicorn_options`: `http=`) with three bounds:

- a head not complete within TIDINGS_HEADER_TIMEOUT seconds (from the connection's start, or from
  the first byte of a later request on a kept-alive connection) is dropped: the socket is aborted;
- a head over MAX_HEAD_BYTES (16 KiB) is answered 431 and the socket closed, before more is read;
- a request body not complete within TIDINGS_HEADER_TIMEOUT of its head is dropped likewise
  (a complete head and a trickled body were held for ever, outside every limit: slowloris one
  step later; a body the app answered without reading was waited for too);
- while its head or body is incomplete, a connection counts as one of its address's
  connections (`ConnectionLimits.open_head`): at most TIDINGS_MAX_CONNECTIONS_PER_IP at once,
  and they count against the WebSockets that address may open (4431).

It uses asyncio.Protocol's methods, the parser callbacks httptools documents (and uvicorn's
protocol implements): `on_message_begin`, `on_headers_complete`, `on_message_complete`, and the
protocol's `parser` (`should_upgrade`); no private attribute. A head is counted from the read it
starts in (the connection's first, or the first after a complete request); only a pipelined
request that begins in the same read as the end of the one before escapes the size count for
that one read. The app
hands it the timeout and the limits through the ASGI lifespan state, under `HEADS`
(http/app.py); without them (another app) it keeps DEFAULT_TIMEOUT and no address counts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import orjson
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.utils import get_remote_addr
from uvicorn.server import ServerState

from .admission import ConnectionLimits

log = logging.getLogger("tidings.heads")

HEADS = "tidings.heads"  # the lifespan-state key of the HeadPolicy
MAX_HEAD_BYTES = 16 * 1024
DEFAULT_TIMEOUT = 10.0
_END = b"\r\n\r\n"


@dataclass(frozen=True, slots=True)
class HeadPolicy:
    """What the app tells the guard: the head timeout, and the limits to count half-open
    connections in (None: not counted)."""

    timeout: float = DEFAULT_TIMEOUT
    limits: ConnectionLimits | None = None


def _too_large() -> bytes:
    body = orjson.dumps(
        {"errors": [{"message": f"Request head is over the limit of {MAX_HEAD_BYTES} bytes."}]}
    )
    head = (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
        b"content-type: application/json\r\n"
        b"content-length: %d\r\n"
        b"connection: close\r\n\r\n" % len(body)
    )
    return head + body


TOO_LARGE = _too_large()


class HeadGuard(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a deadline and a size limit on every request head, and
    half-open connections counted per address."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        policy = app_state.get(HEADS)
        self.policy = policy if isinstance(policy, HeadPolicy) else HeadPolicy()
        self.in_head = False
        self.between = False  # a request is complete: the next bytes start another head
        self.in_body = False  # the head is in, the body is still coming
        self.head_bytes = 0  # of the head being read, so far
        self.tail = b""  # its last 3 bytes: an end of head may straddle two reads
        self.head_timer: asyncio.TimerHandle | None = None
        self.counted: str | None = None  # the address this half-open connection is counted under
        self.peer = ""

    # asyncio.Protocol -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = get_remote_addr(transport)
        self.peer = address[0] if address else ""
        self.begin_head()

    def data_received(self, data: bytes) -> None:
        if self.between:  # the first bytes after a complete request: the next one's head
            self.between = False
            if not self.in_head:
                self.begin_head()
                if not self.in_head:  # refused: this address holds its limit of unfinished heads
                    return
        if self.in_head and self.grows_too_large(data):
            self.transport.write(TOO_LARGE)
            self.end_head()
            self.transport.close()
            return
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.end_head()
        super().connection_lost(exc)

    # httptools parser callbacks ---------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # a pipelined request, begun in the read that ended the one before
        if not self.in_head and not self.in_body:
            self.begin_head()

    def on_headers_complete(self) -> None:
        if self.parser.should_upgrade():  # a WebSocket handshake: no body, the socket moves on
            self.end_head()
        else:  # the body has its own deadline, and stays counted until it is in
            self.begin_body()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.end_head()
        super().on_message_complete()
        self.between = True

    # the head ---------------------------------------------------------------------------------

    def begin_head(self) -> None:
        if self.transport.is_closing():
            return
        limits = self.policy.limits
        if limits is not None and limits.counts_heads(self.peer):
            if not limits.open_head(self.peer):
                self.transport.abort()  # this address already holds its limit of unfinished heads
                return
            self.counted = self.peer
        self.in_head = True
        self.head_bytes = 0
        self.tail = b""
        self.head_timer = asyncio.get_running_loop().call_later(self.policy.timeout, self.head_timed_out)

    def begin_body(self) -> None:
        self.in_head = False
        self.in_body = True
        if self.head_timer is not None:
            self.head_timer.cancel()
        self.head_timer = asyncio.get_running_loop().call_later(self.policy.timeout, self.head_timed_out)

    def end_head(self) -> None:
        """The request is in (or the connection is gone): no deadline, no longer counted."""
        self.in_head = False
        self.in_body = False
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None
        if self.counted is not None and self.policy.limits is not None:
            self.policy.limits.close_head(self.counted)
        self.counted = None

    def grows_too_large(self, data: bytes) -> bool:
        """Count `data` into the head being read; True when the head passes MAX_HEAD_BYTES."""
        window = self.tail + data
        end = window.find(_END)
        if end >= 0:  # the head ends in this read: what follows is a body or the next request
            return self.head_bytes + end + len(_END) - len(self.tail) > MAX_HEAD_BYTES
        self.head_bytes += len(data)
        self.tail = window[-(len(_END) - 1) :]
        return self.head_bytes > MAX_HEAD_BYTES

    def head_timed_out(self) -> None:
        self.head_timer = None
        if self.in_head or self.in_body:
            what = "head" if self.in_head else "body"
            log.debug("dropped %s: no complete request %s within %g s", self.peer, what, self.policy.timeout)
            self.end_head()
            self.transport.abort()
