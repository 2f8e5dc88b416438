"""GraphQL over one HTTP response: one operation's results, framed as Server-Sent Events
(`sse.py`) or as Apollo's multipart parts (`multipart.py`).

An `HttpStream` is the `Connection` its operation runs on (execution/operations.py), as a
WebSocket is for its operations: the same Mailboxes and buffer policies, shared execution, replay
and counts. A subclass only frames bytes. The stream ends when the operation does (`complete`, or
an error), when the client goes away, when its token expires, or when the server stops; whichever
comes first, the operation is released once (`settle`: a mutation under way still finishes).

`StreamServer` holds the open streams of this process: admission (the per-address and per-user
limits WebSockets count against, one stream being one connection), the heartbeat every
TIDINGS_STREAM_HEARTBEAT seconds, and shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from enum import Enum
from typing import Any, ClassVar

from graphql import OperationType
from starlette.types import Receive, Scope, Send

from ..config import Settings
from ..execution.engine import Engine, Prepared
from ..execution.operations import Operation
from ..execution.shared import SharedPayloads
from ..execution.stats import LiveStats
from ..resolvers import Context
from .admission import ConnectionLimits

log = logging.getLogger("tidings.stream")

OP_ID = "1"  # the one operation of a stream; the id never leaves the server
FINISH_GRACE = 1.0  # seconds the last bytes may wait for a client that reads nothing


class End(Enum):
    """Why a stream ended."""

    COMPLETE = "complete"  # the operation finished (its last frame is written)
    DISCONNECT = "disconnect"  # the client went away
    EXPIRED = "expired"  # the token's `exp` passed
    RESTART = "restart"  # the server is stopping


class HttpStream:
    """One operation over one HTTP response. Subclasses frame: `opening`, `next_prefix` and
    `suffix`, `completion`, `errors_frame`, `heartbeat`, `ending`, `closing`."""

    transport: ClassVar[str] = ""
    content_type: ClassVar[str] = ""
    suffix: ClassVar[str] = ""

    def __init__(
        self,
        server: StreamServer,
        context: Context,
        prepared: Prepared,
        variables: dict[str, Any] | None,
        op_name: str | None,
        admitted: tuple[str, str | None],
    ) -> None:
        self.server = server
        self.stats = server.stats
        self.context: Context | None = context
        self.ops: dict[str, Operation] = {}
        self.prepared = prepared
        self.variables = variables
        self.op_name = op_name
        self.host, self.user_id = admitted
        self.closed = False  # nothing more may be written
        self.completed = False  # the operation's last frame is written
        self.end: End | None = None
        self._send: Send | None = None
        self._stopped: asyncio.Future[None] | None = None
        self._beating: asyncio.Task[None] | None = None

    # framing (subclasses; none of it depends on the stream's state) ---------------------------

    @classmethod
    def opening(cls) -> str:
        return ""

    @classmethod
    def next_prefix(cls, op_id: str) -> str:
        raise NotImplementedError

    @classmethod
    def completion(cls) -> str:
        raise NotImplementedError

    @classmethod
    def errors_frame(cls, errors: list[dict[str, Any]]) -> str:
        """An operation's errors (it could not start, or it failed), ending it."""
        raise NotImplementedError

    @classmethod
    def heartbeat(cls) -> str:
        raise NotImplementedError

    @classmethod
    def ending(cls, end: End) -> str:
        """What the client reads when the server ends the stream (restart, token expiry)."""
        return ""

    @classmethod
    def closing(cls) -> str:
        return ""

    @classmethod
    def errors_body(cls, errors: list[dict[str, Any]]) -> bytes:
        """A whole response that only reports errors: a document that does not parse or
        validate, an unknown persisted query (the protocols report those in the stream)."""
        return (cls.opening() + cls.errors_frame(errors) + cls.closing()).encode()

    # the ASGI response ------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._send = send
        server, stats = self.server, self.stats
        self._stopped = asyncio.get_running_loop().create_future()
        subscription = self.prepared.operation is OperationType.SUBSCRIPTION
        server.streams.add(self)
        stats.open_by_transport[self.transport] += 1
        if subscription:
            stats.subscriptions_by_transport[self.transport] += 1
        opened = time.monotonic()
        expiry = self._expire_at_exp()
        watcher = asyncio.create_task(self._watch(receive))
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", self.content_type.encode()),
                        (b"cache-control", b"no-cache"),
                        (b"x-accel-buffering", b"no"),  # nginx: pass each frame on at once
                    ],
                }
            )
            await self._write(self.opening())
            if not server.accepting:  # shutdown began while this request was being read
                self.stop(End.RESTART)
            else:
                operation = Operation.create(self, OP_ID, self.prepared, self.variables, self.op_name)
                self.ops[OP_ID] = operation
                operation.start()
            await self._stopped
        finally:
            watcher.cancel()
            if expiry is not None:
                expiry.cancel()
            operations = list(self.ops.values())
            self.ops.clear()
            await asyncio.gather(*(op.settle() for op in operations), return_exceptions=True)
            if self._beating is not None:
                self._beating.cancel()
                await asyncio.gather(self._beating, return_exceptions=True)
            await self._finish()
            await asyncio.gather(watcher, return_exceptions=True)
            server.streams.discard(self)
            stats.open_by_transport[self.transport] -= 1
            if subscription:
                stats.subscriptions_by_transport[self.transport] -= 1
            server.limits.release_address(self.host)
            if self.user_id is not None:
                server.limits.release_user(self.user_id)
            log.debug(
                "%s stream ended: %s after %.3f s",
                self.transport,
                self.end.value if self.end else "?",
                time.monotonic() - opened,
            )

    async def _finish(self) -> None:
        if self.closed:
            return
        end = self.end
        text = self.ending(end) if end in (End.EXPIRED, End.RESTART) and not self.completed else ""
        self.closed = True
        # A client that reads nothing would hold this write (and a shutdown) forever: past the
        # grace, the response is left unfinished and uvicorn closes the connection.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._raw(text + self.closing(), more=False), FINISH_GRACE)

    async def _watch(self, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.closed = True
                self.stop(End.DISCONNECT)
                return

    def _expire_at_exp(self) -> asyncio.TimerHandle | None:
        claims = self.context.claims if self.context is not None else None
        if claims is None or claims.expires_at is None:
            return None
        delay = max(0.0, claims.expires_at - time.time())
        return asyncio.get_running_loop().call_later(delay, self.stop, End.EXPIRED)

    def stop(self, end: End) -> None:
        """End the stream (the first reason given is the one that counts)."""
        if self.end is None:
            self.end = end
        if self._stopped is not None and not self._stopped.done():
            self._stopped.set_result(None)

    # writing ----------------------------------------------------------------------------------

    async def _raw(self, text: str, more: bool = True) -> None:
        assert self._send is not None
        await self._send({"type": "http.response.body", "body": text.encode(), "more_body": more})

    async def _write(self, text: str) -> None:
        if self.closed or not text:
            return
        try:
            await self._raw(text)
        except Exception:  # the client went away mid-write
            self.closed = True
            self.stop(End.DISCONNECT)

    def beat(self) -> None:
        """Write a heartbeat, unless the last one is still waiting for a client that reads
        nothing (its frames would only pile up in our buffer)."""
        if self.closed or (self._beating is not None and not self._beating.done()):
            return
        self._beating = asyncio.create_task(self._write(self.heartbeat()))

    # the Connection protocol (execution/operations.py) ----------------------------------------

    async def send_result(self, prefix: str, payload: str) -> None:
        # Once per delivery: kept short.
        if self.closed:
            return
        self.stats.messages_delivered += 1
        self.stats.delivered_by_transport[self.transport] += 1
        try:
            await self._raw(prefix + payload + self.suffix)
        except Exception:  # the client went away mid-write: the watcher sees it too
            self.closed = True
            self.stop(End.DISCONNECT)

    async def send_next(self, op_id: str, payload: str) -> None:
        await self.send_result(self.next_prefix(op_id), payload)

    async def send_complete(self, op_id: str) -> None:
        await self._write(self.completion())
        self.completed = True
        self.stop(End.COMPLETE)

    async def send_errors(self, op_id: str, errors: list[dict[str, Any]]) -> None:
        await self._write(self.errors_frame(errors))
        self.completed = True
        self.stop(End.COMPLETE)


class StreamServer:
    """The open HTTP streams of this process, their admission, heartbeats and shutdown."""

    def __init__(
        self,
        engine: Engine,
        stats: LiveStats,
        settings: Settings,
        shared: SharedPayloads,
        limits: ConnectionLimits,
    ) -> None:
        self.engine = engine
        self.stats = stats
        self.settings = settings
        self.shared = shared  # the WebSocket endpoint's: one execution per event for every transport
        self.limits = limits  # likewise: a stream counts against the same per-address and per-user caps
        self.streams: set[HttpStream] = set()
        self.accepting = True
        self._heartbeat: asyncio.Task[None] | None = None

    def admit(self, host: str, user_id: str | None) -> str | None:
        """Count a new stream against its address's and its user's limits (the ones WebSockets
        count against, docs/PROTOCOL.md); the reason when it is refused (HTTP 429)."""
        if not self.accepting:
            return "The server is restarting; retry shortly."
        refusal = self.limits.admit_address(host)
        if refusal is not None:
            return refusal[1]
        if user_id is not None:
            reason = self.limits.admit_user(user_id)
            if reason is not None:
                self.limits.release_address(host)
                return reason
        return None

    def start(self) -> None:
        self._heartbeat = asyncio.create_task(self._beat_forever(), name="stream-heartbeat")

    async def _beat_forever(self) -> None:
        interval = self.settings.stream_heartbeat
        while True:
            await asyncio.sleep(interval)
            for stream in list(self.streams):
                stream.beat()

    def begin_shutdown(self) -> None:
        """Stop accepting and end every stream (SIGTERM): a subscription ends now, with the
        frame that says to reconnect; a query or mutation under way finishes first."""
        self.accepting = False
        for stream in list(self.streams):
            if stream.prepared.operation is OperationType.SUBSCRIPTION:
                stream.stop(End.RESTART)

    async def shutdown(self) -> None:
        self.begin_shutdown()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
