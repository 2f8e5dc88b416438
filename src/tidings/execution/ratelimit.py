"""Rate limits (docs/PROTOCOL.md): token buckets, and mutations a second per user (one token per
mutation field). Connection admission (per address, per user) is transport/admission.py.

Every check runs once per connection or once per mutation, never per delivery, and costs a
dictionary lookup or one Redis round trip: refusing a client costs the others nothing. A limit
set to 0 is off.

    limit                              where                 refusal
    TIDINGS_MAX_CONNECTIONS_PER_IP     before accept         close 4431
    TIDINGS_CONNECT_RATE_PER_IP        before accept         close 4432
    TIDINGS_MAX_CONNECTIONS_PER_USER   at connection_init    close 4430
    TIDINGS_MUTATION_RATE / _BURST     before a mutation     GraphQL error LIMIT_EXCEEDED
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..config import Settings
from ..errors import LimitError

log = logging.getLogger("tidings.limits")

MAX_KEYS = 100_000  # buckets kept in process; the least recently used go (they were full anyway)


class TokenBucket:
    """In-process token buckets by key: `rate` tokens a second, at most `burst` saved up."""

    __slots__ = ("_buckets", "burst", "rate")

    def __init__(self, rate: float, burst: float) -> None:
        assert rate > 0 and burst >= 1
        self.rate = rate
        self.burst = burst
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, now: float | None = None, count: int = 1) -> float:
        """Take `count` tokens, all or none: 0.0 when there were enough, else the seconds until
        there are (nothing is taken then)."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        wait = 0.0
        if tokens >= count:
            tokens -= count
        else:
            wait = (count - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
        return wait


# A token bucket in Redis, so that every process on one broker counts a user's mutations together.
# The clock is Redis's own (TIME), so that processes whose clocks differ agree.
_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local count = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= count then tokens = tokens - count else wait = (count - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class MutationLimiter:
    """Mutations a second per user. On a redis:// bus the bucket lives in Redis (shared by every
    process); while Redis fails, each process falls back to its own bucket rather than refusing
    every mutation. Services (role `service`) and anonymous requests are not limited here."""

    def __init__(self, settings: Settings, redis: Callable[[], Any | None], prefix: str) -> None:
        self.rate = settings.mutation_rate
        self.burst = settings.mutation_burst
        self._local = TokenBucket(self.rate, self.burst) if self.rate > 0 else None
        self._redis = redis
        self._prefix = prefix
        self._script: Any = None
        self._script_client: Any = None
        self._failing = False
        self.refused = 0

    async def refuse(self, context: Any, mutations: int = 1) -> dict[str, Any] | None:
        """None when the viewer may run `mutations` mutation fields now (they are counted);
        else the GraphQL error to answer with (and nothing is counted)."""
        if self._local is None or mutations <= 0:
            return None
        claims = getattr(context, "claims", None)
        viewer = getattr(context, "viewer", None)
        if viewer is None or (claims is not None and claims.role == "service"):
            return None
        if mutations > self.burst:
            self.refused += 1
            error = LimitError(
                f"Too many mutations: this request has {mutations}, and at most {self.burst} may run at once."
            )
            return {"message": error.message, "extensions": error.extensions}
        wait = await self._take(viewer.id, mutations)
        if not wait:
            return None
        self.refused += 1
        error = LimitError(
            f"Too many mutations: at most {self.rate:g} a second (burst {self.burst}); "
            f"retry in {wait:.2f} s.",
            retryAfter=round(wait, 3),
        )
        return {"message": error.message, "extensions": error.extensions}

    async def _take(self, user_id: str, count: int) -> float:
        assert self._local is not None
        client = self._redis()
        if client is not None:
            try:
                if self._script is None or self._script_client is not client:
                    self._script, self._script_client = client.register_script(_BUCKET_LUA), client
                key = f"{self._prefix}{user_id}"
                wait = float(await self._script(keys=[key], args=[self.rate, self.burst, count]))
                if self._failing:
                    log.info("mutation rate limits are shared through Redis again")
                self._failing = False
                return wait
            except Exception as exc:
                if not self._failing:
                    log.warning("mutation rate limit not shared (Redis: %r); counting in this process", exc)
                self._failing = True
        return self._local.take(user_id, count=count)
