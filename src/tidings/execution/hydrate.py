"""Render once, hydrate per viewer: a viewer-scoped subscription without a full execution each.

A selection that reaches `@viewerScoped` fields (`engagement { likes likedByViewer }`) cannot
share its bytes between viewers, but almost all of it is the same for everyone. So, when every
viewer field it reaches is a leaf (scope.py decides, `Sharing.HYDRATED`), an event is executed
once per (document, variables, event) with a `Capture` middleware: each viewer field it meets
is not resolved but answered with a placeholder of its type, and remembered as a `Slot` (its
resolver, parent object, resolve info and arguments). The response is serialized once, with a
marker where each slot's value goes, and cut there into a `Rendered` template.

Per recipient, `Rendered.hydrate` calls only the slots' own resolvers, the very resolvers a full
execution would call (so they batch through the per-process loaders: one store read per loop
turn for all recipients), with the recipient's context, and joins the template around their
values: the client's field order and aliases are the template's own. A slot whose resolver
raises, or answers null where the field is non-null, makes `hydrate` give up (None): that
recipient gets a full execution of their own, which says what GraphQL says (the error, the
null propagated to the nearest nullable parent). A viewer never reads a value resolved for
another: the template holds placeholders only, never a viewer's value.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

import orjson
from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    get_nullable_type,
    is_leaf_type,
)

from ..types.viewer import is_viewer_scoped

# What a non-null viewer field of a built-in scalar type holds in the shared execution. Any
# other non-null leaf type cannot be hydrated (scope.py keeps those per viewer).
PLACEHOLDERS: dict[str, Any] = {
    GraphQLBoolean.name: False,
    GraphQLInt.name: 0,
    GraphQLFloat.name: 0.0,
    GraphQLString.name: "",
    GraphQLID.name: "",
}

# A marker no client can write: JSON escapes the NUL (as a client's NUL would be) and the nonce
# lives in this process only. A payload where the markers are not exactly the expected ones is
# never hydrated (every recipient then gets a full execution of their own).
_NONCE = secrets.token_hex(16)
_MARK = f"\x00hydrate:{_NONCE}:"
_SPLIT = re.compile(re.escape(orjson.dumps(_MARK).decode()[:-1]) + r'(\d+)"')

# Up to this many slots a recipient awaits one after the other (each wait is one batched store
# read for every recipient); more are gathered (a Task each, but one loop turn).
SEQUENTIAL = 2


def placeholder(return_type: GraphQLOutputType) -> tuple[bool, Any]:
    """(whether a field of this type can be hydrated, what it holds in the shared execution)."""
    if not isinstance(return_type, GraphQLNonNull):
        return is_leaf_type(return_type), None
    named = get_nullable_type(return_type)
    if is_leaf_type(named) and named.name in PLACEHOLDERS:
        return True, PLACEHOLDERS[named.name]
    return False, None


@dataclass(slots=True)
class Slot:
    """One viewer field of one shared execution: what resolving it for a recipient needs."""

    resolve: Callable[..., Any]
    root: Any
    info: GraphQLResolveInfo[Any]
    args: dict[str, Any]

    async def value(self, context: Any) -> str | None:
        """The field's JSON for `context`'s viewer; None when only a full execution can say."""
        try:
            result = self.resolve(self.root, self.info._replace(context=context), **self.args)
            if isawaitable(result):
                result = await result
            return_type = self.info.return_type
            if result is None:
                return None if isinstance(return_type, GraphQLNonNull) else "null"
            leaf = get_nullable_type(return_type)
            assert is_leaf_type(leaf)
            return orjson.dumps(leaf.serialize(result)).decode()
        except Exception:  # the recipient's own execution reports (and logs) it
            return None


class Capture:
    """graphql-core middleware for the shared execution: viewer fields become slots."""

    def __init__(self) -> None:
        self.slots: list[Slot] = []
        self.failed = False  # met a viewer field it cannot stand in for

    def resolve(
        self, next_: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], **args: Any
    ) -> Any:
        field: GraphQLField | None = info.parent_type.fields.get(info.field_name)
        if field is None or not is_viewer_scoped(field):
            return next_(root, info, **args)
        ok, stand_in = placeholder(info.return_type)
        if not ok or info.path.prev is None:  # scope.py refuses these; never share them anyway
            self.failed = True
            return next_(root, info, **args)
        self.slots.append(Slot(next_, root, info, args))
        return stand_in

    def rendered(self, response: dict[str, Any]) -> Rendered:
        """The template of one shared execution's response (`format_result`'s dict)."""
        if self.failed:
            return Rendered(None, [])
        marked: set[int] = set()
        data = response.get("data")
        for index, slot in enumerate(self.slots):
            *parents, key = slot.info.path.as_list()
            node: Any = data
            for step in parents:  # a parent nulled by an error holds no slot
                node = _child(node, step)
            if isinstance(node, dict) and key in node:
                node[key] = f"{_MARK}{index}"
                marked.add(index)
        parts = _SPLIT.split(orjson.dumps(response).decode())
        order = [int(index) for index in parts[1::2]]
        if len(order) != len(marked) or set(order) != marked:
            return Rendered(None, [])
        return Rendered(parts[0::2], [self.slots[index] for index in order])


def _child(node: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return node[step] if isinstance(node, list) and step < len(node) else None
    return node.get(step) if isinstance(node, dict) else None


class Rendered:
    """A shared execution's response with its viewer fields left out: `segments` around `slots`
    (in the response's order); `segments` is None when it must not be hydrated at all."""

    __slots__ = ("segments", "slots")

    def __init__(self, segments: list[str] | None, slots: list[Slot]) -> None:
        self.segments = segments
        self.slots = slots

    async def hydrate(self, context: Any) -> str | None:
        """The response for the viewer of `context`; None: give them a full execution."""
        segments = self.segments
        if segments is None:
            return None
        if not self.slots:
            return segments[0]
        if len(self.slots) <= SEQUENTIAL:
            values = [await slot.value(context) for slot in self.slots]
        else:
            values = await _gather([slot.value(context) for slot in self.slots])
        parts = [segments[0]]
        for value, segment in zip(values, segments[1:], strict=True):
            if value is None:
                return None
            parts.append(value)
            parts.append(segment)
        return "".join(parts)


async def _gather(values: list[Awaitable[str | None]]) -> list[str | None]:
    return list(await asyncio.gather(*values))
