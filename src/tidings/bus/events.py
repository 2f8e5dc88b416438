"""Event envelopes: what travels on the bus, as JSON."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

import orjson

T = TypeVar("T")

# Put by the Hub into every Mailbox when the broker is back after an outage: {"since": epoch
# seconds when it was lost}. Streams re-read from the store what they may have missed.
RESYNC = "resync"


class Event:
    """One published event. The hub hands the same object to every local subscriber of its
    channel, so whatever is derived from it (`memo`) is derived once per process."""

    __slots__ = ("_memo", "data", "kind", "order", "published_at")

    def __init__(
        self, kind: str, data: dict[str, Any], published_at: float | None = None, order: float | None = None
    ) -> None:
        self.kind = kind
        self.data = data
        self.published_at = time.time() if published_at is None else published_at
        # A state's version (engagement: its updated_at), for events that carry a whole state:
        # the Hub keeps each channel's newest such event as a snapshot for newcomers.
        self.order = order
        self._memo: dict[Any, Any] | None = None

    def encode(self) -> str:
        raw: dict[str, Any] = {"k": self.kind, "d": self.data, "t": self.published_at}
        if self.order is not None:
            raw["o"] = self.order
        return orjson.dumps(raw).decode()

    @classmethod
    def decode(cls, message: str | bytes) -> Event:
        raw = orjson.loads(message)
        return cls(raw["k"], raw["d"], raw.get("t"), raw.get("o"))

    def memo(self, key: Any, build: Callable[[Event], T]) -> T:
        """`build(self)`, computed once per event object and kept with it."""
        if self._memo is None:
            self._memo = {}
        try:
            return cast(T, self._memo[key])  # what `build` returned for this key, below
        except KeyError:
            value = self._memo[key] = build(self)
            return value

    def __repr__(self) -> str:
        return f"Event({self.kind!r}, {self.data!r})"
