"""Test clients: a GraphQL WebSocket client for both sub-protocols, and HTTP helpers."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any, Protocol

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
PROTOCOLS = [TRANSPORT_WS, LEGACY_WS]


class Closed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code} {reason!r}")
        self.code = code
        self.reason = reason


class Stream:
    """One operation's messages: `next()` gives the payload's data, errors raise."""

    def __init__(self, client: WsClient, op_id: str) -> None:
        self.client = client
        self.id = op_id
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def message(self, timeout: float = 3.0) -> dict[str, Any]:
        return await asyncio.wait_for(self.queue.get(), timeout)

    async def next(self, timeout: float = 3.0) -> Any:
        """The `data` of the next result; AssertionError on anything else."""
        message = await self.message(timeout)
        assert message["type"] in ("next", "data"), message
        payload = message["payload"]
        assert "errors" not in payload, payload
        return payload["data"][self.client.last_field[self.id]]

    async def silent_for(self, seconds: float) -> bool:
        try:
            message = await asyncio.wait_for(self.queue.get(), seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"expected silence, got {message}")

    async def complete(self) -> None:
        await self.client.complete(self.id)


class WsClient:
    """A GraphQL-over-WebSocket client speaking either sub-protocol. Every one opened is closed
    by the `_close_clients` fixture after the test."""

    OPEN: list[WsClient] = []

    def __init__(
        self,
        url: str,
        protocol: str = TRANSPORT_WS,
        headers: dict[str, str] | None = None,
        live: Callable[[], int] | None = None,
    ) -> None:
        self.url = url
        self.protocol = protocol
        self.headers = headers
        # How many subscriptions the server holds live (set up, waiting for events): with it,
        # `subscribe` returns once the server holds the new one, as a test that then causes an
        # event needs; a GraphQL client cannot know that moment.
        self.live = live
        self.ws: ClientConnection | None = None
        self.streams: dict[str, Stream] = {}
        self.control: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.last_field: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None
        self.closed: asyncio.Future[Closed] | None = None

    async def open(self) -> WsClient:
        self.ws = await connect(
            self.url,
            subprotocols=[Subprotocol(self.protocol)],
            max_size=2**24,
            additional_headers=self.headers,
        )
        WsClient.OPEN.append(self)
        self.closed = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())
        return self

    @property
    def is_closed(self) -> bool:
        """Whether the server (or the client) closed the socket."""
        return self.closed is not None and self.closed.done()

    async def _read(self) -> None:
        assert self.ws is not None and self.closed is not None
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if message.get("type") == "ka":
                    self.control.put_nowait(message)
                    continue
                op_id = message.get("id")
                if op_id is not None and op_id in self.streams:
                    self.streams[op_id].queue.put_nowait(message)
                else:
                    self.control.put_nowait(message)
        except ConnectionClosed:
            pass
        finally:
            if not self.closed.done():
                self.closed.set_result(Closed(self.ws.close_code, self.ws.close_reason or ""))

    async def send(self, message: dict[str, Any] | str | bytes) -> None:
        assert self.ws is not None
        await self.ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))

    async def init(self, token: str | None, expect_ack: bool = True) -> dict[str, Any] | None:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await self.send({"type": "connection_init", "payload": payload})
        if not expect_ack:
            return None
        ack = await asyncio.wait_for(self.control.get(), 3)
        assert ack == {"type": "connection_ack"}, ack
        if self.protocol == LEGACY_WS:
            ka = await asyncio.wait_for(self.control.get(), 3)
            assert ka == {"type": "ka"}
        return ack

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, op_id: str | None = None
    ) -> Stream:
        op_id = op_id or str(next(self._ids))
        stream = self.streams[op_id] = Stream(self, op_id)
        head = query.strip()
        if not head.startswith(("subscription", "query", "mutation", "{")):
            query = "subscription { " + query + " }"
        field = _root_field(query)
        self.last_field[op_id] = field
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        before = self.live() if self.live is not None else 0
        await self.send(
            {"type": kind, "id": op_id, "payload": {"query": query, "variables": variables or {}}}
        )
        if self.live is not None and query.lstrip().startswith("subscription"):
            deadline = asyncio.get_running_loop().time() + 5
            while self.live() <= before and stream.queue.empty():  # live, or answered (an error)
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"subscription {op_id} not live within 5 s")
                await asyncio.sleep(0.01)
        return stream

    async def complete(self, op_id: str) -> None:
        kind = "complete" if self.protocol == TRANSPORT_WS else "stop"
        await self.send({"type": kind, "id": op_id})

    async def wait_closed(self, timeout: float = 5.0) -> Closed:
        assert self.closed is not None
        return await asyncio.wait_for(asyncio.shield(self.closed), timeout)

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 2)
            except (TimeoutError, OSError):
                self.ws.transport.abort()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def abort(self) -> None:
        """Drop the TCP connection without a close handshake, as a vanished client does."""
        assert self.ws is not None
        self.ws.transport.abort()


def _root_field(query: str) -> str:
    body = query[query.index("{") + 1 :].strip()
    name = ""
    for ch in body:
        if ch.isalnum() or ch == "_":
            name += ch
        else:
            break
    return name


class Api:
    """HTTP GraphQL as one user."""

    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self.http = http
        self.token = token

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return response.json()  # type: ignore[no-any-return]

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.raw(query, variables)
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    async def post(self, content: str, reply_to: str | None = None) -> str:
        data = await self(
            "mutation($c: String!, $r: ID) { postTweet(content: $c, replyTo: $r) { id } }",
            {"c": content, "r": reply_to},
        )
        return data["postTweet"]["id"]  # type: ignore[no-any-return]


class ApiFactory(Protocol):
    """The `api` fixture: `api("alice")`, or `api("svc", role="service")` with more claims."""

    def __call__(self, user_id: str, **claims: Any) -> Api: ...
