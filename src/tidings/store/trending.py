"""The cluster's trending row: hashtag counts of a window, which process recomputes next, and the
ranking last saved (by a process or a ranking service)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import orjson
from sqlalchemy import func, or_, select, update

from . import tables as t
from .base import _EPOCH, StoreBase, _now
from .rows import TopicRow, TrendingRow


class Trending(StoreBase):
    """The trending part of the Store."""

    async def trending(
        self, *, window_seconds: int, limit: int, now: datetime | None = None
    ) -> list[TopicRow]:
        """Hashtags of the last `window_seconds`, most used first, ties by name."""
        since = (now or _now()) - timedelta(seconds=window_seconds)
        count = func.count().label("n")
        query = (
            select(t.hashtags.c.tag, count)
            .where(t.hashtags.c.created_at >= since)
            .group_by(t.hashtags.c.tag)
            .order_by(count.desc(), t.hashtags.c.tag.asc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return [TopicRow(topic=row.tag, tweet_count=row.n) for row in await conn.execute(query)]

    async def claim_trending(self, *, interval: float, now: datetime | None = None) -> bool:
        """True when the caller may recompute trending now: no process did in the last `interval`
        seconds (less 10%, for timer jitter), and no ranking service's ranking is held. Of the
        processes sharing this store, one claims per interval."""
        now = now or _now()
        tr = t.trending
        async with self._write() as conn:
            await conn.execute(
                self._insert(tr).values(id=1, claimed_at=_EPOCH, topics="[]").on_conflict_do_nothing()
            )
            claimed = await conn.execute(
                update(tr)
                .where(
                    tr.c.id == 1,
                    tr.c.claimed_at <= now - timedelta(seconds=interval * 0.9),
                    or_(tr.c.held_until.is_(None), tr.c.held_until <= now),
                )
                .values(claimed_at=now)
            )
        return bool(claimed.rowcount)

    async def trending_state(self) -> TrendingRow | None:
        """The ranking last saved by any process; None before the first."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.trending).where(t.trending.c.id == 1))).first()
        if row is None or row.computed_at is None:
            return None
        topics = [TopicRow(topic, count) for topic, count in orjson.loads(row.topics)]
        return TrendingRow(topics, row.computed_at, row.claimed_at, row.held_until)

    async def save_trending(
        self, *, topics: Sequence[TopicRow], computed_at: datetime, held_until: datetime | None = None
    ) -> None:
        """Keep `topics` as the cluster's ranking (held until `held_until` when a service sent it)."""
        tr = t.trending
        body = orjson.dumps([[row.topic, row.tweet_count] for row in topics]).decode()
        async with self._write() as conn:
            await conn.execute(
                self._insert(tr).values(id=1, claimed_at=_EPOCH, topics="[]").on_conflict_do_nothing()
            )
            await conn.execute(
                update(tr)
                .where(tr.c.id == 1)
                .values(topics=body, computed_at=computed_at, held_until=held_until)
            )
