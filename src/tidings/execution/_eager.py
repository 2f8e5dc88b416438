"""Eager coroutines: a subscription's steady state without a Task per subscriber.

Delivering an event to a waiting subscription usually needs no waiting at all: the event is in
the Mailbox, execution reads plain objects, and the socket takes the bytes. Waking one Task per
subscriber costs an event-loop round trip each; resuming the subscriber's coroutine right inside
the Hub's fan-out loop (`resume_with`) costs a function call.

So a coroutine driven by `Eager` runs in a real Task (its own, as asyncio expects: timeouts,
cancellation and `current_task()` all work) until it waits on a future that `cheap()` accepts,
its Mailbox's waiter; then the Task ends and the coroutine waits on that future alone. When the
Hub fills the Mailbox, `resume_with` completes the waiter and steps the coroutine on the spot.
When a step waits on anything else (a store read, a socket that pushes back), a Task takes over
again. Code that runs in such a step before its first wait runs inside the Hub's task: the
generators keep store access behind an `await asyncio.sleep(0)` there (see resolvers/live.py).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine
from typing import Any

Done = Callable[[BaseException | None], None]
Cheap = Callable[[asyncio.Future[Any]], bool]


class Eager:
    """Drive `coro`; `done(error)` is called once when it finishes."""

    __slots__ = ("_blocked", "_cheap", "_context", "_coro", "_done", "_task")

    def __init__(
        self,
        coro: Coroutine[Any, Any, None],
        done: Done,
        cheap: Cheap,
        context: contextvars.Context | None = None,
    ) -> None:
        self._coro: Coroutine[Any, Any, None] | None = coro
        self._done = done
        self._cheap = cheap
        self._blocked: asyncio.Future[Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self._context = context if context is not None else contextvars.copy_context()

    def start(self) -> Eager:
        """Begin in a Task of its own."""
        self._task = asyncio.get_running_loop().create_task(self._in_task(None), context=self._context)
        return self

    async def _in_task(self, blocked: asyncio.Future[Any] | None) -> None:
        # Step the coroutine as a Task would (a started coroutine cannot be awaited from another),
        # until it finishes or waits on something cheap.
        coro = self._coro
        assert coro is not None
        throw: BaseException | None = None
        while True:
            try:
                if blocked is None:
                    await asyncio.sleep(0)
                else:
                    await blocked
            except asyncio.CancelledError as cancel:
                # If our cancellation cancelled the future the coroutine waits on, the coroutine
                # sees it when resumed; otherwise throw it in.
                if blocked is None or not blocked.cancelled():
                    throw = cancel
            except BaseException:
                pass
            try:
                blocked = coro.send(None) if throw is None else coro.throw(throw)
            except StopIteration:
                self._task = None
                self._finish(None)
                return
            except BaseException as error:
                self._task = None
                self._finish(error)
                if isinstance(error, asyncio.CancelledError):
                    raise
                return
            throw = None
            if blocked is not None:
                blocked._asyncio_future_blocking = False  # taken, as a Task takes it
                if self._cheap(blocked):
                    self._task = None
                    self._park(blocked)
                    return

    def _park(self, blocked: asyncio.Future[Any]) -> None:
        self._blocked = blocked
        blocked.add_done_callback(self._wakeup, context=self._context)

    def _wakeup(self, future: asyncio.Future[Any]) -> None:
        # Woken the ordinary way (no `resume_with`): carry on in a Task.
        if self._blocked is future:
            self._blocked = None
            self._task = asyncio.get_running_loop().create_task(self._in_task(future), context=self._context)

    def resume_with(self, future: asyncio.Future[None]) -> bool:
        """If parked on `future`, complete it and step the coroutine here and now; False (and
        nothing done) otherwise."""
        if self._blocked is not future or future.done():
            return False
        future.remove_done_callback(self._wakeup)  # before set_result: nothing gets scheduled
        future.set_result(None)
        self._blocked = None
        self._context.run(self._step)
        return True

    def _step(self) -> None:
        coro = self._coro
        assert coro is not None
        try:
            blocked = coro.send(None)
        except StopIteration:
            self._finish(None)
            return
        except BaseException as error:
            self._finish(error)
            return
        if blocked is not None:
            blocked._asyncio_future_blocking = False
            if self._cheap(blocked):
                self._park(blocked)
                return
        self._task = asyncio.get_running_loop().create_task(self._in_task(blocked), context=self._context)

    def _finish(self, error: BaseException | None) -> None:
        self._coro = None
        self._done(error)

    def cancel(self) -> None:
        """Cancel it wherever it is; `done` then gets what comes out (CancelledError, usually)."""
        if self._coro is None:
            return
        if self._task is not None:
            self._task.cancel()
            return
        blocked = self._blocked
        if blocked is not None:
            blocked.remove_done_callback(self._wakeup)
            self._blocked = None
            if not blocked.done():
                blocked.cancel()
            self._task = asyncio.get_running_loop().create_task(self._in_task(blocked), context=self._context)

    async def wait(self) -> None:
        """Until it has finished (after `cancel`, say)."""
        while self._task is not None:
            task = self._task
            await asyncio.gather(task, return_exceptions=True)
            if self._task is task:
                break
