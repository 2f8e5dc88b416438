"""A client that stops reading its socket: the others keep receiving promptly, the server keeps
only what the field's policy allows (latest-only: one event; backlog: up to TIDINGS_BACKLOG_SIZE,
then the operation ends with a resubscribe error), and resubscribing with `after:` loses nothing."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from tidings.execution.operations import LiveSubscription

from ..clients import TRANSPORT_WS, Api, WsClient
from ..conftest import LiveServer, eventually
from ..factories import make_settings, token

BIG_NAME = "Typist " + "x" * 4000  # big frames fill the socket's buffers in a few hundred events
TYPING = "subscription($c: ID!) { typing(conversationId: $c) { isTyping user { displayName } } }"
NOTES = "subscription($a: String) { notifications(after: $a) { kind cursor notification { actor { id } } } }"


class StalledClient:
    """graphql-transport-ws over a raw socket whose reading the test controls: while it does not
    read, the server's writes back up, as with a client whose app froze."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.protocol = ClientProtocol(
            parse_uri(url), subprotocols=[Subprotocol(TRANSPORT_WS)], max_size=None
        )
        self.messages: list[dict[str, Any]] = []

    async def open(self) -> StalledClient:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        uri = parse_uri(self.url)
        await asyncio.get_running_loop().sock_connect(sock, (uri.host, uri.port))
        self.reader, self.writer = await asyncio.open_connection(sock=sock, limit=4096)
        self.protocol.send_request(self.protocol.connect())
        await self._flush()
        while not any(isinstance(e, Response) for e in await self._read()):
            pass
        return self

    async def _flush(self) -> None:
        self.writer.write(b"".join(self.protocol.data_to_send()))
        await self.writer.drain()

    async def _read(self) -> list[Any]:
        data = await self.reader.read(65536)
        if not data:
            raise ConnectionError("closed")
        self.protocol.receive_data(data)
        events = self.protocol.events_received()
        for event in events:
            if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self.messages.append(json.loads(bytes(event.data)))
        return events

    async def send(self, message: dict[str, Any]) -> None:
        self.protocol.send_text(json.dumps(message).encode())
        await self._flush()

    async def until(self, check: Callable[[list[Any]], bool], timeout: float = 10.0) -> None:
        """Read (again) until `check(messages)` holds."""
        deadline = time.monotonic() + timeout
        while not check(self.messages):
            await asyncio.wait_for(self._read(), max(0.01, deadline - time.monotonic()))

    def close(self) -> None:
        self.writer.transport.abort()


@pytest.fixture
def slow_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(make_settings(tmp_path, backlog_size=8, mutation_rate=0))
    server.start()
    yield server
    server.stop()


def shrink_buffers(server: LiveServer, user: str) -> None:
    """Small server-side buffers for `user`'s socket, so that it backs up after a few hundred
    kB rather than the several MB Linux would otherwise let through."""
    [conn] = [c for c in server.tidings.ws.connections if c.user_id == user]
    transport = conn._send.__self__.transport  # of the WebSocket protocol behind the ASGI send
    transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
    assert server.server.loop is not None
    server.server.loop.call_soon_threadsafe(lambda: transport.set_write_buffer_limits(high=16384))


def pending_of(server: LiveServer, user: str, field: str) -> int:
    """How many events wait in the Mailbox of `user`'s `field` subscription."""
    [conn] = [c for c in server.tidings.ws.connections if c.user_id == user]
    operation = next(op for op in conn.ops.values() if op.field == field)
    assert isinstance(operation, LiveSubscription) and operation.mailbox is not None
    return operation.mailbox.pending()


async def test_a_stalled_reader_costs_the_others_nothing_and_loses_nothing(slow_server):
    server = slow_server
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as http:
        typist = Api(http, token("typist", name=BIG_NAME))
        mentioner, other = Api(http, token("mentioner")), Api(http, token("other"))
        await other("{ viewer { id } }")
        thread = await other.post("the conversation they type in")
        stalled = await StalledClient(server.ws_url).open()
        await stalled.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {token('stalled')}"}}
        )
        await stalled.until(lambda ms: {"type": "connection_ack"} in ms)
        await stalled.send(
            {"type": "subscribe", "id": "t", "payload": {"query": TYPING, "variables": {"c": thread}}}
        )
        await stalled.send(
            {"type": "subscribe", "id": "n", "payload": {"query": NOTES, "variables": {"a": "0"}}}
        )
        watcher = await WsClient(server.ws_url).open()
        await watcher.init(token("watcher"))
        watching = await watcher.subscribe(TYPING, {"c": thread})
        others_notes = await watcher.subscribe(NOTES, {"a": "0"})  # watcher's own: stays silent
        await eventually(lambda: server.stats()["subscriptions"] == 4)
        shrink_buffers(server, "stalled")

        # The stalled client reads nothing from here on. Typing events (latest-only) back its socket up.
        coalesced = server.stats()["coalesced"]
        for i in range(400):
            await typist(
                f'mutation {{ setTyping(conversationId: "{thread}", isTyping: {str(i % 2 == 0).lower()}) }}'
            )
            # The others are still served, each event (a deadline, not a timing).
            assert (await watching.next(timeout=2))["isTyping"] == (i % 2 == 0)
            if server.stats()["coalesced"] > coalesced + 5:
                break
        else:
            raise AssertionError("the stalled socket never backed up")
        assert pending_of(server, "stalled", "typing") <= 1  # latest-only: one event kept

        # Notifications (backlog) pile up in its Mailbox, up to TIDINGS_BACKLOG_SIZE, then end it.
        overflowed = server.stats()["overflowed"]
        for i in range(12):
            await mentioner.post(f"@stalled number {i}")
            assert pending_of(server, "stalled", "notifications") <= 8
        await mentioner.post("@other you are served")
        assert await others_notes.silent_for(0.05)
        await eventually(lambda: server.stats()["overflowed"] == overflowed + 1)
        theirs = await other("{ notifications { kind } }")
        assert theirs == {"notifications": [{"kind": "MENTION"}]}

        # It reads again: the typing stream ends on the latest state, the notifications stream
        # with the resubscribe error; resubscribing after its last cursor brings the rest.
        await stalled.until(lambda ms: any(m.get("id") == "n" and m["type"] == "error" for m in ms))
        [error] = [m for m in stalled.messages if m.get("id") == "n" and m["type"] == "error"]
        assert error["payload"][0]["extensions"]["code"] == "RESUBSCRIBE"
        assert "resubscribe with `after:` your last cursor" in error["payload"][0]["message"]
        await typist(f'mutation {{ setTyping(conversationId: "{thread}", isTyping: true) }}')
        await stalled.until(
            lambda ms: ms[-1].get("id") == "t" and ms[-1]["payload"]["data"]["typing"]["isTyping"]
        )
        cursors = [
            int(m["payload"]["data"]["notifications"]["cursor"])
            for m in stalled.messages
            if m.get("id") == "n" and m["type"] == "next"
        ]
        last = cursors[-1] if cursors else 0
        await stalled.send(
            {"type": "subscribe", "id": "n2", "payload": {"query": NOTES, "variables": {"a": str(last)}}}
        )

        def resumed(ms: list[dict[str, Any]]) -> list[int]:
            return [int(m["payload"]["data"]["notifications"]["cursor"]) for m in ms if m.get("id") == "n2"]

        await stalled.until(lambda ms: len(cursors) + len(resumed(ms)) >= 12)
        everything = cursors + resumed(stalled.messages)
        assert everything == sorted(set(everything)) and len(everything) == 12  # each once, in order
        stalled.close()
        await eventually(lambda: server.stats()["subscriptions"] == 2)
