"""Batched reads behind the viewer fields and the follow counts.

Every load made in one turn of the event loop goes to the store as one query: a page of 20
tweets asks for its viewer's likes once, and when one process holds the Lookups of all its
connections (server/context.py), an engagement event executed for 1,000 subscribers who select
`likedByViewer` asks once, not 1,000 times. Nothing is cached: a connection's context lives for
hours and what it would cache changes under it (strawberry's DataLoader with `cache=False`).
"""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from ..store import Store, UserRow
from ..store.relations import CHUNK
from ..types.viewer import NEITHER, Engaged


class Lookups:
    """The ViewerLookups of types/viewer.py, over the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._engaged_loader: DataLoader[tuple[str, int], Engaged] = DataLoader(
            self._engaged, cache=False, max_batch_size=CHUNK
        )
        self._counts_loader: DataLoader[str, tuple[int, int]] = DataLoader(
            self._follow_counts, cache=False, max_batch_size=CHUNK
        )
        self._following_loader: DataLoader[tuple[str, str], bool] = DataLoader(
            self._following, cache=False, max_batch_size=CHUNK
        )

    async def _engaged(self, pairs: list[tuple[str, int]]) -> Sequence[Engaged]:
        found = await self.store.engaged(pairs)
        return [Engaged(*found[pair]) if pair in found else NEITHER for pair in pairs]

    async def _follow_counts(self, user_ids: list[str]) -> Sequence[tuple[int, int]]:
        counts = await self.store.follow_counts(user_ids)
        return [counts[user_id] for user_id in user_ids]

    async def _following(self, pairs: list[tuple[str, str]]) -> Sequence[bool]:
        found = await self.store.following_pairs(pairs)
        return [pair in found for pair in pairs]

    async def engagement(self, viewer: UserRow | None, tweet_id: str, likes: int, retweets: int) -> Engaged:
        """Whether `viewer` likes and retweets the tweet now. A tweet whose counts (as the caller
        holds them) are 0 needs no read: nobody does either; nor does a request without a viewer."""
        if viewer is None or (likes <= 0 and retweets <= 0):
            return NEITHER
        return await self._engaged_loader.load((viewer.id, int(tweet_id)))

    async def follows(self, viewer: UserRow | None, user_id: str) -> bool:
        """Whether `viewer` follows `user_id`; false without a viewer and for the viewer themself."""
        if viewer is None or viewer.id == user_id:
            return False
        return await self._following_loader.load((viewer.id, user_id))

    async def follow_counts(self, user_id: str) -> tuple[int, int]:
        """(followers, following) of a user."""
        return await self._counts_loader.load(user_id)
