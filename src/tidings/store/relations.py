"""What users did to tweets and to each other, read in batches: likes, retweets, follows.

The viewer fields (`likedByViewer`, `followedByViewer`, ...) ask these for many pairs at once
(a page of tweets, or every subscriber of an engagement event), so each verb takes a batch and
answers with one query per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from . import tables as t
from .rows import UserRow

# Bound parameters per statement: SQLite allows 32,766, asyncpg 32,767.
CHUNK = 4000

T = TypeVar("T")


def _chunks(items: Sequence[T]) -> list[Sequence[T]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


class Relations:
    """The batch reads of the Store (a mixin: the Store provides the engine)."""

    engine: AsyncEngine

    async def user_by_handle(self, handle: str) -> UserRow | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.users).where(t.users.c.handle == handle))).first()
        return UserRow(row.id, row.handle, row.display_name) if row else None

    async def engaged(self, pairs: Sequence[tuple[str, int]]) -> dict[tuple[str, int], tuple[bool, bool]]:
        """For (user id, tweet key) pairs: whether that user likes and retweets that tweet now
        (a like taken back no longer counts). Pairs with neither are left out.

        A batch is usually many viewers of one tweet (an engagement event) or one viewer's page
        of tweets, so the pairs are grouped by whichever side has fewer distinct values: one
        query per group and table, each an index range of the primary key or its tweet side."""
        unique = list(dict.fromkeys(pairs))
        by_tweet: dict[int, list[str]] = {}
        by_user: dict[str, list[int]] = {}
        for user_id, tweet_key in unique:
            by_tweet.setdefault(tweet_key, []).append(user_id)
            by_user.setdefault(user_id, []).append(tweet_key)
        found: dict[tuple[str, int], tuple[bool, bool]] = {}
        async with self.engine.connect() as conn:
            for table, liked in ((t.likes, True), (t.retweets, False)):
                if len(by_tweet) <= len(by_user):
                    groups = [
                        (table.c.tweet_id == key, table.c.user_id.in_(chunk))
                        for key, users in by_tweet.items()
                        for chunk in _chunks(users)
                    ]
                else:
                    groups = [
                        (table.c.user_id == user, table.c.tweet_id.in_(chunk))
                        for user, keys in by_user.items()
                        for chunk in _chunks(keys)
                    ]
                for one, many in groups:
                    query = select(table.c.user_id, table.c.tweet_id).where(
                        one, many, table.c.active.is_(True)
                    )
                    for user_id, tweet_id in await conn.execute(query):
                        was = found.get((user_id, tweet_id), (False, False))
                        found[(user_id, tweet_id)] = (True, was[1]) if liked else (was[0], True)
        return found

    async def follow_counts(self, user_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """(followers, following) of each user; (0, 0) for one with neither."""
        counts = dict.fromkeys(user_ids, (0, 0))
        f = t.follows
        async with self.engine.connect() as conn:
            for chunk in _chunks(list(counts)):
                followers = select(f.c.followee_id, func.count()).where(f.c.followee_id.in_(chunk))
                for user_id, n in await conn.execute(followers.group_by(f.c.followee_id)):
                    counts[user_id] = (n, counts[user_id][1])
                following = select(f.c.follower_id, func.count()).where(f.c.follower_id.in_(chunk))
                for user_id, n in await conn.execute(following.group_by(f.c.follower_id)):
                    counts[user_id] = (counts[user_id][0], n)
        return counts

    async def following_pairs(self, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Of (follower, followee) pairs, those where the follower follows the followee now."""
        found: set[tuple[str, str]] = set()
        f = t.follows
        async with self.engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(pairs))):
                query = select(f.c.follower_id, f.c.followee_id).where(
                    tuple_(f.c.follower_id, f.c.followee_id).in_(chunk)
                )
                found.update((a, b) for a, b in await conn.execute(query))
        return found
