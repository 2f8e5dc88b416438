"""Execute once, send bytes many times.

Subscribers whose result cannot differ share one execution per event and one serialized
payload: the key is the event value itself (the Hub hands the same object to every local
subscriber, and `Event.memo` turns it into the same typed value), the document, the variables,
the operation name, and the viewer wherever the result may depend on who asks: when the
selection reaches a field marked `@viewerScoped` (scope.py reads it, through fragments,
aliases and @include/@skip). A cross-viewer leak through this cache would be the worst bug this
server could have: tests hold it (tests/execution/test_shared.py, tests/integration/test_sharing.py).

A viewer-scoped selection whose viewer fields are leaves (scope.Sharing.HYDRATED) shares its
execution too, without the viewer: the entry is then a `Rendered` template, and each recipient
gets it hydrated with their own viewer fields (hydrate.py, `hydrated`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from .hydrate import Rendered
from .scope import Sharing

# Every subscriber of an event reads it during the Hub's fan-out callback (execution/_eager.py),
# so an entry is useful for one fan-out, plus the few subscribers whose sockets pushed back.
# Entries keep their value alive (an event's whole object graph): a large cache is only memory.
SIZE = 256


class SharedPayloads:
    def __init__(self, size: int = SIZE) -> None:
        self._entries: OrderedDict[tuple[Any, ...], tuple[Any, str | Rendered]] = OrderedDict()
        self.size = size
        self.executions = 0
        self.hits = 0
        self.hydrations = 0  # recipients served from a Rendered entry with their own viewer fields
        self.fallbacks = 0  # recipients a Rendered entry could not serve: executed whole

    def get(self, key: tuple[Any, ...]) -> str | None:
        entry = self._entries.get(key)
        if entry is None or not isinstance(entry[1], str):
            return None
        self.hits += 1
        return entry[1]

    def rendered(self, key: tuple[Any, ...]) -> Rendered | None:
        entry = self._entries.get(key)
        if entry is None or not isinstance(entry[1], Rendered):
            return None
        self.hits += 1
        return entry[1]

    async def hydrated(
        self,
        key: tuple[Any, ...],
        value: Any,
        render: Callable[[Any], Awaitable[Rendered]],
        execute: Callable[[Any], Awaitable[dict[str, Any]]],
        context: Any,
    ) -> str:
        """The payload of `value` for the viewer of `context`: the event rendered once per key,
        hydrated with this viewer's fields; executed whole when it cannot be (hydrate.py)."""
        rendered = self.rendered(key)
        if rendered is None:
            rendered = await render(value)
            self.put(key, value, rendered)
        payload = await rendered.hydrate(context)
        if payload is not None:
            self.hydrations += 1
            return payload
        self.fallbacks += 1
        self.executions += 1
        return dumps(await execute(value))

    def put(self, key: tuple[Any, ...], value: Any, payload: str | Rendered) -> None:
        # Holding `value` keeps its id() from being reused while the entry lives.
        self.executions += 1
        self._entries[key] = (value, payload)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)


def scope_of(viewer_scoped: bool, viewer_id: str | None) -> str | None:
    """Who a result may depend on: the viewer when the selection is viewer-scoped, else nobody."""
    return viewer_id if viewer_scoped else None


def key_tail(
    document: str,
    variables: dict[str, Any] | None,
    op_name: str | None,
    sharing: Sharing,
    viewer_id: str | None,
) -> tuple[Any, ...]:
    """A subscription's sharing key, but for the event: per viewer only when nothing less will do;
    a hydrated entry (a template, never a viewer's bytes) is keyed apart from a payload."""
    return (
        document,
        variables_key(variables),
        op_name,
        sharing,
        scope_of(sharing is Sharing.PER_VIEWER, viewer_id),
    )


def variables_key(variables: dict[str, Any] | None) -> str:
    # A str copy: the bytes orjson returns keep its whole 4 KiB output buffer, and every
    # subscription holds its key for life (4 KiB per subscriber, measured).
    return orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS).decode()


def dumps(payload: object) -> str:
    return orjson.dumps(payload).decode()
