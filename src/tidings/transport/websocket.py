"""Our WebSocket protocol for uvicorn (`ws="tidings.transport.websocket:WebSocketProtocol"`).

uvicorn hands an upgrade request to a WebSocket protocol class; the ones it ships build each
socket from a general-purpose library (`websockets`, `wsproto`): a parser generator chain,
request and response objects, an asyncio.Queue and an Event, a Frame object per message.
At thousands of idle subscribers that is most of a socket's memory, and at tens of thousands
of deliveries a second most of a delivery's CPU. This class speaks exactly what a GraphQL
subscription server needs of RFC 6455, in one object with slots: the opening handshake, masked
client frames (fragmented or not) in, unfragmented frames out, ping/pong with a keepalive
deadline, the closing handshake, and back-pressure both ways. It offers no permessage-deflate:
with TIDINGS_WS_PER_MESSAGE_DEFLATE=true the server runs on uvicorn's websockets-sansio instead
(serving.py). The frame codec is in `_frames.py`; tests/server/test_websocket.py speaks raw
bytes to it over a real socket.

To the app it is plain ASGI (`websocket.*` events, spec 2.4 without the denial-response
extension), so the app runs unchanged on any server.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast
from urllib.parse import unquote

from uvicorn.config import Config
from uvicorn.protocols.utils import ClientDisconnected, get_local_addr, get_remote_addr, is_ssl
from uvicorn.server import ServerState

from . import _frames as f

log = logging.getLogger("uvicorn.error")

CONNECTING, OPEN, CLOSING, CLOSED = 0, 1, 2, 3
CLOSE_TIMEOUT = 10.0  # how long we wait for the peer to answer our close frame
INBOX_HIGH = 8  # messages the app has not read yet before we stop reading the socket


class WebSocketProtocol(asyncio.Protocol):
    __slots__ = (
        "_buffer",
        "_disconnect",
        "_drained",
        "_partial",
        "_partial_opcode",
        "_inbox",
        "_key",
        "_ping_pending",
        "_read_paused",
        "_timer",
        "_waiter",
        "app_state",
        "config",
        "server_state",
        "state",
        "transport",
    )

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if not config.loaded:
            config.load()
        self.config = config
        self.server_state = server_state
        self.app_state = app_state
        self.transport: asyncio.Transport  # set by connection_made, which asyncio calls first
        self.state = CONNECTING
        self._buffer = bytearray()
        self._key: bytes | None = None  # the client's Sec-WebSocket-Key until we answer it
        self._inbox: list[dict[str, Any]] = []
        self._waiter: asyncio.Future[None] | None = None  # the app waiting in receive()
        self._disconnect: dict[str, Any] | None = None  # the app's disconnect event, once queued
        self._drained: asyncio.Future[None] | None = None  # set while the transport pushes back
        self._read_paused = False
        self._partial: bytearray | None = None  # a fragmented message so far
        self._partial_opcode = 0
        self._timer: asyncio.TimerHandle | None = None  # keepalive, or the closing deadline
        self._ping_pending = False

    # asyncio.Protocol -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # a stream protocol is given a Transport
        # uvicorn types the set as its own protocol classes; it only calls shutdown() on each.
        self.server_state.connections.add(self)  # type: ignore[arg-type]

    def connection_lost(self, exc: Exception | None) -> None:
        self.state = CLOSED
        self._cancel_timer()
        self.server_state.connections.discard(self)
        self._queue_disconnect(1006, "")
        self._release_writers()

    def data_received(self, data: bytes) -> None:
        if self.state == CLOSED:
            return
        buffer = self._buffer
        buffer += data
        if self.state == CONNECTING:
            if self._key is None:
                self._read_handshake()
            elif len(buffer) > self.config.ws_max_size and not self._read_paused:
                self._pause_reading()  # frames sent before we accepted: read them once we do
            return
        self._read_frames()

    def pause_writing(self) -> None:
        if self._drained is None:
            self._drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        self._release_writers()

    def shutdown(self) -> None:
        """uvicorn is stopping: 1012 (service restart) to an open socket, 503 to a pending one."""
        if self.state == CONNECTING and self._key is not None:
            self.transport.write(f.http_response(503, "Server shutting down"))
        elif self.state == OPEN:
            self.transport.write(f.close_frame(1012))
            self._queue_disconnect(1012, "")
        self._close_transport()

    # the opening handshake --------------------------------------------------------------------

    def _read_handshake(self) -> None:
        buffer = self._buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > f.MAX_HEADER_BYTES:
                self._refuse(400, "Request headers too large")
            return
        head = bytes(buffer[:end])
        del buffer[: end + 4]
        try:
            request = f.parse_request(head)
        except f.HandshakeError as exc:
            self._refuse(exc.status, exc.reason, exc.headers)
            return
        self._key = request.key
        scope = self._scope(request)
        self._put({"type": "websocket.connect"})
        task = asyncio.get_running_loop().create_task(self._run_asgi(scope))
        self.server_state.tasks.add(task)
        task.add_done_callback(self.server_state.tasks.discard)

    def _scope(self, request: f.Request) -> dict[str, Any]:
        path, _, query = request.target.partition(b"?")
        root = self.config.root_path
        return {
            "type": "websocket",
            "asgi": {"version": self.config.asgi_version, "spec_version": "2.4"},
            "http_version": "1.1",
            "scheme": "wss" if is_ssl(self.transport) else "ws",
            "server": get_local_addr(self.transport),
            "client": get_remote_addr(self.transport),
            "root_path": root,
            "path": root + unquote(path.decode("latin-1")),
            "raw_path": root.encode() + path,
            "query_string": query,
            "headers": request.headers,
            "subprotocols": request.subprotocols,
            "state": self.app_state.copy(),
            "extensions": {},
        }

    def _refuse(self, status: int, reason: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        self.transport.write(f.http_response(status, reason, headers))
        self._queue_disconnect(1006, "")
        self._close_transport()

    def _accept(self, subprotocol: str | None, extra: list[tuple[bytes, bytes]]) -> None:
        if self.state != CONNECTING:
            raise ClientDisconnected
        assert self._key is not None
        headers = list(self.server_state.default_headers) + [(name.lower(), value) for name, value in extra]
        self.transport.write(f.accept_response(self._key, subprotocol, headers))
        self.state = OPEN
        self._key = None
        self._start_keepalive()
        self._resume_reading()  # and read the frames sent before we accepted

    # frames in --------------------------------------------------------------------------------

    def _read_frames(self) -> None:
        buffer = self._buffer
        max_size = self.config.ws_max_size
        # Not while reading is paused: the app is behind, and what is buffered waits with the rest.
        while (self.state == OPEN or self.state == CLOSING) and not self._read_paused:
            try:
                partial = self._partial
                parsed = f.parse_frame(buffer, max_size, len(partial) if partial is not None else 0)
                if parsed is None:
                    return
                fin, opcode, payload, used = parsed
                del buffer[:used]
                self._on_frame(fin, opcode, payload)
            except f.ProtocolError as exc:
                self._fail(exc.code, exc.reason)
                return

    def _on_frame(self, fin: bool, opcode: int, payload: bytes) -> None:
        if opcode == f.TEXT or opcode == f.BINARY:
            if self._partial is not None:
                raise f.ProtocolError(1002, "Expected a continuation frame")
            if fin:
                self._on_message(opcode, payload)
            else:  # one growing buffer: however many fragments, at most ws_max_size bytes
                self._partial, self._partial_opcode = bytearray(payload), opcode
        elif opcode == f.CONT:
            partial = self._partial
            if partial is None:
                raise f.ProtocolError(1002, "Continuation frame without a message to continue")
            partial += payload  # parse_frame has checked the sum against ws_max_size
            if fin:
                self._partial = None
                self._on_message(self._partial_opcode, bytes(partial))
        elif opcode == f.PING:
            # Not while the peer leaves our writes unread: a ping flood would grow the buffer
            # without end (RFC 6455 5.5.3 lets us answer only the latest ping anyway).
            if self.state == OPEN and self._drained is None:
                self.transport.write(f.frame(f.PONG, payload))
        elif opcode == f.PONG:
            self._ping_pending = False
        else:
            self._on_close(payload)

    def _on_message(self, opcode: int, payload: bytes) -> None:
        if self.state != OPEN:
            return  # we already said goodbye: only the peer's close frame matters now
        if opcode == f.TEXT:
            try:
                self._put({"type": "websocket.receive", "text": payload.decode()})
            except UnicodeDecodeError:
                raise f.ProtocolError(1007, "Text message is not valid UTF-8") from None
        else:
            self._put({"type": "websocket.receive", "bytes": payload})

    def _on_close(self, payload: bytes) -> None:
        code, reason = f.parse_close(payload)
        if self.state == OPEN:  # the peer closes first: answer with its code, as RFC 6455 asks
            self._queue_disconnect(code, reason)
            self.transport.write(f.close_frame(code) if code != 1005 else f.frame(f.CLOSE, b""))
        self._close_transport()

    def _fail(self, code: int, reason: str) -> None:
        """The peer broke the protocol (or stopped answering pings): close with `code`, now."""
        if self.state == OPEN:
            self.transport.write(f.close_frame(code, reason))
            self._queue_disconnect(code, reason)
        self._close_transport()

    # keepalive --------------------------------------------------------------------------------

    def _start_keepalive(self) -> None:
        interval = self.config.ws_ping_interval
        if interval:
            self._timer = asyncio.get_running_loop().call_later(interval, self._send_ping)

    def _send_ping(self) -> None:
        """A ping every ws_ping_interval; no pong within ws_ping_timeout closes with 1011."""
        self._timer = None
        if self.state != OPEN:
            return
        self.transport.write(f.frame(f.PING, b""))
        loop = asyncio.get_running_loop()
        timeout = self.config.ws_ping_timeout
        if timeout is None:
            self._timer = loop.call_later(self.config.ws_ping_interval or 0.0, self._send_ping)
        else:
            self._ping_pending = True
            self._timer = loop.call_later(timeout, self._check_pong)

    def _check_pong(self) -> None:
        self._timer = None
        if self._ping_pending:
            self._fail(1011, "Keepalive ping timeout")
            return
        rest = (self.config.ws_ping_interval or 0.0) - (self.config.ws_ping_timeout or 0.0)
        self._timer = asyncio.get_running_loop().call_later(max(0.0, rest), self._send_ping)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # the app's side (ASGI) --------------------------------------------------------------------

    async def _run_asgi(self, scope: dict[str, Any]) -> None:
        try:
            await self.config.loaded_app(scope, self.receive, self.send)
        except ClientDisconnected:
            pass
        except Exception:
            log.exception("Exception in ASGI application")
            if self.state == OPEN:
                self._fail(1011, "Internal error")
        else:
            if self.state == CONNECTING:
                log.error("ASGI callable returned without accepting or closing the WebSocket")
        finally:  # also when the task is cancelled
            if self.state == CONNECTING:
                self._refuse(500, "Internal Server Error")
            elif self.state == OPEN:  # the app returned without closing: close normally for it
                self._close(1000, "")

    async def receive(self) -> dict[str, Any]:
        if self._waiter is not None:
            raise RuntimeError("receive() is already being awaited on this WebSocket")
        inbox = self._inbox
        while not inbox:
            if self._disconnect is not None:
                return self._disconnect  # asked again after the end: the same answer, not a hang
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        message = inbox.pop(0)
        if self._read_paused and not inbox and self.state == OPEN:
            self._resume_reading()
        return message

    async def send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "websocket.send" and self.state == OPEN:
            while self._drained is not None:
                await asyncio.shield(self._drained)
            if self.state != OPEN:
                raise ClientDisconnected
            text = message.get("text")
            if text is not None:
                self.transport.write(f.frame(f.TEXT, text.encode()))
            elif message.get("bytes") is not None:
                self.transport.write(f.frame(f.BINARY, message["bytes"]))
            else:
                raise RuntimeError("'websocket.send' needs 'text' or 'bytes'")
        elif self.state == CONNECTING and self._key is not None:
            if kind == "websocket.accept":
                self._accept(message.get("subprotocol"), list(message.get("headers") or []))
            elif kind == "websocket.close":  # refused before the handshake completed
                self._refuse(403, "Forbidden")
            else:
                raise RuntimeError(f"Expected 'websocket.accept' or 'websocket.close', got {kind!r}")
        elif kind == "websocket.close" and self.state == OPEN:
            code = int(message.get("code") or 1000)
            if not f.sendable(code):
                raise RuntimeError(f"{code} is not a close code a WebSocket may send")
            self._close(code, message.get("reason") or "")
        elif self.state == CLOSED or self.state == CONNECTING:
            raise ClientDisconnected
        elif kind in ("websocket.send", "websocket.close"):
            raise RuntimeError(f"Unexpected {kind!r} after sending 'websocket.close'")
        else:
            raise RuntimeError(f"Expected 'websocket.send' or 'websocket.close', got {kind!r}")

    def _close(self, code: int, reason: str) -> None:
        """The app closes: send our close frame, then wait for the peer's (at most CLOSE_TIMEOUT)."""
        self.transport.write(f.close_frame(code, reason))
        self.state = CLOSING
        self._queue_disconnect(code, reason)
        self._cancel_timer()
        self._timer = asyncio.get_running_loop().call_later(CLOSE_TIMEOUT, self._close_transport, True)
        self._resume_reading()  # the peer's close frame may be behind what the app left unread

    # plumbing ---------------------------------------------------------------------------------

    def _put(self, message: dict[str, Any]) -> None:
        self._inbox.append(message)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if len(self._inbox) >= INBOX_HIGH and not self._read_paused and self.state == OPEN:
            self._pause_reading()

    def _queue_disconnect(self, code: int, reason: str) -> None:
        if self._disconnect is None:
            self._disconnect = {"type": "websocket.disconnect", "code": code, "reason": reason}
            self._put(self._disconnect)

    def _close_transport(self, abort: bool = False) -> None:
        self.state = CLOSED
        self._cancel_timer()
        if abort or self._drained is not None:
            # A peer that reads nothing would hold a closing socket open with our unsent bytes,
            # and connection_lost (which ends the app's wait) would never come.
            self.transport.abort()
        else:
            self.transport.close()
        self._release_writers()  # a send() waiting for room now sees the socket closed

    def _release_writers(self) -> None:
        """Wake every send() waiting for the transport to take more."""
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def _pause_reading(self) -> None:
        self._read_paused = True
        self.transport.pause_reading()

    def _resume_reading(self) -> None:
        """Read the socket again (if paused), and parse what is already buffered."""
        if self._read_paused:
            self._read_paused = False
            self.transport.resume_reading()
        self._read_frames()
