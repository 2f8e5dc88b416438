"""Ordered, group-committed hot writes on PostgreSQL.

A like is one statement (writes.py), but each commit waits for its WAL flush, and every like of
one tweet waits for the one before it on the tweet's row lock, flush included: a burst of likes
of one tweet runs at the disk's flush rate (~75 a second measured here) however many
connections there are. So the hot writes go into a few lanes, each a queue worked by one task:
whatever has queued while a transaction ran goes into the next one, one flush for all of them.

Writes that touch the same row use the same lane (a like: by tweet), and a lane settles its
callers in the order their statements ran, so their events are published in commit order too
(bus.py keeps publishes in order): a subscriber never sees a newer count before an older one
from this process.

If a transaction fails, its writes are tried again one by one, each on its own, so that one bad
write fails only its own caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

log = logging.getLogger("tidings.store")

LANES = 4
MAX_BATCH = 256

_Job = tuple[str, tuple[Any, ...], "asyncio.Future[Any]"]


class PgLanes:
    """Runs one-statement writes (`fetchrow`) over an asyncpg pool, in lanes."""

    def __init__(self, pool: Any, lanes: int = LANES) -> None:
        self.pool = pool
        self._queues: list[list[_Job]] = [[] for _ in range(lanes)]
        self._wake: list[asyncio.Event] = [asyncio.Event() for _ in range(lanes)]
        self._tasks = [asyncio.create_task(self._work(i), name=f"tidings-pg-lane-{i}") for i in range(lanes)]
        self.transactions = 0
        self.jobs = 0

    async def run(self, key: object, sql: str, *args: Any) -> Any:
        """`fetchrow(sql, *args)` in the lane of `key`, committed before it returns. It runs even
        if the caller is cancelled meanwhile."""
        lane = hash(key) % len(self._queues)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queues[lane].append((sql, args, future))
        self._wake[lane].set()
        return await asyncio.shield(future)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _work(self, lane: int) -> None:
        queue, wake = self._queues, self._wake[lane]
        while True:
            await wake.wait()
            wake.clear()
            while queue[lane]:
                batch, queue[lane] = queue[lane][:MAX_BATCH], queue[lane][MAX_BATCH:]
                try:
                    rows = await self._together(batch)
                except asyncio.CancelledError:
                    _fail(batch, RuntimeError("the store is closing"))
                    raise
                except Exception as exc:
                    if len(batch) == 1:
                        _fail(batch, exc)
                        continue
                    log.warning("a batch of %d writes failed (%r); trying them one by one", len(batch), exc)
                    await self._alone(batch)
                    continue
                for (_, _, future), row in zip(batch, rows, strict=True):
                    if not future.done():
                        future.set_result(row)

    async def _together(self, batch: list[_Job]) -> list[Any]:
        async with self.pool.acquire() as conn:
            if len(batch) == 1:
                sql, args, _ = batch[0]
                rows = [await conn.fetchrow(sql, *args)]
            else:
                async with conn.transaction():
                    rows = [await conn.fetchrow(sql, *args) for sql, args, _ in batch]
        self.transactions += 1
        self.jobs += len(batch)
        return rows

    async def _alone(self, batch: list[_Job]) -> None:
        for job in batch:
            sql, args, future = job
            try:
                async with self.pool.acquire() as conn:
                    row = await conn.fetchrow(sql, *args)
            except Exception as exc:
                _fail([job], exc)
            else:
                if not future.done():
                    future.set_result(row)


def _fail(batch: list[_Job], error: BaseException) -> None:
    for _, _, future in batch:
        if not future.done():
            future.set_exception(error)
            with contextlib.suppress(BaseException):
                future.exception()  # retrieved: a cancelled caller leaves nobody to read it
