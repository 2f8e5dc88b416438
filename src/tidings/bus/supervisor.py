"""Supervised broker backends: broadcaster's BroadcastBackend interface over a watched connection.

broadcaster's Redis listener dies silently when Redis goes away (broadcaster#144), and whatever
is published while it is away is lost. A Supervisor owns one listening session at a time: it
opens a connection, subscribes every channel the Hub holds, reports `up`, and pumps messages
until the connection fails or stops answering its health pings. Then it reports `down` (so
/readyz turns red), retries with capped exponential backoff, resubscribes everything, and
reports `up` again together with the time it was lost, so that the bus can tell every local
subscriber to re-read from the store what it may have missed (a resync).

    subscribe(ch)   registers ch, and sends SUBSCRIBE on the live session if there is one;
                    it never suspends (broadcaster's Broadcast.subscribe raises KeyError when
                    cancelled inside it)
    confirmed(ch)   waits until the broker acknowledged ch on the live session (the Hub waits
                    for this before a subscriber reads its snapshot: nothing slips between)
    unsubscribe(ch) sends UNSUBSCRIBE and waits for its acknowledgement, so that a later
                    SUBSCRIBE of the same channel is never confirmed by a stale reply

Subclasses implement `_session` (one connection's life, ending only by raising) and `publish`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from broadcaster import BroadcastBackend
from broadcaster import Event as Message

log = logging.getLogger("tidings.bus")

StateListener = Callable[[bool, "float | None"], None]
Command = tuple[str, str]

BACKOFF_FIRST = 0.05  # seconds before the first reconnection attempt
BACKOFF_CAP = 2.0  # never wait longer than this between attempts
CONFIRM_TIMEOUT = 2.0  # how long subscribe/unsubscribe wait for the broker's acknowledgement
FIRST_WAIT = 3.0  # how long connect() waits for the first session before serving without it
HEALTH_INTERVAL = 0.5  # ping the broker after this much silence
DEAD_AFTER = 1.5  # declare the connection dead after this much silence (readiness red within 2 s)


def redacted(url: str) -> str:
    """The URL without its password, for logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def cancelling() -> bool:
    """Whether the running task has been asked to stop (even if a library swallowed the
    CancelledError on the way)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class Supervisor(BroadcastBackend):
    """The shared state machine of the supervised Redis and PostgreSQL backends."""

    scheme = "?"

    def __init__(self, url: str) -> None:  # BroadcastBackend.__init__ only raises
        self.url = url
        self.where = redacted(url)
        self.up = False
        self.lost_at: float | None = None  # wall-clock time the broker was lost, while it is
        self.last_error: str | None = None
        self.wanted: set[str] = set()
        self.confirmed_channels: set[str] = set()
        self.sessions = 0
        self._outbox: asyncio.Queue[Command] | None = None
        self._messages: asyncio.Queue[Message] = asyncio.Queue()
        self._listeners: list[StateListener] = []
        self._confirm_waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._release_waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._first_attempt = asyncio.Event()

    def on_state(self, listener: StateListener) -> None:
        """Call `listener(up, lost_at)` on every change: (False, when lost), (True, since when)."""
        self._listeners.append(listener)

    # BroadcastBackend ---------------------------------------------------------------------------

    async def connect(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name=f"broker:{self.scheme}")
        # A healthy start is ready at once; a broker that is down at start leaves the process
        # serving with /readyz red while the supervisor keeps trying.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._first_attempt.wait(), FIRST_WAIT)
        if not self.up:
            log.error(
                "event broker %s is not reachable (%s); serving without it, retrying",
                self.where,
                self.last_error,
            )

    async def disconnect(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.up = False
        await self._close()

    async def subscribe(self, channel: str) -> None:
        self.wanted.add(channel)
        self._command(("subscribe", channel))

    async def unsubscribe(self, channel: str) -> None:
        self.wanted.discard(channel)
        self.confirmed_channels.discard(channel)
        if self._command(("unsubscribe", channel)):
            released = asyncio.get_running_loop().create_future()
            self._release_waiters.setdefault(channel, []).append(released)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(released, CONFIRM_TIMEOUT)

    async def next_published(self) -> Message:
        return await self._messages.get()

    async def confirmed(self, channel: str, timeout: float = CONFIRM_TIMEOUT) -> bool:
        """Wait until the broker acknowledged `channel`; False after `timeout` (the broker is
        down: the subscriber goes on, and the resync after reconnecting covers what it missed)."""
        if channel in self.confirmed_channels:
            return True
        waiter = asyncio.get_running_loop().create_future()
        self._confirm_waiters.setdefault(channel, []).append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            waiters = self._confirm_waiters.get(channel, [])
            if waiter in waiters:
                waiters.remove(waiter)
            if not waiters:
                self._confirm_waiters.pop(channel, None)

    # for subclasses -----------------------------------------------------------------------------

    async def _session(self) -> None:
        raise NotImplementedError

    async def _close(self) -> None:
        """Release what publish() holds."""

    def _open_outbox(self) -> tuple[asyncio.Queue[Command], list[str]]:
        """Start taking commands for a live connection; return them with the channels to (re)subscribe.
        No await may come between a session's snapshot of `wanted` and this."""
        outbox: asyncio.Queue[Command] = asyncio.Queue()
        self._outbox = outbox
        return outbox, sorted(self.wanted)

    def _command(self, command: Command) -> bool:
        if self._outbox is None:
            return False
        self._outbox.put_nowait(command)
        return True

    def _deliver(self, channel: str, message: str) -> None:
        self._messages.put_nowait(Message(channel=channel, message=message))

    def _acknowledged(self, channel: str) -> None:
        if channel not in self.wanted:
            return
        self.confirmed_channels.add(channel)
        for waiter in self._confirm_waiters.pop(channel, []):
            if not waiter.done():
                waiter.set_result(None)

    def _released(self, channel: str) -> None:
        for waiter in self._release_waiters.pop(channel, []):
            if not waiter.done():
                waiter.set_result(None)

    def _session_up(self) -> None:
        self.up = True
        self.last_error = None
        since, self.lost_at = self.lost_at, None
        self._first_attempt.set()
        if since is not None:
            log.warning(
                "event broker %s is back after %.1f s; resubscribed %d channels",
                self.where,
                time.time() - since,
                len(self.wanted),
            )
        for listener in list(self._listeners):
            listener(True, since)

    # the supervisor -----------------------------------------------------------------------------

    async def _supervise(self) -> None:
        delay = BACKOFF_FIRST
        while True:
            if cancelling():
                # Closing: whatever swallowed the cancellation on the way, no new session.
                raise asyncio.CancelledError
            self.sessions += 1
            try:
                await self._session()
                raise ConnectionError("the session ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.up:
                    delay = BACKOFF_FIRST
                self._lost(exc)
            finally:
                self._outbox = None
            self._first_attempt.set()
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, BACKOFF_CAP)

    def _lost(self, exc: Exception) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        self.confirmed_channels.clear()
        for channel in list(self._release_waiters):
            self._released(channel)  # the connection took those subscriptions with it
        if self.lost_at is None:
            self.lost_at = time.time()
        if not self.up:
            log.debug("event broker %s still unreachable: %s", self.where, self.last_error)
            return
        self.up = False
        log.error("event broker %s lost (%s); reconnecting", self.where, self.last_error)
        for listener in list(self._listeners):
            listener(False, self.lost_at)
