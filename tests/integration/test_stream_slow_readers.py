"""A client that stops reading its SSE or multipart stream hurts only itself, as on WebSocket
(test_slow_consumers.py): the others are served, its latest-only streams keep one event, its
backlog streams end with the resubscribe error past TIDINGS_BACKLOG_SIZE, and resubscribing with
`after:` loses nothing."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ..clients import Api
from ..conftest import LiveServer, eventually
from ..factories import make_settings, token
from ..streams import MULTIPART_ACCEPT, SSE_ACCEPT, StreamClient

BIG_NAME = "Typist " + "x" * 4000  # big frames fill the socket's buffers in a few hundred events
TYPING = "subscription($c: ID!) { typing(conversationId: $c) { isTyping user { displayName } } }"
# Twenty copies of a 280-character tweet in each frame: the stream backs up in a few events.
COPIES = " ".join(f"c{i}: content" for i in range(20))
NOTES = (
    "subscription($a: String) { notifications(after: $a) { kind cursor "
    f"notification {{ actor {{ id }} tweet {{ {COPIES} }} }} }} }}"
)


class StalledStream:
    """One stream over a raw socket whose reading the test controls."""

    def __init__(self, server: LiveServer, kind: str) -> None:
        self.server = server
        self.kind = kind
        self.raw = b""

    async def open(self, user: str, query: str, variables: dict[str, Any] | None = None) -> StalledStream:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", self.server.port))
        self.reader, self.writer = await asyncio.open_connection(sock=sock, limit=4096)
        self.local_port = sock.getsockname()[1]
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        accept = SSE_ACCEPT if self.kind == "sse" else MULTIPART_ACCEPT
        head = (
            f"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
            f"accept: {accept}\r\nauthorization: Bearer {token(user)}\r\ncontent-length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        return self

    def shrink_server_buffers(self) -> None:
        """Small server-side buffers for this socket, so that it backs up after a few hundred kB
        rather than the several MB Linux would otherwise let through."""
        [transport] = [
            c.transport
            for c in self.server.server.server_state.connections
            if getattr(c, "client", None) and c.client[1] == self.local_port  # type: ignore[union-attr,index]
        ]
        transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
        assert self.server.server.loop is not None
        self.server.server.loop.call_soon_threadsafe(lambda: transport.set_write_buffer_limits(high=16384))

    async def read_until(
        self, check: Callable[[list[tuple[str, Any]]], bool], timeout: float = 10.0
    ) -> list[tuple[str, Any]]:
        """Read again, until `check(messages)` holds; the messages so far."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not check(messages := self.messages()):
            left = max(0.01, deadline - asyncio.get_running_loop().time())
            chunk = await asyncio.wait_for(self.reader.read(65536), left)
            if not chunk:
                return self.messages()
            self.raw += chunk
        return messages

    def messages(self) -> list[tuple[str, Any]]:
        """("next", result), ("errors", errors) and ("complete", None), from the body so far."""
        _, _, body = self.raw.partition(b"\r\n\r\n")
        text = dechunk(body).decode(errors="replace")
        found: list[tuple[str, Any]] = []
        if self.kind == "sse":
            for block in text.split("\n\n")[:-1]:
                lines = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
                if lines.get("event") == "next":
                    result = json.loads(lines["data"])
                    found.append(("errors", result["errors"]) if "errors" in result else ("next", result))
                elif block.startswith("event: complete"):
                    found.append(("complete", None))
        else:
            for part in text.split("\r\n--graphql")[1:-1]:
                result = json.loads(part.split("\r\n\r\n", 1)[1]).get("payload")
                if result is not None:
                    found.append(("errors", result["errors"]) if "errors" in result else ("next", result))
            if text.endswith("\r\n--graphql--\r\n"):
                found.append(("complete", None))
        return found

    def close(self) -> None:
        self.writer.transport.abort()


def dechunk(body: bytes) -> bytes:
    """The content of a chunked body, as far as it has arrived."""
    out = b""
    while True:
        size_line, sep, rest = body.partition(b"\r\n")
        if not sep:
            return out
        size = int(size_line, 16)
        if size == 0 or len(rest) < size:
            return out + rest[:size] if size else out
        out += rest[:size]
        body = rest[size + 2 :]


STALLED: list[StalledStream] = []


@pytest.fixture
def slow_server(tmp_path):
    server = LiveServer(make_settings(tmp_path, backlog_size=8, mutation_rate=0))
    server.start()
    yield server
    while STALLED:
        STALLED.pop().close()
    server.stop()


def op_of(server: LiveServer, user: str, field: str) -> Any:
    return next(
        s.ops["1"]
        for s in server.tidings.streams.streams
        if s.user_id == user and s.prepared.root_field == field
    )


@pytest.mark.parametrize("kind", ["sse", "multipart"])
async def test_a_stalled_stream_reader_costs_the_others_nothing_and_loses_nothing(slow_server, kind):
    server = slow_server
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as http:
        typist = Api(http, token("typist", name=BIG_NAME))
        mentioner, other = Api(http, token("mentioner")), Api(http, token("other"))
        thread = await other.post("the conversation they type in")
        typing = await StalledStream(server, kind).open("stalled", TYPING, {"c": thread})
        notes = await StalledStream(server, kind).open("stalled", NOTES, {"a": "0"})
        STALLED.extend((typing, notes))
        live = lambda: server.stats()["live"]  # noqa: E731
        watcher = StreamClient(server.http_url, kind, token("watcher"))
        watching = await watcher.open(TYPING, {"c": thread}, live=live)
        others = await StreamClient(server.http_url, kind, token("other")).open(NOTES, {"a": "0"}, live=live)
        await eventually(lambda: server.stats()["live"] == 4)
        typing.shrink_server_buffers()
        notes.shrink_server_buffers()

        # The stalled client reads nothing from here on. Typing events (latest-only) back its stream up.
        coalesced = server.stats()["coalesced"]
        for i in range(400):
            await typist(
                f'mutation {{ setTyping(conversationId: "{thread}", isTyping: {str(i % 2 == 0).lower()}) }}'
            )
            assert (await watching.next(timeout=5))["isTyping"] == (i % 2 == 0)  # the others are served
            if server.stats()["coalesced"] > coalesced + 5:
                break
        else:
            raise AssertionError("the stalled stream never backed up")
        assert op_of(server, "stalled", "typing").mailbox.pending() <= 1  # latest-only: one event kept

        # Notifications (backlog) pile up in its Mailbox, up to TIDINGS_BACKLOG_SIZE, then end it.
        overflowed = server.stats()["overflowed"]
        posted = 0
        while server.stats()["overflowed"] == overflowed:
            assert posted < 60, "the stalled notifications stream never overflowed"
            await mentioner.post(f"@stalled {posted:03} " + "y" * 266)
            posted += 1
            for stream in server.tidings.streams.streams:
                if (
                    stream.user_id == "stalled"
                    and stream.prepared.root_field == "notifications"
                    and stream.ops
                ):
                    assert stream.ops["1"].mailbox.pending() <= 8
        await mentioner.post("@other you are served " + "z" * 250)
        assert (await others.next())["notification"]["actor"]["id"] == "mentioner"

        # It reads again: typing ends on the latest state; notifications with the resubscribe error
        # (then the stream ends); resubscribing after its last cursor brings the rest.
        got = await notes.read_until(lambda ms: ("complete", None) in ms)
        assert got[-1] == ("complete", None)
        kind_, errors = got[-2]
        assert kind_ == "errors" and errors[0]["extensions"]["code"] == "RESUBSCRIBE"
        await typist(f'mutation {{ setTyping(conversationId: "{thread}", isTyping: true) }}')
        await typing.read_until(
            lambda ms: bool(ms) and ms[-1][0] == "next" and bool(ms[-1][1]["data"]["typing"]["isTyping"])
        )
        cursors = [int(r["data"]["notifications"]["cursor"]) for k, r in got if k == "next"]
        resumed = await StreamClient(server.http_url, kind, token("stalled")).open(
            NOTES, {"a": str(cursors[-1] if cursors else 0)}
        )
        rest = [int((await resumed.next())["cursor"]) for _ in range(posted - len(cursors))]
        everything = cursors + rest
        assert everything == sorted(set(everything)) and len(everything) == posted  # each once, in order
        assert await resumed.silent_for(0.1)
        typing.close()
        notes.close()
        await eventually(lambda: server.stats()["subscriptions"] == 3)
