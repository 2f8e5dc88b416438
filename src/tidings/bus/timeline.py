"""The Timeline: every tweet once per process, routed to local followers in memory.

A tweet used to be published once per follower (one broker message per follower's feed
channel), and each copy was decoded into its own Event, so every follower's selection was
executed on its own: a popular author's tweet cost one execution per follower (measured: 2,883
deliveries/s, the last follower half a minute late after a 100-tweet burst to 1,000 followers).

Now a tweet is published once, on the timeline channel, and so are follow changes. Each process
holds the follow graph of the viewers with a live feed on it (loaded from the store when their
feed starts, then kept by the follow/unfollow events of the same channel, in the order they were
published), and hands the tweet's one Event to the feed channel of each local follower of its
author. Every follower with the same selection then shares one execution and one payload
(execution/shared.py: a feed selection without @viewerScoped fields is not per viewer), and
who may see a tweet is decided by a set lookup, not by the store.

Mastodon does the same in its streaming server for the public timeline (it filters per
recipient in memory) and renders a status once for every recipient (its StatusCacheHydrator).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

from ..errors import ResubscribeError
from . import channels
from .events import RESYNC, Event
from .hub import Hub
from .mailbox import Policy

log = logging.getLogger("tidings.bus")

# Kinds on the timeline channel (the same names as on a feed channel).
TWEET = "tweet"
FOLLOWED = "followed"
UNFOLLOWED = "unfollowed"
# The router reads its Mailbox in its own Task: a burst of tweets waits there meanwhile.
BACKLOG = 65_536

Loader = Callable[[], Awaitable[Iterable[str]]]


class _Viewer:
    __slots__ = ("following", "load", "loaded", "pending", "refs")

    def __init__(self, load: Loader) -> None:
        self.refs = 0
        self.load = load
        self.following: set[str] = set()
        # Follow changes that arrive while the graph is read from the store, applied after it.
        self.pending: list[Event] | None = []
        self.loaded: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class Timeline:
    """One per bus: the follow graph of local feed viewers, and the router of tweets."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._viewers: dict[str, _Viewer] = {}
        self._followers: dict[str, set[str]] = {}  # author -> local viewers following them
        self._task: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[None] | None = None
        self.routed = 0  # tweets handed to a local feed channel

    @property
    def viewer_count(self) -> int:
        return len(self._viewers)

    def followers_of(self, author_id: str) -> frozenset[str]:
        """The local feed viewers who follow `author_id` (for tests and stats)."""
        return frozenset(self._followers.get(author_id, ()))

    @contextlib.asynccontextmanager
    async def joined(self, viewer_id: str, load: Loader) -> AsyncIterator[None]:
        """While inside, tweets by the authors `viewer_id` follows reach their feed channel here.
        `load()` reads who they follow from the store; it runs once per viewer per process."""
        entry = self._viewers.get(viewer_id)
        if entry is None:
            entry = self._viewers[viewer_id] = _Viewer(load)
        entry.refs += 1
        try:
            await self._start()
            if entry.refs == 1 and entry.pending is not None and not entry.loaded.done():
                await self._load(viewer_id, entry)
            else:  # another subscription of this viewer loads (or loaded) the graph
                await asyncio.shield(entry.loaded)
            yield
        finally:
            entry.refs -= 1
            if entry.refs == 0 and self._viewers.get(viewer_id) is entry:
                del self._viewers[viewer_id]
                for author in entry.following:
                    self._unindex(author, viewer_id)
            if not self._viewers and self._task is not None:  # nobody left to route to
                self._task.cancel()
                self._task = None

    async def _load(self, viewer_id: str, entry: _Viewer) -> None:
        try:
            loaded = set(await entry.load())
        except BaseException as exc:
            entry.pending = None
            entry.loaded.set_exception(exc if isinstance(exc, Exception) else RuntimeError("cancelled"))
            entry.loaded.exception()  # retrieved: nobody else may be waiting
            raise
        pending, entry.pending = entry.pending or [], None
        for author in loaded:
            self._follow(viewer_id, entry, author)
        for event in pending:
            self._apply(event)
        entry.loaded.set_result(None)

    async def _start(self) -> None:
        if self._task is None or self._task.done():
            self._ready = asyncio.get_running_loop().create_future()
            # A clean context: the router's Mailbox belongs to no operation (bus/mailbox.py).
            self._task = asyncio.create_task(self._route(), name="timeline", context=contextvars.Context())
        assert self._ready is not None
        await asyncio.shield(self._ready)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _route(self) -> None:
        assert self._ready is not None
        ready = self._ready
        try:
            await self._serve(ready)
        finally:
            if not ready.done():
                ready.cancel()

    async def _serve(self, ready: asyncio.Future[None]) -> None:
        while True:
            try:
                async with self._hub.subscribe(channels.timeline(), Policy.BACKLOG, BACKLOG) as mailbox:
                    if not ready.done():
                        ready.set_result(None)
                    loop = asyncio.get_running_loop()
                    while True:
                        # Routed in a callback, outside this task, as the Hub fans out.
                        loop.call_soon(self._take, await mailbox.get())
                        await asyncio.sleep(0)
            except ResubscribeError:
                log.warning("timeline router fell %d tweets behind; resubscribing", BACKLOG)
                await self._reload()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker is gone: its supervisor resyncs the feeds
                if not ready.done():
                    ready.set_exception(exc)
                    return
                log.error("timeline router lost its subscription: %r; resubscribing", exc)
                await asyncio.sleep(0.5)
                await self._reload()

    def _take(self, event: Event) -> None:
        if event.kind == TWEET:
            viewers = self._followers.get(event.data["author"]["id"])
            if viewers:
                deliver = self._hub.deliver_local
                for viewer_id in list(viewers):
                    deliver(channels.feed(viewer_id), event)
                self.routed += 1
        elif event.kind in (FOLLOWED, UNFOLLOWED):
            self._apply(event)
        elif event.kind == RESYNC:  # follow changes may have been lost with the broker
            asyncio.get_running_loop().create_task(self._reload())

    def _apply(self, event: Event) -> None:
        viewer_id = event.data.get("follower_id")
        entry = self._viewers.get(viewer_id) if viewer_id else None
        if entry is None or viewer_id is None:
            return
        if entry.pending is not None:
            entry.pending.append(event)
        elif event.kind == FOLLOWED:
            self._follow(viewer_id, entry, event.data["author_id"])
        else:
            author = event.data["author_id"]
            entry.following.discard(author)
            self._unindex(author, viewer_id)

    def _follow(self, viewer_id: str, entry: _Viewer, author: str) -> None:
        entry.following.add(author)
        self._followers.setdefault(author, set()).add(viewer_id)

    def _unindex(self, author: str, viewer_id: str) -> None:
        followers = self._followers.get(author)
        if followers is not None:
            followers.discard(viewer_id)
            if not followers:
                del self._followers[author]

    async def _reload(self) -> None:
        for viewer_id, entry in list(self._viewers.items()):
            if entry.pending is not None:
                continue
            try:
                loaded = set(await entry.load())
            except Exception as exc:
                log.error("could not reload whom %s follows: %r", viewer_id, exc)
                continue
            if self._viewers.get(viewer_id) is not entry:
                continue
            for author in entry.following - loaded:
                entry.following.discard(author)
                self._unindex(author, viewer_id)
            for author in loaded - entry.following:
                self._follow(viewer_id, entry, author)
