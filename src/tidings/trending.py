"""Trending: hashtags over a sliding window, recomputed every interval, broadcast on change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from .bus import BroadcastBus, Event, channels
from .errors import BrokerUnavailableError
from .store import Store

log = logging.getLogger("tidings.trending")

TOP = 10
KIND = "trending"


class Trender:
    """Keeps the current ranking; `run()` recomputes it every `interval` seconds and publishes
    it on the trending channel whenever the ranking (topics, order or counts) changed."""

    def __init__(self, store: Store, bus: BroadcastBus, *, interval: float, window: int) -> None:
        self.store = store
        self.bus = bus
        self.interval = interval
        self.window = window
        self._current: Event | None = None
        self._published: list[list[object]] | None = None
        self._task: asyncio.Task[None] | None = None

    async def compute(self) -> Event:
        rows = await self.store.trending(window_seconds=self.window, limit=TOP)
        return Event(
            KIND,
            {
                "topics": [[row.topic, row.tweet_count] for row in rows],
                "window": self.window,
                "at": datetime.now(UTC).isoformat(),
            },
        )

    async def current(self) -> Event:
        """The ranking as of now: the last one computed, or a fresh one before the first."""
        if self._current is None:
            self._current = await self.compute()
        return self._current

    async def tick(self) -> bool:
        """Recompute once; publish and return True when the ranking changed."""
        event = await self.compute()
        topics = event.data["topics"]
        changed = topics != self._published
        if self._current is None or topics != self._current.data["topics"]:
            self._current = event
        if changed:
            await self.bus.publish(channels.trending(), event)
            self._published = topics
        return changed

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except BrokerUnavailableError as exc:
                log.warning("trending not published: %s", exc)
            except Exception:
                log.exception("trending recomputation failed")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="trending")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
