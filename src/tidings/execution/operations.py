"""Operations on one socket: a subscription driven by its Mailbox, or a single query/mutation.

A subscription has no Task of its own while it waits. Its generator parks at a `yield`; when
the Hub puts an event in its Mailbox, `on_ready` resumes the generator eagerly (`_eager.py`),
executes the value (once per sharing key, `shared.py`; a viewer-scoped selection is rendered
once and hydrated per viewer, `hydrate.py`) and writes the frame, in the Hub's fan-out
callback, outside every task. Only when something must really wait (a store read, a socket that pushes
back) does that step continue in a Task. Whichever way an operation ends (its generator
finishes or fails, the client completes it, the socket closes), it is released exactly once: the
generator closed, its Mailbox gone from the Hub, and the counts returned. A release, once begun,
runs in a Task of its own that nobody cancels, so a socket that closes while its `complete`s are
still being handled cannot stop one halfway (issue 11, finding 1).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Any, Protocol

from graphql import OperationType

from .. import logs
from ..bus.mailbox import Mailbox, mailbox_observer
from ..resolvers import Context
from ._eager import Eager
from .engine import Engine, Prepared, RequestError, Subscription, error_of
from .scope import Sharing
from .shared import SharedPayloads, dumps, key_tail
from .stats import LiveStats

log = logging.getLogger("tidings.ws")


class Runtime(Protocol):
    """What operations share across connections: the engine and the shared payloads."""

    @property
    def engine(self) -> Engine: ...

    @property
    def shared(self) -> SharedPayloads: ...


class Connection(Protocol):
    """The connection an operation runs on, whatever its transport: where results go."""

    ops: dict[str, Operation]
    context: Context | None

    @property
    def stats(self) -> LiveStats: ...

    @property
    def server(self) -> Runtime: ...

    def next_prefix(self, op_id: str) -> str: ...

    async def send_result(self, prefix: str, payload: str) -> None: ...

    async def send_next(self, op_id: str, payload: str) -> None: ...

    async def send_complete(self, op_id: str) -> None: ...

    async def send_errors(self, op_id: str, errors: list[dict[str, Any]]) -> None: ...


class Operation:
    """What the socket starts for one `subscribe`/`start` id."""

    def __init__(
        self,
        conn: Connection,
        op_id: str,
        prepared: Prepared,
        variables: dict[str, Any] | None,
        op_name: str | None,
    ) -> None:
        self.conn = conn
        self.id = op_id
        self.prepared = prepared
        # Only the variables the operation declares: execution ignores the others, and an
        # operation holds its variables for life (a subscription's also in its sharing key), so
        # 60 kB of unused ones on each of 100 subscriptions of a socket held ~14 MB.
        self.variables = _declared(prepared, variables)
        self.op_name = op_name
        self.field = prepared.root_field or "?"
        self.ended = False

    @staticmethod
    def create(
        conn: Connection,
        op_id: str,
        prepared: Prepared,
        variables: dict[str, Any] | None,
        op_name: str | None,
    ) -> Operation:
        cls = LiveSubscription if prepared.operation is OperationType.SUBSCRIPTION else SingleResult
        return cls(conn, op_id, prepared, variables, op_name)

    def start(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Stop the operation (the client completed it, or the socket closed); sends nothing."""
        raise NotImplementedError

    async def settle(self) -> None:
        """The socket closed: `aclose`, except that a mutation already running finishes first."""
        await self.aclose()

    def _forget(self) -> None:
        if self.conn.ops.get(self.id) is self:
            del self.conn.ops[self.id]


class SingleResult(Operation):
    """A query or mutation over the socket: one `next`, then `complete`."""

    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        logs.operation_id.set(self.id)
        conn = self.conn
        try:
            response = await conn.server.engine.execute(
                self.prepared, conn.context, self.variables, self.op_name
            )
            await conn.send_next(self.id, dumps(response))
            await conn.send_complete(self.id)
        finally:
            self.ended = True
            self._forget()

    async def aclose(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def settle(self) -> None:
        # What a client sent is done or not done, never half done: its change commits and is
        # published even though the result goes nowhere (SIGTERM waits for this, ws.py).
        task = self._task
        if task is not None and self.prepared.operation is OperationType.MUTATION:
            await asyncio.gather(asyncio.shield(task), return_exceptions=True)
        await self.aclose()


class LiveSubscription(Operation):
    """A subscription: the first value as soon as the generator gives it, then one per event."""

    mailbox: Mailbox | None = None
    live = False  # waiting on its Mailbox: every later event reaches it
    _sub: Subscription | None = None
    _step: Eager | None = None
    _closing: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.conn.stats.by_field[self.field] += 1
        # The operation's own context (as a Task has): the observer stays set in it, so every
        # Mailbox its generator opens is seen, whenever it opens it.
        token = mailbox_observer.set(self._observe)
        try:
            context = contextvars.copy_context()
        finally:
            mailbox_observer.reset(token)
        self._step = step = Eager(self._run(), self._stepped, self._cheap, context)
        step.start()

    def _cheap(self, future: asyncio.Future[Any]) -> bool:
        if self.mailbox is None or future is not self.mailbox.waiter:
            return False
        if not self.live:  # first wait on its Mailbox: set up, snapshot sent, now live
            self.live = True
            self.conn.stats.live += 1
        return True

    def _observe(self, mailbox: Mailbox) -> None:
        if self.mailbox is None:
            self.mailbox = mailbox
            mailbox.on_ready = self._on_ready

    def _on_ready(self, waiter: asyncio.Future[None]) -> bool:
        step = self._step
        return step is not None and step.resume_with(waiter)

    async def _run(self) -> None:
        conn = self.conn
        logs.operation_id.set(self.id)
        assert conn.context is not None
        try:
            self._sub = sub = await conn.server.engine.subscribe(
                self.prepared, conn.context, self.variables, self.op_name
            )
        except RequestError as exc:
            await self._end(errors=exc.errors)
            return
        conn.stats.streams += 1
        viewer = conn.context.viewer
        sharing = conn.server.engine.sharing(self.prepared, self.variables)
        tail = key_tail(
            self.prepared.key, self.variables, self.op_name, sharing, viewer.id if viewer else None
        )
        hydrated = sharing is Sharing.HYDRATED
        context = conn.context
        shared = conn.server.shared
        send_result = conn.send_result
        prefix = conn.next_prefix(self.id)
        async for value in sub.stream:
            key = (id(value), *tail)
            if hydrated:  # rendered once per key, this viewer's own fields resolved here
                await send_result(prefix, await shared.hydrated(key, value, sub.render, sub.execute, context))
                continue
            payload = shared.get(key)
            if payload is None:
                payload = dumps(await sub.execute(value))
                shared.put(key, value, payload)
            await send_result(prefix, payload)
        await self._end(errors=None)

    def _stepped(self, error: BaseException | None) -> None:
        self._step = None
        if error is None or self.ended:
            return
        if isinstance(error, asyncio.CancelledError):
            self._spawn_end(errors=None, quiet=True)
        else:
            self._spawn_end(errors=[error_of(error)])

    def _spawn_end(self, errors: list[dict[str, Any]] | None, quiet: bool = False) -> None:
        Eager(self._end(errors=errors, quiet=quiet), _ignore, _never).start()

    async def _end(self, errors: list[dict[str, Any]] | None, quiet: bool = False) -> None:
        """The generator finished (or never started): tell the client, release everything."""
        if self.ended:
            return
        self.ended = True
        self._forget()
        await self._release()
        if quiet:
            return
        if errors is None:
            await self.conn.send_complete(self.id)
        else:
            await self.conn.send_errors(self.id, errors)

    async def aclose(self) -> None:
        closing = self._closing
        if closing is None:
            if self.ended:  # it ended by itself: `_end` releases it
                return
            self.ended = True
            self._forget()
            closing = self._closing = asyncio.create_task(self._close())
        # Shielded: a caller cancelled while waiting (the socket's handler, at close) leaves the
        # release to finish on its own instead of stopping it between cancel and release.
        await asyncio.shield(closing)

    async def _close(self) -> None:
        step = self._step
        if step is not None:
            step.cancel()
            await step.wait()
        await self._release()

    async def _release(self) -> None:
        stats = self.conn.stats
        sub, self._sub = self._sub, None
        try:
            if sub is not None:
                try:
                    await sub.aclose()
                finally:
                    stats.streams -= 1
        finally:
            stats.by_field[self.field] -= 1
            if self.live:
                self.live = False
                stats.live -= 1
            if self.mailbox is not None:
                self.mailbox.on_ready = None


def _never(future: asyncio.Future[Any]) -> bool:
    return False


def _ignore(error: BaseException | None) -> None:
    if error is not None and not isinstance(error, asyncio.CancelledError):
        log.error("ending an operation failed", exc_info=error)


def _declared(prepared: Prepared, variables: dict[str, Any] | None) -> dict[str, Any] | None:
    """`variables`, without those the operation does not declare."""
    if not isinstance(variables, dict) or not variables:
        return variables  # not an object: execution refuses it as sent
    names = {d.variable.name.value for d in prepared.definition.variable_definitions or ()}
    if names.issuperset(variables):
        return variables
    return {name: value for name, value in variables.items() if name in names}
