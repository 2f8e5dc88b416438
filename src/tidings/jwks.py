"""The public keys of an identity provider: the JSON Web Key Set at `TIDINGS_JWKS_URL`.

Fetched at start, held in memory, and fetched again (with httpx, so the event loop never waits
on the network):
- when a token names a `kid` the set does not hold, at most once per `min_interval` seconds
  (30 by default; TIDINGS_JWKS_REFRESH_INTERVAL), however many such tokens arrive: callers
  arriving during a fetch share it, and until the interval has passed an unknown `kid` is
  simply refused, so forged `kid`s cannot make us hammer the provider;
- every hour in the background, so that a key the provider withdrew stops working.
A failed fetch (provider down, HTTP error, a body that is not a key set) is logged as a warning
and changes nothing: the keys held keep working, and the server stays up.

PyJWT's own PyJWKClient is not used: it fetches with blocking urllib under a thread lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import httpx
import orjson
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKSetError, PyJWTError

log = logging.getLogger("tidings.auth")

ALGORITHMS = ("RS256", "ES256")
MIN_INTERVAL = 30.0
REFRESH_EVERY = 3600.0
FETCH_TIMEOUT = 5.0
MAX_BYTES = 512 * 1024


class JwksError(Exception):
    """A fetched body is not a usable key set."""


def parse(body: bytes) -> list[PyJWK]:
    """The RS256/ES256 signing keys of a JWKS document; JwksError when it has none."""
    try:
        document: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise JwksError("not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksError('not a JSON Web Key Set: expected {"keys": [...]}')
    try:
        keys = PyJWKSet.from_dict(document).keys
    except (PyJWKSetError, PyJWTError) as exc:
        raise JwksError(str(exc)) from None
    usable = [key for key in keys if key.algorithm_name in ALGORITHMS and key.public_key_use != "enc"]
    if not usable:
        raise JwksError(f"no {' or '.join(ALGORITHMS)} signing key in the set")
    return usable


class KeySet:
    def __init__(
        self, url: str, *, min_interval: float = MIN_INTERVAL, refresh_every: float = REFRESH_EVERY
    ) -> None:
        self.url = url
        self.min_interval = min_interval
        self.refresh_every = refresh_every
        self.keys: list[PyJWK] = []
        self.fetches = 0  # attempts, successful or not
        self.failures = 0
        self._last_attempt: float | None = None
        self._fetching: asyncio.Task[bool] | None = None
        self._client: httpx.AsyncClient | None = None
        self._refresher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Fetch the set (a failure is logged: the server starts anyway), then keep it fresh."""
        self._client = httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=False)
        await self.refresh()
        self._refresher = asyncio.create_task(self._refresh_periodically())

    async def close(self) -> None:
        for task in (self._refresher, self._fetching):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def key(self, kid: str | None, algorithm: str) -> PyJWK | None:
        """The key for a token's `kid` and `alg`, fetching the set again if it may; None when
        there is none. A token without `kid` gets the set's only key of its algorithm."""
        found = self._find(kid, algorithm)
        if found is not None:
            return found
        if self._fetching is not None and not self._fetching.done():  # one under way: wait for it
            await asyncio.shield(self._fetching)
        elif self._may_fetch():
            await self.refresh()
        return self._find(kid, algorithm)

    async def refresh(self) -> bool:
        """Fetch the set now; callers arriving during a fetch share it. True when it succeeded."""
        if self._fetching is None or self._fetching.done():
            self._last_attempt = time.monotonic()
            self._fetching = asyncio.create_task(self._fetch())
        return await asyncio.shield(self._fetching)

    def _find(self, kid: str | None, algorithm: str) -> PyJWK | None:
        candidates = [key for key in self.keys if key.algorithm_name == algorithm]
        if kid is None:
            return candidates[0] if len(candidates) == 1 else None
        return next((key for key in candidates if key.key_id == kid), None)

    def _may_fetch(self) -> bool:
        last = self._last_attempt
        return last is None or time.monotonic() - last >= self.min_interval

    async def _fetch(self) -> bool:
        self.fetches += 1
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=False)
        try:
            async with self._client.stream("GET", self.url, headers={"Accept": "application/json"}) as reply:
                if reply.status_code != 200:
                    raise JwksError(f"HTTP {reply.status_code}")
                body = bytearray()
                async for chunk in reply.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise JwksError(f"larger than {MAX_BYTES // 1024} KiB")
            keys = parse(bytes(body))
        except (httpx.HTTPError, JwksError) as exc:
            self.failures += 1
            log.warning(
                "JWKS not fetched from %s: %s; the %d keys held stay in use",
                self.url,
                str(exc) or type(exc).__name__,
                len(self.keys),
            )
            return False
        self.keys = keys
        log.info("JWKS fetched from %s: %d signing keys", self.url, len(keys))
        return True

    async def _refresh_periodically(self) -> None:
        while True:
            # Without keys (the provider was down at start), try again sooner.
            await asyncio.sleep(self.refresh_every if self.keys else self.min_interval)
            await self.refresh()


__all__ = ["KeySet", "JwksError", "parse"]
