"""What both GraphQL WebSocket sub-protocols share: the receive loop, timers, authentication,
operations and sending.

Strict where the protocol is strict (a malformed frame closes with 4400 and a reason), and
careful with resources: every operation leaves through `finally`, and a subscription's generator
is closed whichever way it ends. Close codes: `closecodes.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

import orjson
from starlette.websockets import WebSocket

from ..auth import bearer
from ..config import Settings
from ..errors import AuthError
from ..execution.engine import Engine, Prepared, RequestError
from ..execution.operations import Operation
from ..execution.services import Services
from ..execution.shared import SharedPayloads, dumps
from ..execution.stats import LiveStats
from ..resolvers import Context
from . import closecodes as cc
from .admission import ConnectionLimits

log = logging.getLogger("tidings.ws")

MAX_REASON = 120


class Endpoint(Protocol):
    """What a connection needs of the endpoint that accepted it (endpoint.WsServer)."""

    services: Services
    engine: Engine
    stats: LiveStats
    settings: Settings
    shared: SharedPayloads
    limits: ConnectionLimits


class Connection:
    """What both sub-protocols share: the receive loop, timers, operations and sending."""

    protocol = ""
    next_type = "next"

    def __init__(self, server: Endpoint, websocket: WebSocket) -> None:
        self.server = server
        self.ws = websocket
        self._send = websocket._send
        self.stats = server.stats
        self.settings = server.settings
        self.ops: dict[str, Operation] = {}
        self.context: Context | None = None
        self.init_received = False
        self.closed = False
        self.opened_at = time.monotonic()
        self.close_code: int | None = None  # the code we sent, or the client's
        self.user_id: str | None = None  # counted against TIDINGS_MAX_CONNECTIONS_PER_USER
        self._init_timer: asyncio.TimerHandle | None = None
        self._expiry_timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[Any]] | None = None  # made on first use: most sockets need none
        # Operations the client completed whose release is still running: awaited, never cancelled.
        self._stopping: set[asyncio.Task[None]] = set()

    # lifecycle --------------------------------------------------------------------------------

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._init_timer = loop.call_later(self.settings.init_timeout, self._spawn, self.on_init_timeout)
        max_frame = self.settings.max_frame_bytes
        try:
            while not self.closed:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    self.close_code = self.close_code or message.get("code")
                    break
                text = message.get("text")
                if text is None:
                    await self.on_bad_frame("Binary frames are not supported; send JSON text")
                    continue
                if len(text) > max_frame and len(text.encode()) > max_frame:
                    await self.close(
                        cc.WS_1009_MESSAGE_TOO_BIG, f"Frame is over the limit of {max_frame} bytes"
                    )
                    break
                await self.on_text(text)
        finally:
            self.closed = True
            for timer in (self._init_timer, self._expiry_timer):
                if timer is not None:
                    timer.cancel()
            operations = list(self.ops.values())
            self.ops.clear()
            releases = [asyncio.ensure_future(op.settle()) for op in operations] + list(self._stopping)
            tasks = list(self._tasks or ())
            for task in tasks:
                task.cancel()
            # Timers and keep-alives are cancelled; releases are not: each runs to its end, so
            # every operation this socket started is released exactly once, however it closed.
            await asyncio.shield(asyncio.gather(*releases, *tasks, return_exceptions=True))

    async def close(self, code: int, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self.stats.close_codes[code] += 1
        with contextlib.suppress(Exception):
            await self.ws.close(code, reason[:MAX_REASON])

    def _spawn(self, factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
        if self.closed:
            return
        task = asyncio.create_task(factory())
        if self._tasks is None:
            self._tasks = set()
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def send_text(self, text: str) -> None:
        if self.closed:
            return
        try:
            # The ASGI send itself: Starlette's wrapper only re-checks state we track here.
            await self._send({"type": "websocket.send", "text": text})
        except Exception:  # the client went away mid-send: the receive loop will see it too
            self.closed = True

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.send_text(dumps(message))

    # authentication ---------------------------------------------------------------------------

    async def authenticate(self, payload: dict[str, Any] | None) -> Context:
        """The Context of a valid `connection_init` payload; AuthError otherwise."""
        header = (payload or {}).get("authorization") or (payload or {}).get("Authorization")
        token = bearer(header) if isinstance(header, str) else None
        if token is None:
            raise AuthError('Missing token: send {"authorization": "Bearer <token>"} in connection_init.')
        claims, viewer = await self.server.services.authenticate(token)
        if claims.expires_at is not None:
            delay = max(0.0, claims.expires_at - time.time())
            loop = asyncio.get_running_loop()
            self._expiry_timer = loop.call_later(delay, self._spawn, self.on_token_expired)
        return self.server.services.context(viewer, claims)

    def initialised(self, context: Context) -> None:
        self.context = context
        if self._init_timer is not None:
            self._init_timer.cancel()
            self._init_timer = None

    def admit_user(self, context: Context) -> str | None:
        """Count this socket against its user's limit; the reason when it is refused."""
        if context.viewer is None:
            return None
        refusal = self.server.limits.admit_user(context.viewer.id)
        if refusal is None:
            self.user_id = context.viewer.id
        return refusal

    def over_operation_limit(self) -> list[dict[str, Any]] | None:
        """The `error` payload for one more operation past TIDINGS_MAX_SUBSCRIPTIONS_PER_CONNECTION."""
        limit = self.settings.max_subscriptions_per_connection
        if not limit or len(self.ops) < limit:
            return None
        message = f"Too many operations on this connection (limit {limit}); complete one first."
        return [{"message": message, "extensions": {"code": "LIMIT_EXCEEDED", "limit": limit}}]

    async def on_token_expired(self) -> None:
        await self.close(cc.WS_4403_FORBIDDEN, "Forbidden: token expired")

    async def on_init_timeout(self) -> None:
        if self.context is None:
            await self.close(cc.WS_4408_INIT_TIMEOUT, "Connection initialisation timeout")

    # operations -------------------------------------------------------------------------------

    async def begin(self, op_id: str, parsed: OperationRequest) -> None:
        """What both sub-protocols do with a well-formed operation: the operations limit, its
        document (sent, or named by a persisted hash), parse and validate (errors for this id
        only), then start it."""
        over = self.over_operation_limit()
        if over is not None:
            return await self.send_errors(op_id, over)
        query, variables, op_name, extensions = parsed
        try:
            prepared = self.server.engine.prepare_request(query, op_name, extensions)
        except RequestError as exc:
            return await self.send_errors(op_id, exc.errors)
        self.start(op_id, prepared, variables, op_name)

    def start(
        self, op_id: str, prepared: Prepared, variables: dict[str, Any] | None, op_name: str | None
    ) -> None:
        operation = Operation.create(self, op_id, prepared, variables, op_name)
        self.ops[op_id] = operation
        operation.start()

    def stop(self, op_id: str) -> bool:
        """End an operation the client completed; False when there was none by that id."""
        operation = self.ops.pop(op_id, None)
        if operation is None:
            return False
        # Even on a socket already closing: an operation out of `ops` is released here or nowhere.
        task = asyncio.create_task(operation.aclose())
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)
        return True

    def next_prefix(self, op_id: str) -> str:
        """The start of every result frame of one operation: `{"id":...,"type":"next","payload":`."""
        return f'{{"id":{dumps(op_id)},"type":"{self.next_type}","payload":'

    async def send_next(self, op_id: str, payload: str) -> None:
        await self.send_result(self.next_prefix(op_id), payload)

    async def send_result(self, prefix: str, payload: str) -> None:
        # send_text inlined: this runs once per delivery.
        if self.closed:
            return
        self.stats.messages_delivered += 1
        try:
            await self._send({"type": "websocket.send", "text": prefix + payload + "}"})
        except Exception:  # the client went away mid-send: the receive loop will see it too
            self.closed = True

    async def send_complete(self, op_id: str) -> None:
        await self.send_json({"id": op_id, "type": "complete"})

    async def send_errors(self, op_id: str, errors: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    async def on_text(self, text: str) -> None:
        raise NotImplementedError

    async def on_bad_frame(self, reason: str) -> None:
        raise NotImplementedError


def decode_message(text: str) -> tuple[dict[str, Any] | None, str]:
    """The message as an object with a string `type`, or None and what is wrong with it."""
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None, "Invalid message: not JSON"
    if not isinstance(message, dict):
        return None, "Invalid message: expected a JSON object"
    if not isinstance(message.get("type"), str):
        return None, "Invalid message: 'type' must be a string"
    return message, ""


# query (None when a persisted hash names the document), variables, operationName, extensions
OperationRequest = tuple[str | None, dict[str, Any] | None, str | None, dict[str, Any] | None]


def operation_payload(message: dict[str, Any]) -> tuple[OperationRequest | None, str]:
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return None, "Invalid message: 'payload' must be an object"
    query = payload.get("query")
    persisted = isinstance(payload.get("extensions"), dict) and "persistedQuery" in payload["extensions"]
    if not isinstance(query, str) and not (query is None and persisted):
        return None, "Invalid message: 'payload.query' must be a string"
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return None, "Invalid message: 'payload.variables' must be an object"
    op_name = payload.get("operationName")
    if op_name is not None and not isinstance(op_name, str):
        return None, "Invalid message: 'payload.operationName' must be a string"
    extensions = payload.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        return None, "Invalid message: 'payload.extensions' must be an object"
    return (query, variables, op_name, extensions), ""


def valid_id(message: dict[str, Any]) -> str | None:
    op_id = message.get("id")
    return op_id if isinstance(op_id, str) and op_id and len(op_id) <= 128 else None
