"""Trending: hashtags over a sliding window, recomputed once per interval for the whole cluster,
broadcast on change.

Every process runs `run()`, but a tick only computes after claiming the store's trending row
(`Store.claim_trending`: one claimant per interval among the processes sharing the store), and
the ranking it publishes is saved there too: every process serves that same ranking to a new
subscriber (`current()`), and a process compares against it, not against what it last saw.
A ranking service's ranking (`adopt`) is saved with a hold, during which no process recomputes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from .bus import BroadcastBus, Event, channels
from .errors import BrokerUnavailableError
from .store import Store, TopicRow, TrendingRow

log = logging.getLogger("tidings.trending")

TOP = 10
KIND = "trending"
HOLD = 60.0  # seconds a ranking from the ranking service stands before the local computation resumes
STALE_AFTER = 3  # intervals without any recomputation after which a saved ranking is not trusted


def _topics(rows: list[TopicRow]) -> list[list[object]]:
    return [[row.topic, row.tweet_count] for row in rows]


class Trender:
    """Keeps the cluster's ranking current: `run()` ticks every `interval` seconds."""

    def __init__(self, store: Store, bus: BroadcastBus, *, interval: float, window: int) -> None:
        self.store = store
        self.bus = bus
        self.interval = interval
        self.window = window
        self.computations = 0  # ticks that computed here (one per interval over the cluster)
        self._current: Event | None = None
        self._task: asyncio.Task[None] | None = None

    def _event(self, rows: list[TopicRow], at: datetime, held: bool = False) -> Event:
        data: dict[str, object] = {"topics": _topics(rows), "window": self.window, "at": at.isoformat()}
        if held:
            data["held"] = HOLD
        return Event(KIND, data)

    async def compute(self) -> Event:
        rows = await self.store.trending(window_seconds=self.window, limit=TOP)
        return self._event(rows, datetime.now(UTC))

    async def current(self) -> Event:
        """The cluster's ranking as of now: the one saved last, or a fresh one when none is
        (the first start) or nobody recomputed it for STALE_AFTER intervals."""
        state = await self.store.trending_state()
        now = datetime.now(UTC)
        if state is None or not self._trusted(state, now):
            return await self.compute()
        cached = self._current
        if cached is not None and cached.data["at"] == state.computed_at.isoformat():
            return cached  # the same object for every subscriber: its typed value is built once
        held = state.held_until is not None and state.held_until > now
        self._current = self._event(state.topics, state.computed_at, held)
        return self._current

    def _trusted(self, state: TrendingRow, now: datetime) -> bool:
        if state.held_until is not None and state.held_until > now:
            return True
        return now - state.claimed_at < timedelta(seconds=max(STALE_AFTER * self.interval, 1.0))

    async def adopt(self, rows: list[TopicRow]) -> Event:
        """A ranking from the ranking service (`tidings.publish`), most trending first: published
        now, and the current one until another arrives; no process recomputes while the service
        keeps sending, and the computation resumes HOLD seconds after its last ranking."""
        now = datetime.now(UTC)
        await self.store.save_trending(topics=rows, computed_at=now, held_until=now + timedelta(seconds=HOLD))
        event = self._current = self._event(rows, now, held=True)
        await self.bus.publish(channels.trending(), event)
        return event

    async def tick(self) -> bool:
        """Recompute once if this process holds the claim; publish and return True when the
        ranking changed."""
        if not await self.store.claim_trending(interval=self.interval):
            return False
        self.computations += 1
        event = await self.compute()
        state = await self.store.trending_state()
        if state is not None and _topics(state.topics) == event.data["topics"]:
            return False
        rows = [TopicRow(str(topic), int(count)) for topic, count in event.data["topics"]]
        await self.store.save_trending(topics=rows, computed_at=datetime.fromisoformat(event.data["at"]))
        self._current = event
        await self.bus.publish(channels.trending(), event)
        return True

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
