"""Eager coroutines: a subscription's steady state without a Task per subscriber.

Delivering an event to a waiting subscription usually needs no waiting at all: the event is in
the Mailbox, execution reads plain objects, and the socket takes the bytes. Waking one Task per
subscriber costs an event-loop round trip each; stepping the subscriber's coroutine directly
costs a function call.

So a coroutine driven by `Eager` runs in a real Task (its own, as asyncio expects: timeouts,
cancellation and `current_task()` all work) until it waits on a future that `cheap()` accepts,
its Mailbox's waiter; then the Task ends and the coroutine waits on that future alone. The Hub
fans an event out in a loop callback of its own (bus/hub.py), outside every task: there
`resume_with` completes the waiter and steps the coroutine on the spot, subscriber after
subscriber (each one's objects touched once, while hot in the cache). Called from inside some
task, it queues the step instead for one later callback (`_Ready`): no subscriber code ever runs
inside the Hub's task or another operation's. Each step is on its own: what it raises ends
only its own operation, `asyncio.current_task()` there is None (so
`asyncio.timeout()` refuses to start instead of cancelling someone else's task), and when a
step waits on anything but its Mailbox (a store read, a socket that pushes back) a Task of its
own takes over. A fan-out task yields to the event loop after scheduling each
event's callback (`await asyncio.sleep(0)`), so the steps run before the next event and
Mailboxes never fill up behind a burst.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine
from typing import Any

Done = Callable[[BaseException | None], None]
Cheap = Callable[[asyncio.Future[Any]], bool]


class _Ready:
    """The coroutines resumed since the last run, stepped by one loop callback."""

    __slots__ = ("queued", "scheduled")

    def __init__(self) -> None:
        self.queued: list[Eager] = []
        self.scheduled: asyncio.Handle | None = None

    def add(self, eager: Eager) -> None:
        self.queued.append(eager)
        if self.scheduled is None:
            self.scheduled = asyncio.get_running_loop().call_soon(self.run)

    def run(self) -> None:
        self.scheduled = None
        queued, self.queued = self.queued, []
        for eager in queued:
            eager.context.run(eager.step)


_ready = _Ready()


async def _until_done(future: asyncio.Future[Any]) -> None:
    """Wait for a future the coroutine yielded, as its Task would, without awaiting that future
    itself (it is marked as being awaited already: asyncio would refuse a second await)."""
    if future.done():
        return
    waiter = asyncio.get_running_loop().create_future()

    def wake(_: asyncio.Future[Any]) -> None:
        if not waiter.done():
            waiter.set_result(None)

    future.add_done_callback(wake)
    try:
        await waiter
    except asyncio.CancelledError:
        future.remove_done_callback(wake)
        future.cancel()  # as a Task cancels the future it waits on
        raise


class Eager:
    """Drive `coro`; `done(error)` is called once when it finishes."""

    __slots__ = ("_blocked", "_cheap", "_coro", "_done", "_task", "context")

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
        self.context = context if context is not None else contextvars.copy_context()

    def start(self) -> Eager:
        """Begin in a Task of its own."""
        self._task = asyncio.get_running_loop().create_task(self._in_task(None), context=self.context)
        return self

    async def _in_task(self, blocked: asyncio.Future[Any] | None, throw: BaseException | None = None) -> None:
        # Step the coroutine as a Task would (a started coroutine cannot be awaited from another),
        # until it finishes or waits on something cheap.
        coro = self._coro
        assert coro is not None
        while True:
            try:
                if blocked is None:
                    await asyncio.sleep(0)
                else:
                    await _until_done(blocked)
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
                if self._cheap(blocked):
                    self._task = None
                    self._park(blocked)
                    return

    def _park(self, blocked: asyncio.Future[Any]) -> None:
        self._blocked = blocked
        blocked.add_done_callback(self._wakeup, context=self.context)

    def _wakeup(self, future: asyncio.Future[Any]) -> None:
        # Woken the ordinary way (no `resume_with`): carry on in a Task.
        if self._blocked is future:
            self._blocked = None
            self._task = asyncio.get_running_loop().create_task(self._in_task(future), context=self.context)

    def resume_with(self, future: asyncio.Future[None]) -> bool:
        """If parked on `future`, complete it and queue the coroutine's next step (run with the
        others of this fan-out, outside the caller); False (and nothing done) otherwise."""
        if self._blocked is not future or future.done():
            return False
        future.remove_done_callback(self._wakeup)  # before set_result: nothing gets scheduled
        future.set_result(None)
        self._blocked = None
        if asyncio.current_task() is None:  # a fan-out callback: step here, with the others
            self.context.run(self.step)
        else:  # some task's code filled the Mailbox: step after it, not inside it
            _ready.add(self)
        return True

    def step(self) -> None:
        if self._coro is None or self._blocked is not None or self._task is not None:
            return  # cancelled (or otherwise moved on) since it was queued
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
        if blocked is not None and self._cheap(blocked):
            self._park(blocked)
            return
        self._task = asyncio.get_running_loop().create_task(self._in_task(blocked), context=self.context)

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
        loop = asyncio.get_running_loop()
        if blocked is not None:
            blocked.remove_done_callback(self._wakeup)
            self._blocked = None
            if not blocked.done():
                blocked.cancel()
            self._task = loop.create_task(self._in_task(blocked), context=self.context)
        else:  # resumed and queued, not stepped yet: the step becomes the cancellation
            cancel = asyncio.CancelledError()
            self._task = loop.create_task(self._in_task(None, cancel), context=self.context)

    async def wait(self) -> None:
        """Until it has finished (after `cancel`, say)."""
        while self._task is not None:
            task = self._task
            await asyncio.gather(task, return_exceptions=True)
            if self._task is task:
                break
