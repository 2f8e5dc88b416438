"""The Hub: one broker subscription per channel per process, fanned out to local Mailboxes.

broadcaster 0.3.1 races when two first subscriptions to one channel overlap, and gives each
subscriber an unbounded queue. We call its `subscribe` once per channel per process: the first
local subscriber creates the channel's state synchronously (no await between the lookup and
the insert, so concurrent arrivals find it), later ones wait for the same `ready` future.
The last one to leave tears the broker subscription down, and a newcomer waits for that.

With a supervised backend (redis://, postgres://) the first subscriber also waits until the
broker acknowledged the channel (`confirm`), so that a snapshot read after joining cannot miss
an event; and after the broker was lost and is back, `resync` puts a RESYNC event into every
Mailbox, telling each stream to re-read from the store what it may have missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import Any, cast

from broadcaster import Broadcast
from broadcaster import Event as Message

from .events import RESYNC, Event
from .mailbox import Mailbox, MailboxCounters, Policy

log = logging.getLogger("tidings.bus")


class _Channel:
    __slots__ = ("mailboxes", "newest", "ready", "task")

    def __init__(self) -> None:
        self.mailboxes: set[Mailbox] = set()
        self.newest: Event | None = None
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[None] | None = None


class Hub:
    def __init__(
        self,
        broadcast: Broadcast,
        counters: MailboxCounters,
        confirm: Callable[[str], Awaitable[bool]] | None = None,
    ) -> None:
        self._broadcast = broadcast
        self._confirm = confirm
        self.counters = counters
        self._channels: dict[str, _Channel] = {}
        self._closing: dict[str, asyncio.Task[None]] = {}
        # Called with an event's `published_at` once it reached every local Mailbox (metrics).
        self.on_fanout: Callable[[float], None] | None = None
        self.events_received = 0

    @property
    def channel_count(self) -> int:
        return len(self._channels)

    @property
    def mailbox_count(self) -> int:
        return sum(len(ch.mailboxes) for ch in self._channels.values())

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str, policy: Policy, size: int) -> AsyncIterator[Mailbox]:
        mailbox = Mailbox(policy, size, self.counters)
        state = await self._join(channel, mailbox)
        try:
            yield mailbox
        finally:
            self._leave(channel, state, mailbox)

    async def _join(self, channel: str, mailbox: Mailbox) -> _Channel:
        while (closing := self._closing.get(channel)) is not None:
            await asyncio.shield(closing)
        state = self._channels.get(channel)
        if state is None:
            state = self._channels[channel] = _Channel()
            state.task = asyncio.create_task(self._pump(channel, state), name=f"hub:{channel}")
        state.mailboxes.add(mailbox)
        try:
            await asyncio.shield(state.ready)
        except BaseException:
            self._leave(channel, state, mailbox)
            raise
        return state

    def _leave(self, channel: str, state: _Channel, mailbox: Mailbox) -> None:
        state.mailboxes.discard(mailbox)
        if state.mailboxes or self._channels.get(channel) is not state:
            return
        del self._channels[channel]
        assert state.task is not None
        state.task.cancel()
        closing = asyncio.create_task(self._closed(channel, state.task), name=f"hub-close:{channel}")
        self._closing[channel] = closing

    async def _closed(self, channel: str, task: asyncio.Task[None]) -> None:
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        finally:
            self._closing.pop(channel, None)

    async def _pump(self, channel: str, state: _Channel) -> None:
        loop = asyncio.get_running_loop()
        try:
            async with self._broadcast.subscribe(channel) as subscriber:
                if self._confirm is not None and not await self._confirm(channel):
                    log.warning("%s not acknowledged in time; the resync on reconnect covers it", channel)
                state.ready.set_result(None)
                # broadcaster 0.3 types Subscriber.__aiter__ as `AsyncGenerator | None`; it is the generator.
                messages = cast(AsyncIterable[Message | None], subscriber)
                async for message in messages:
                    if message is None:
                        break
                    # Fanned out in a callback, outside this task: no subscriber code runs in
                    # the task that serves the whole channel (execution/_eager.py). It runs
                    # before this task resumes, so events go out one at a time, in order.
                    loop.call_soon(self.deliver, state, _decode(message.message))
                    await asyncio.sleep(0)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("subscription to %s failed: %r", channel, exc)
            if not state.ready.done():
                state.ready.set_exception(exc)
            for mailbox in list(state.mailboxes):
                loop.call_soon(mailbox.broker_lost)
            if self._channels.get(channel) is state:
                del self._channels[channel]
        finally:
            if not state.ready.done():
                state.ready.cancel()

    def deliver(self, state: _Channel, event: Event) -> None:
        self.events_received += 1
        if event.order is not None:
            _keep_newest(state, event)
        for mailbox in list(state.mailboxes):
            mailbox.put(event)
        if self.on_fanout is not None:
            self.on_fanout(event.published_at)

    def deliver_local(self, channel: str, event: Event) -> None:
        """Hand `event` to this process's subscribers of `channel`, without the broker (the
        Timeline routes one tweet to many feed channels so)."""
        state = self._channels.get(channel)
        if state is not None and state.ready.done() and not state.ready.cancelled():
            if state.ready.exception() is None:
                self.deliver(state, event)

    def newest(self, channel: str) -> Event | None:
        """The newest state event (highest `order`) seen on `channel` since this process
        subscribed to it, or offered for it; None when there is none. Every later change will
        reach this process too, so a newcomer may take it as its snapshot."""
        state = self._channels.get(channel)
        if state is None or not state.ready.done() or state.ready.cancelled() or state.ready.exception():
            return None
        return state.newest

    def offer(self, channel: str, event: Event) -> None:
        """A snapshot read from the store after subscribing: kept unless a newer one is held."""
        state = self._channels.get(channel)
        if state is not None and event.order is not None:
            _keep_newest(state, event)

    def resync(self, since: float) -> int:
        """Tell every local subscriber that events since `since` (wall clock) may have been lost."""
        event = Event(RESYNC, {"since": since})
        mailboxes: list[Mailbox] = []
        for state in list(self._channels.values()):
            state.newest = None  # it may be older than what was lost
            mailboxes.extend(state.mailboxes)
        loop = asyncio.get_running_loop()
        for mailbox in mailboxes:  # outside the caller's task, as every fan-out
            loop.call_soon(mailbox.put, event)
        return len(mailboxes)

    async def close(self) -> None:
        for state in list(self._channels.values()):
            if state.task is not None:
                state.task.cancel()
        tasks = [s.task for s in self._channels.values() if s.task is not None] + list(self._closing.values())
        self._channels.clear()
        await asyncio.gather(*tasks, return_exceptions=True)


def _decode(message: Any) -> Event:
    if isinstance(message, Event):
        return message
    return Event.decode(message)


def _keep_newest(state: _Channel, event: Event) -> None:
    newest = state.newest
    if newest is None or (
        newest.order is not None and event.order is not None and event.order >= newest.order
    ):
        state.newest = event
