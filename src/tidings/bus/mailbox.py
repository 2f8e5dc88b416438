"""A Mailbox: one subscription's bounded buffer, with the field's slow-consumer policy."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextvars import ContextVar
from enum import Enum

from ..errors import BrokerUnavailableError, ResubscribeError
from .events import Event

# Set by whoever drives a subscription (the WebSocket layer) while it starts the generator: each
# Mailbox created meanwhile is handed to it, so that it can set `on_ready` and deliver events
# without a Task waiting on every Mailbox.
mailbox_observer: ContextVar[Callable[[Mailbox], None] | None] = ContextVar("mailbox_observer", default=None)


class Policy(Enum):
    LATEST = "latest"  # engagement, trending, typing: a slow reader skips to the newest state
    BACKLOG = "backlog"  # notifications, feed: keep up to `size`, then end the operation


class MailboxCounters:
    """How often mailboxes coalesced (latest-only) or overflowed (backlog), process-wide."""

    __slots__ = ("coalesced", "overflowed")

    def __init__(self) -> None:
        self.coalesced = 0
        self.overflowed = 0


class Mailbox:
    """What one subscriber has yet to read. `put` never blocks: a slow reader fills only its own."""

    __slots__ = ("_counters", "_error", "_items", "_waiter", "on_ready", "policy", "size")

    def __init__(self, policy: Policy, size: int, counters: MailboxCounters) -> None:
        self.policy = policy
        self.size = size
        self._counters = counters
        # A list, not a deque: an empty deque allocates a 64-slot block (~700 bytes per idle
        # subscriber, measured), and a Mailbox holds at most `size` (256) events to shift.
        self._items: list[Event] = []
        self._waiter: asyncio.Future[None] | None = None
        self._error: Exception | None = None
        # Called (synchronously, from `put`) with the reader's waiter when something arrives; it
        # may resume the reader at once and return True, or return False to let asyncio wake it.
        self.on_ready: Callable[[asyncio.Future[None]], bool] | None = None
        observer = mailbox_observer.get()
        if observer is not None:
            observer(self)

    def put(self, event: Event) -> None:
        if self._error is not None:
            return
        if self.policy is Policy.LATEST:
            if self._items:
                self._items.clear()
                self._counters.coalesced += 1
            self._items.append(event)
        elif len(self._items) < self.size:
            self._items.append(event)
        else:
            self._items.clear()
            self._counters.overflowed += 1
            self._error = ResubscribeError(
                f"This subscription fell more than {self.size} events behind and was ended; "
                "resubscribe with `after:` your last cursor to receive the rest.",
                limit=self.size,
            )
        self._wake()

    def fail(self, error: Exception) -> None:
        """End the reader with `error` once it has read what is already here."""
        if self._error is None:
            self._error = error
        self._wake()

    def broker_lost(self) -> None:
        self.fail(BrokerUnavailableError("The event broker connection was lost; resubscribe."))

    def pending(self) -> int:
        return len(self._items)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        on_ready = self.on_ready
        if on_ready is None or not on_ready(waiter):  # a driver may resume its reader right here
            waiter.set_result(None)

    @property
    def waiter(self) -> asyncio.Future[None] | None:
        """The future a reader waits on while the Mailbox is empty."""
        return self._waiter

    async def get(self) -> Event:
        while not self._items:
            if self._error is not None:
                raise self._error
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)

    def __aiter__(self) -> Mailbox:
        return self

    __anext__ = get  # the same coroutine: one layer fewer on every delivery
