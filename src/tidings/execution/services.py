"""Who is asking: tokens to viewers (upserting users on first sight), and the per-request Context."""

from __future__ import annotations

from collections import OrderedDict

from ..auth import Claims, Verifier
from ..bus import BroadcastBus
from ..config import Settings
from ..jwks import KeySet
from ..publish import Publisher
from ..resolvers import Context
from ..resolvers.context import StatsSource, TrendingSource
from ..resolvers.lookups import Lookups
from ..store import Store, UserRow

SEEN_USERS = 10_000


class Services:
    """What every Context shares: the store, the bus, settings, trending and stats."""

    def __init__(
        self,
        store: Store,
        bus: BroadcastBus,
        settings: Settings,
        trending: TrendingSource,
        stats: StatsSource,
    ) -> None:
        self.store = store
        self.bus = bus
        self.settings = settings
        self.trending = trending
        self.stats = stats
        self.publisher = Publisher(store, bus, trending)
        # One for the process: the viewer fields of every connection batch into one read.
        self.lookups = Lookups(store)
        self.keys = (
            KeySet(settings.jwks_url, min_interval=settings.jwks_refresh_interval)
            if settings.jwks_url
            else None
        )
        self.verifier = Verifier(settings, self.keys)
        self._seen: OrderedDict[Claims, UserRow] = OrderedDict()

    async def viewer_for(self, claims: Claims) -> UserRow:
        """The user a token names, created or refreshed in the store once per process."""
        key = Claims(claims.user_id, claims.handle, claims.name, claims.role, None)
        row = self._seen.get(key)
        if row is None:
            row = await self.store.upsert_user(claims)
            self._seen[key] = row
            if len(self._seen) > SEEN_USERS:
                self._seen.popitem(last=False)
        return row

    async def authenticate(self, token: str) -> tuple[Claims, UserRow]:
        """Verify a token and find its viewer; AuthError when the token is refused."""
        claims = await self.verifier.verify(token)
        return claims, await self.viewer_for(claims)

    def context(self, viewer: UserRow | None = None, claims: Claims | None = None) -> Context:
        return Context(
            store=self.store,
            bus=self.bus,
            settings=self.settings,
            trending=self.trending,
            stats=self.stats,
            publisher=self.publisher,
            viewer=viewer,
            claims=claims,
            lookups=self.lookups,
        )
