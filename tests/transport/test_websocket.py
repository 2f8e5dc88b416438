"""Our WebSocket protocol (transport/websocket.py) under a real uvicorn, spoken to in raw bytes.

The app behind it is a small ASGI echo, so what is tested is the protocol alone: the opening
handshake and its refusals, fragmented and pipelined frames, ping/pong and the keepalive
deadline, the closing handshake both ways, and every frame RFC 6455 says to refuse. Client
frames are built by the `websockets` library (an independent implementation), not by ours.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from websockets.frames import Frame, Opcode

from tidings.transport import _frames
from tidings.transport.websocket import INBOX_HIGH

from ..conftest import eventually, free_port

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Echoes text and bytes; 'close:<code>' closes with that code; path /refuse closes before
    accepting, /crash raises before accepting, /leave returns right after accepting."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    assert (await receive())["type"] == "websocket.connect"
    if scope["path"] == "/refuse":
        await send({"type": "websocket.close", "code": 1008})
        return
    if scope["path"] == "/crash":
        raise RuntimeError("the app failed")
    offered = scope["subprotocols"]
    await send({"type": "websocket.accept", "subprotocol": offered[0] if offered else None})
    if scope["path"] == "/leave":
        return
    if scope["path"] == "/slow":  # reads nothing for a while, then counts messages up to "end"
        await asyncio.sleep(1.0)
        count = 0
        while (message := await receive()).get("text") != "end":
            count += 1
        await send({"type": "websocket.send", "text": str(count)})
        return
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is not None and text.startswith("close:"):
            await send({"type": "websocket.close", "code": int(text[6:]), "reason": "as asked"})
            continue
        if text == "scope":
            await send({"type": "websocket.send", "text": repr(sorted(scope["headers"])) + scope["path"]})
            continue
        await send({"type": "websocket.send", "text": text, "bytes": message.get("bytes")})


class EchoServer:
    """uvicorn on our protocol in a thread, serving `app` (the echo app unless told)."""

    def __init__(self, app: Any = echo_app, **options: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            ws="tidings.transport.websocket:WebSocketProtocol",
            log_level="warning",
            lifespan="on",
            **options,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoServer]:
    server = EchoServer(ws_max_size=1024)
    yield server
    server.stop()


def client_frame(opcode: Opcode, data: bytes, fin: bool = True) -> bytes:
    return Frame(opcode, data, fin=fin).serialize(mask=True, extensions=[])


def with_rsv1(frame: bytes) -> bytes:
    return bytes((frame[0] | 0x40,)) + frame[1:]


OPEN_CLIENTS: list[Raw] = []


@pytest.fixture(autouse=True)
def _close_raw_clients() -> Iterator[None]:
    yield
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()


def protocols(server: EchoServer) -> list[Any]:
    return list(server.server.server_state.connections)


class Raw:
    """A TCP client that sends whatever bytes a test gives it and reads the server's frames."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> Raw:
        raw = cls(*await asyncio.open_connection("127.0.0.1", port))
        OPEN_CLIENTS.append(raw)
        return raw

    async def request(
        self,
        path: str = "/",
        *,
        key: bytes | None = None,
        version: str = "13",
        extra: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> bytes:
        """Send an upgrade request (plus `extra` bytes right behind it); the response's head."""
        key = key if key is not None else base64.b64encode(os.urandom(16))
        lines = [f"GET {path} HTTP/1.1", "Host: test", "Upgrade: websocket", "Connection: Upgrade"]
        lines += [f"Sec-WebSocket-Key: {key.decode()}", f"Sec-WebSocket-Version: {version}"]
        lines += [f"{name.replace('_', '-')}: {value}" for name, value in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + extra)
        return await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 5)

    async def open(self, path: str = "/", **headers: str) -> dict[str, str]:
        """Complete the opening handshake; the response headers (names lower-cased)."""
        key = base64.b64encode(os.urandom(16))
        head = await self.request(path, key=key, headers=headers)
        assert head.startswith(b"HTTP/1.1 101 "), head
        answer = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in head.decode().split("\r\n")[1:] if line)
        }
        assert answer["sec-websocket-accept"] == base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        return answer

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def frame(self, timeout: float = 5.0) -> tuple[int, bytes]:
        """The next frame from the server: (opcode, payload). Server frames are never masked."""
        head = await asyncio.wait_for(self.reader.readexactly(2), timeout)
        assert head[0] & 0x80, "the server sends final frames only"
        assert not head[1] & 0x80, "a server must not mask"
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", await self.reader.readexactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", await self.reader.readexactly(8))[0]
        return head[0] & 0x0F, await self.reader.readexactly(length)

    async def closed_with(self, timeout: float = 5.0) -> tuple[int, str]:
        """Read until the close frame; its code and reason. Then the server ends the TCP connection."""
        while True:
            opcode, payload = await self.frame(timeout)
            if opcode == Opcode.CLOSE:
                break
        assert await asyncio.wait_for(self.reader.read(), timeout) == b"", (
            "the server closes TCP after its close frame"
        )
        code = struct.unpack("!H", payload[:2])[0] if payload else 1005
        return code, payload[2:].decode()

    def close(self) -> None:
        self.writer.transport.abort()


async def opened(echo: EchoServer, **headers: str) -> Raw:
    raw = await Raw.connect(echo.port)
    await raw.open(**headers)
    return raw


# the opening handshake ------------------------------------------------------------------------


async def test_the_handshake_answers_the_key_and_the_chosen_subprotocol(echo: EchoServer) -> None:
    raw = await Raw.connect(echo.port)
    answer = await raw.open(Sec_WebSocket_Protocol="graphql-transport-ws, graphql-ws")
    assert answer["sec-websocket-protocol"] == "graphql-transport-ws"
    assert answer["upgrade"] == "websocket"
    raw.send(client_frame(Opcode.TEXT, b"scope"))
    opcode, payload = await raw.frame()
    assert opcode == Opcode.TEXT
    assert b"(b'sec-websocket-protocol', b'graphql-transport-ws, graphql-ws')" in payload  # names lower-cased
    assert payload.endswith(b"/")
    raw.close()


@pytest.mark.parametrize(
    ("request_args", "status"),
    [
        ({"version": "8"}, b"426"),
        ({"key": b"not-base64!"}, b"400"),
        ({"key": base64.b64encode(b"short")}, b"400"),
    ],
)
async def test_a_bad_handshake_is_refused_with_an_http_status(
    echo: EchoServer, request_args: dict[str, Any], status: bytes
) -> None:
    raw = await Raw.connect(echo.port)
    head = await raw.request(**request_args)
    assert head.split(b" ")[1] == status, head
    if status == b"426":
        assert b"\r\nsec-websocket-version: 13\r\n" in head
    assert await asyncio.wait_for(raw.reader.read(), 5)  # a plain-text reason, then the end
    assert raw.reader.at_eof()


async def test_an_app_that_closes_before_accepting_gives_403_and_one_that_crashes_500(
    echo: EchoServer,
) -> None:
    for path, status in (("/refuse", b"403"), ("/crash", b"500")):
        raw = await Raw.connect(echo.port)
        head = await raw.request(path)
        assert head.split(b" ")[1] == status, head
        raw.close()


async def test_frames_arriving_a_byte_at_a_time_are_read_whole(echo: EchoServer) -> None:
    raw = await opened(echo)
    for byte in client_frame(Opcode.TEXT, b"x" * 300):  # a 16-bit length, split everywhere
        raw.send(bytes((byte,)))
        await raw.writer.drain()
    assert await raw.frame() == (Opcode.TEXT, b"x" * 300)


# frames -------------------------------------------------------------------------------------


async def test_text_and_binary_messages_echo_at_every_length_form(echo: EchoServer) -> None:
    raw = await opened(echo)
    for size in (0, 125, 126, 1000):
        raw.send(client_frame(Opcode.TEXT, b"t" * size))
        assert await raw.frame() == (Opcode.TEXT, b"t" * size)
    raw.send(client_frame(Opcode.BINARY, bytes(range(200))))
    assert await raw.frame() == (Opcode.BINARY, bytes(range(200)))
    raw.close()


async def test_a_fragmented_message_is_reassembled_with_pings_between_fragments(echo: EchoServer) -> None:
    raw = await opened(echo)
    raw.send(client_frame(Opcode.TEXT, "héllo, ".encode()[:2], fin=False))  # splits the é across frames
    raw.send(client_frame(Opcode.PING, b"mid"))
    raw.send(client_frame(Opcode.CONT, "héllo, ".encode()[2:], fin=False))
    raw.send(client_frame(Opcode.CONT, b"world"))
    assert await raw.frame() == (Opcode.PONG, b"mid")
    assert await raw.frame() == (Opcode.TEXT, "héllo, world".encode())
    raw.close()


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        ([bytes((0x81, 0x02)) + b"hi"], 1002),  # not masked
        ([with_rsv1(client_frame(Opcode.TEXT, b"x"))], 1002),  # reserved bit, nothing negotiated
        ([client_frame(Opcode.CONT, b"x")], 1002),  # continuation of nothing
        ([client_frame(Opcode.TEXT, b"a", fin=False), client_frame(Opcode.TEXT, b"b")], 1002),
        ([bytes((0x89, 0xFE, 0x00, 0x7E)) + os.urandom(4) + b"p" * 126], 1002),  # control frame too long
        ([bytes((0x83, 0x80)) + os.urandom(4)], 1002),  # unknown opcode
        ([client_frame(Opcode.TEXT, b"\xff\xfe")], 1007),  # not UTF-8
        ([client_frame(Opcode.CLOSE, struct.pack("!H", 1005))], 1002),  # a code no peer may send
        ([client_frame(Opcode.TEXT, b"a" * 600, fin=False), client_frame(Opcode.CONT, b"b" * 600)], 1009),
    ],
)
async def test_a_frame_that_breaks_rfc_6455_closes_with_its_code(
    echo: EchoServer, frames: list[bytes], code: int
) -> None:
    raw = await opened(echo)
    for data in frames:
        raw.send(data)
    assert (await raw.closed_with())[0] == code


async def test_an_oversized_frame_is_refused_from_its_header_without_reading_its_body(
    echo: EchoServer,
) -> None:
    raw = await opened(echo)
    raw.send(bytes((0x81, 0xFF)) + struct.pack("!Q", 2**40) + os.urandom(4))  # a terabyte, announced
    assert await raw.closed_with() == (1009, "Frame is over the limit of 1024 bytes")


# closing ------------------------------------------------------------------------------------


async def test_a_client_close_is_answered_with_its_code_and_the_connection_ends(echo: EchoServer) -> None:
    raw = await opened(echo)
    raw.send(client_frame(Opcode.CLOSE, struct.pack("!H", 4000) + b"bye"))
    assert await raw.closed_with() == (4000, "")


async def test_an_app_close_sends_its_code_and_reason_and_waits_for_the_answer(echo: EchoServer) -> None:
    raw = await opened(echo)
    raw.send(client_frame(Opcode.TEXT, b"close:4403"))
    opcode, payload = await raw.frame()
    assert (opcode, payload) == (Opcode.CLOSE, struct.pack("!H", 4403) + b"as asked")
    raw.send(client_frame(Opcode.TEXT, b"ignored now"))  # after our close, data is dropped
    raw.send(client_frame(Opcode.CLOSE, struct.pack("!H", 4403)))
    assert await asyncio.wait_for(raw.reader.read(), 5) == b""


async def test_an_app_that_returns_without_closing_closes_normally(echo: EchoServer) -> None:
    raw = await Raw.connect(echo.port)
    await raw.open("/leave")
    opcode, payload = await raw.frame()
    assert (opcode, payload[:2]) == (Opcode.CLOSE, struct.pack("!H", 1000))


async def test_a_vanished_client_ends_the_app_with_1006() -> None:
    seen: list[dict[str, Any]] = []
    done = threading.Event()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await echo_app(scope, receive, send)
            return
        await receive()
        await send({"type": "websocket.accept"})
        seen.append(await receive())
        done.set()

    server = EchoServer(app)
    try:
        raw = await Raw.connect(server.port)
        await raw.open()
        raw.writer.transport.abort()
        assert await asyncio.to_thread(done.wait, 5)
        assert seen == [{"type": "websocket.disconnect", "code": 1006, "reason": ""}]
    finally:
        await asyncio.to_thread(server.stop)


async def test_a_client_that_stops_answering_pings_is_closed_with_1011() -> None:
    server = EchoServer(ws_ping_interval=0.2, ws_ping_timeout=0.3)
    try:
        raw = await opened(server)
        assert await raw.frame() == (Opcode.PING, b"")
        raw.send(client_frame(Opcode.PONG, b""))  # answered: the socket stays
        assert await raw.frame() == (Opcode.PING, b"")  # the next ping; this one goes unanswered
        assert await raw.closed_with() == (1011, "Keepalive ping timeout")
    finally:
        server.stop()


async def test_shutdown_closes_open_sockets_with_1012() -> None:
    server = EchoServer()
    raw = await opened(server)
    await asyncio.to_thread(server.stop)
    assert (await raw.closed_with())[0] == 1012


def test_the_socket_tests_ran_on_our_protocol(echo: EchoServer) -> None:
    # Guards the fixture: uvicorn must have loaded our class, not fallen back to its own.
    assert echo.server.config.ws_protocol_class.__module__ == "tidings.transport.websocket"


# what a hostile or stalled peer cannot do ---------------------------------------------------------


def stalled_socket(port: int) -> socket.socket:
    """An opened WebSocket whose receive buffer is tiny and never read."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16))
    sock.sendall(
        b"GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101 ")
    sock.settimeout(0.2)
    return sock


async def test_a_peer_that_reads_nothing_is_dropped_whole_when_its_pings_go_unanswered() -> None:
    server = EchoServer(ws_ping_interval=0.3, ws_ping_timeout=0.3, ws_max_size=1 << 20)
    sock = stalled_socket(server.port)
    try:
        with contextlib.suppress(TimeoutError, OSError):
            for _ in range(400):  # echoes back up until the server's sends wait for room
                sock.sendall(client_frame(Opcode.BINARY, b"x" * 60000))
        # No pong ever comes: the socket is aborted, the app's blocked send ends, nothing stays.
        await eventually(lambda: not protocols(server) and not server.server.server_state.tasks, timeout=5)
    finally:
        sock.close()
        await asyncio.to_thread(server.stop)
    assert not server.thread.is_alive(), "uvicorn stopped"


async def test_a_ping_flood_from_a_peer_that_reads_nothing_does_not_grow_our_buffer(echo: EchoServer) -> None:
    sock = stalled_socket(echo.port)
    try:
        with contextlib.suppress(TimeoutError, OSError):
            sock.sendall(client_frame(Opcode.PING, b"p" * 125) * 50000)  # 6.5 MB of pings
        await asyncio.sleep(0.5)
        [protocol] = protocols(echo)
        assert protocol.transport.get_write_buffer_size() < 256 * 1024
    finally:
        sock.close()


async def test_empty_continuation_frames_cost_nothing_and_the_message_arrives(echo: EchoServer) -> None:
    raw = await opened(echo)
    raw.send(client_frame(Opcode.TEXT, b"a", fin=False) + client_frame(Opcode.CONT, b"", fin=False) * 100_000)
    raw.send(client_frame(Opcode.CONT, b"b"))
    assert await raw.frame() == (Opcode.TEXT, b"ab")


async def test_an_app_that_reads_slowly_stops_our_reading_and_loses_nothing(echo: EchoServer) -> None:
    raw = await Raw.connect(echo.port)
    await raw.open("/slow")
    raw.send(client_frame(Opcode.TEXT, b"") * 20_000 + client_frame(Opcode.TEXT, b"end"))
    await asyncio.sleep(0.5)  # the app is not reading yet
    [protocol] = [p for p in protocols(echo) if p._read_paused]
    assert len(protocol._inbox) <= INBOX_HIGH
    assert await raw.frame() == (Opcode.TEXT, b"20000")


def test_a_long_close_reason_is_cut_on_a_character_boundary() -> None:
    reason = "a" + "€" * 63  # 190 bytes: 1 + 40 euro signs fit in 123, the 41st would not
    frame = _frames.close_frame(4409, reason)
    assert frame[1] == 2 + 121  # unmasked, the body's length
    assert frame[4:].decode() == reason[:41]


def test_headers_that_would_split_the_response_are_refused() -> None:
    with pytest.raises(ValueError, match="line break"):
        _frames.accept_response(b"k", None, [(b"x-evil", b"1\r\nSet-Cookie: a=b")])
