"""RFC 6455 for a server: the opening handshake and the frames, as pure functions.

`websocket.py` drives these over a transport. Nothing here does I/O, so the tests feed bytes in
and read bytes out (tests/server/test_frames.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HEADER_BYTES = 16 * 1024

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
DATA_OPCODES = frozenset({CONT, TEXT, BINARY})
CONTROL_OPCODES = frozenset({CLOSE, PING, PONG})

# Close codes a peer may send (RFC 6455 7.4.1, and 3000-4999 for libraries and applications).
_SENDABLE = frozenset({1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014})


class ProtocolError(Exception):
    """The peer broke RFC 6455; close with `code` and say `reason`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class HandshakeError(Exception):
    """An opening handshake we refuse with an HTTP `status` (and extra headers)."""

    def __init__(self, status: int, reason: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers


@dataclass(frozen=True, slots=True)
class Request:
    target: bytes
    headers: list[tuple[bytes, bytes]]  # names lower-cased, as ASGI wants them
    key: bytes
    subprotocols: list[str]


def _tokens(value: bytes) -> set[bytes]:
    return {token.strip().lower() for token in value.split(b",")}


def parse_request(head: bytes) -> Request:
    """The upgrade request of `head` (up to and without the blank line); HandshakeError if it is
    not a WebSocket opening handshake we can accept."""
    lines = head.split(b"\r\n")
    try:
        method, target, version = lines[0].split(b" ")
    except ValueError:
        raise HandshakeError(400, "Malformed request line") from None
    if version != b"HTTP/1.1":
        raise HandshakeError(400, "HTTP/1.1 required")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise HandshakeError(400, "Malformed header line")
        headers.append((name.lower(), value.strip()))
    if not any(name == b"host" for name, _ in headers):
        raise HandshakeError(400, "Missing Host header")
    if method != b"GET":
        raise HandshakeError(405, "A WebSocket handshake is a GET", ((b"allow", b"GET"),))
    values: dict[bytes, list[bytes]] = {}
    for name, value in headers:
        values.setdefault(name, []).append(value)
    if b"websocket" not in _tokens(b",".join(values.get(b"upgrade", []))):
        raise HandshakeError(400, "Missing 'Upgrade: websocket'")
    if b"upgrade" not in _tokens(b",".join(values.get(b"connection", []))):
        raise HandshakeError(400, "Missing 'Connection: Upgrade'")
    if values.get(b"sec-websocket-version") != [b"13"]:
        raise HandshakeError(426, "Unsupported WebSocket version", ((b"sec-websocket-version", b"13"),))
    keys = values.get(b"sec-websocket-key", [])
    try:
        valid_key = len(keys) == 1 and len(base64.b64decode(keys[0], validate=True)) == 16
    except binascii.Error:
        valid_key = False
    if not valid_key:
        raise HandshakeError(400, "Missing or invalid Sec-WebSocket-Key")
    subprotocols = [
        token.strip().decode("latin-1")
        for value in values.get(b"sec-websocket-protocol", [])
        for token in value.split(b",")
        if token.strip()
    ]
    return Request(target, headers, keys[0], subprotocols)


def accept_response(key: bytes, subprotocol: str | None, headers: list[tuple[bytes, bytes]]) -> bytes:
    """The 101 response. ValueError for a header the app gave that would split the response."""
    for name, value in headers:
        if any(c in name or c in value for c in (b"\r", b"\n")):
            raise ValueError(f"Header {name!r} holds a line break")
    if subprotocol and ("\r" in subprotocol or "\n" in subprotocol or "," in subprotocol):
        raise ValueError(f"Invalid subprotocol {subprotocol!r}")
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    lines = [b"HTTP/1.1 101 Switching Protocols", b"Upgrade: websocket", b"Connection: Upgrade"]
    lines.append(b"Sec-WebSocket-Accept: " + accept)
    if subprotocol:
        lines.append(b"Sec-WebSocket-Protocol: " + subprotocol.encode("latin-1"))
    lines.extend(name + b": " + value for name, value in headers)
    return b"\r\n".join(lines) + b"\r\n\r\n"


PHRASES = {
    400: "Bad Request",
    403: "Forbidden",
    405: "Method Not Allowed",
    426: "Upgrade Required",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def http_response(status: int, body: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> bytes:
    """A plain-text HTTP response that ends the connection: a refused handshake."""
    payload = body.encode()
    lines = [f"HTTP/1.1 {status} {PHRASES.get(status, '')}".encode()]
    lines.extend(name + b": " + value for name, value in headers)
    lines += [
        b"Content-Type: text/plain; charset=utf-8",
        b"Content-Length: %d" % len(payload),
        b"Connection: close",
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + payload


def frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, final frame (a server never masks)."""
    length = len(payload)
    if length < 126:
        return bytes((0x80 | opcode, length)) + payload
    if length < 0x10000:
        return struct.pack("!BBH", 0x80 | opcode, 126, length) + payload
    return struct.pack("!BBQ", 0x80 | opcode, 127, length) + payload


def sendable(code: int) -> bool:
    """Whether a close frame may carry `code` (RFC 6455 7.4)."""
    return code in _SENDABLE or 3000 <= code <= 4999


def close_frame(code: int, reason: str = "") -> bytes:
    # A close frame's body is at most 125 bytes: the 2-byte code and 123 of reason, cut on a
    # character boundary (a reason that is not UTF-8 makes the peer fail the connection).
    data = reason.encode()
    if len(data) > 123:
        data = data[:123].decode(errors="ignore").encode()
    return frame(CLOSE, struct.pack("!H", code) + data)


def unmask(data: bytes | bytearray, mask: bytes | bytearray) -> bytes:
    length = len(data)
    if not length:
        return b""
    key = int.from_bytes((bytes(mask) * (length // 4 + 1))[:length], "little")
    return (int.from_bytes(data, "little") ^ key).to_bytes(length, "little")


def parse_frame(buffer: bytearray, max_size: int, so_far: int = 0) -> tuple[bool, int, bytes, int] | None:
    """The first whole frame in `buffer` as (fin, opcode, payload, bytes used); None until it has
    arrived whole. ProtocolError as soon as its header shows it is wrong, or that its message
    (`so_far` bytes of it already read) would pass `max_size`: an oversized frame is refused
    before it is buffered."""
    if len(buffer) < 2:
        return None
    first, second = buffer[0], buffer[1]
    fin, opcode, length, start = bool(first & 0x80), first & 0x0F, second & 0x7F, 2
    if first & 0x70:
        raise ProtocolError(1002, "Reserved bits set: no extension was negotiated")
    if opcode not in DATA_OPCODES and opcode not in CONTROL_OPCODES:
        raise ProtocolError(1002, f"Unknown opcode {opcode}")
    if not second & 0x80:
        raise ProtocolError(1002, "Client frames must be masked")
    if opcode in CONTROL_OPCODES and (not fin or length > 125):
        raise ProtocolError(1002, "Control frames must be final and at most 125 bytes")
    if length == 126:
        if len(buffer) < 4:
            return None
        length, start = int.from_bytes(buffer[2:4], "big"), 4
    elif length == 127:
        if len(buffer) < 10:
            return None
        length, start = int.from_bytes(buffer[2:10], "big"), 10
        if length >> 63:
            raise ProtocolError(1002, "Frame length has its most significant bit set")
    if opcode not in CONTROL_OPCODES and so_far + length > max_size:
        what = "Message" if so_far else "Frame"
        raise ProtocolError(1009, f"{what} is over the limit of {max_size} bytes")
    end = start + 4 + length
    if len(buffer) < end:
        return None
    return fin, opcode, unmask(buffer[start + 4 : end], buffer[start : start + 4]), end


def parse_close(payload: bytes) -> tuple[int, str]:
    """The code and reason of a close frame's body; 1005 (no code) for an empty body."""
    if not payload:
        return 1005, ""
    if len(payload) == 1:
        raise ProtocolError(1002, "Close frame with a 1-byte body")
    code = int.from_bytes(payload[:2], "big")
    if not sendable(code):
        raise ProtocolError(1002, f"Invalid close code {code}")
    try:
        reason = payload[2:].decode()
    except UnicodeDecodeError:
        raise ProtocolError(1007, "Close reason is not UTF-8") from None
    return code, reason
