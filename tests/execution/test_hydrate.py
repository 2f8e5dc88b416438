"""Render once, hydrate per viewer (execution/hydrate.py): for every viewer, the hydrated bytes are
the bytes of that viewer's own full execution, in field order, aliases, lists and nulls; where a
viewer field fails, hydration gives up and the full execution says what GraphQL says."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
import strawberry
from graphql import get_operation_ast, parse
from graphql.execution import Executor
from strawberry.types import Info

from tidings.execution import scope
from tidings.execution.engine import Subscription as Started
from tidings.execution.shared import dumps
from tidings.types.viewer import ViewerScoped

LIKERS = {"bob"}
R = TypeVar("R")


def viewer_scoped(resolver: R) -> R:
    """`@strawberry.field(directives=[ViewerScoped()])`, typed: Strawberry types its keyword-only
    decorator form as Any, which mypy --strict refuses on a method."""
    field: Callable[[R], R] = strawberry.field(directives=[ViewerScoped()])
    return field(resolver)


@strawberry.type
class Item:
    name: str
    owner: strawberry.Private[str]

    @viewer_scoped
    def mine(self, info: Info[Any, None]) -> bool:
        return bool(info.context.viewer == self.owner)


@strawberry.type
class Board:
    title: str
    items: list[Item]

    @viewer_scoped
    async def liked(self, info: Info[Any, None]) -> bool:
        viewer = info.context.viewer
        if viewer == "broken":
            raise ValueError("no such viewer")
        if viewer == "nobody":
            return None  # type: ignore[return-value]  # a non-null field answering null
        return viewer in LIKERS

    @viewer_scoped
    def seen(self, info: Info[Any, None]) -> int | None:
        return None if info.context.viewer == "alice" else len(str(info.context.viewer))

    @viewer_scoped
    def me(self, info: Info[Any, None]) -> Item:
        return Item(name=str(info.context.viewer), owner=str(info.context.viewer))


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def board(self) -> AsyncGenerator[Board, None]:
        yield BOARD


BOARD = Board(title="t", items=[Item(name="a", owner="alice"), Item(name="b", owner="bob")])
SCHEMA = strawberry.Schema(query=Query, subscription=Subscription)._schema

FORMS = {
    "plain": "subscription { board { liked title } }",
    "fragment": "subscription { board { ...B } } fragment B on Board { title liked }",
    "inline fragment": "subscription { board { title ... on Board { liked } } }",
    "alias": "subscription { board { heart: liked title again: liked } }",
    "list": "subscription { board { items { mine name } seen title } }",
    "nullable": "subscription { board { seen } }",
}


async def _never() -> AsyncGenerator[Any, None]:
    return
    yield


def started(document: str, viewer: str) -> Started:
    executor = Executor.build(SCHEMA, parse(document), context_value=SimpleNamespace(viewer=viewer))
    assert isinstance(executor, Executor)
    return Started(executor, _never())


def sharing(document: str) -> scope.Sharing:
    ast = parse(document)
    operation = get_operation_ast(ast)
    assert operation is not None
    return scope.sharing(SCHEMA, ast, operation, None)


@pytest.mark.parametrize("form", list(FORMS))
async def test_each_viewer_gets_the_bytes_of_their_own_execution(form):
    document = FORMS[form]
    assert sharing(document) is scope.Sharing.HYDRATED
    rendered = await started(document, "alice").render(BOARD)  # rendered once, with alice's context
    assert rendered.segments is not None and rendered.slots
    for viewer in ("alice", "bob", "carol"):
        own = dumps(await started(document, viewer).execute(BOARD))
        assert await rendered.hydrate(SimpleNamespace(viewer=viewer)) == own


async def test_the_template_holds_no_viewers_value():
    rendered = await started(FORMS["list"], "alice").render(BOARD)
    assert rendered.segments is not None
    template = "".join(rendered.segments)
    assert "true" not in template and "false" not in template and "null" not in template


@pytest.mark.parametrize("viewer", ["broken", "nobody"])
async def test_a_viewer_field_that_fails_is_left_to_a_full_execution(viewer):
    document = "subscription { board { title liked } }"
    rendered = await started(document, "alice").render(BOARD)
    assert await rendered.hydrate(SimpleNamespace(viewer="bob")) is not None
    assert await rendered.hydrate(SimpleNamespace(viewer=viewer)) is None
    own = await started(document, viewer).execute(BOARD)
    assert own["data"] is None  # the non-null field's null reaches its nullable parent: the root
    assert own["errors"][0]["path"] == ["board", "liked"]


def test_what_can_be_hydrated():
    assert sharing("subscription { board { title items { name } } }") is scope.Sharing.PUBLIC
    assert sharing("subscription { board { me { name } } }") is scope.Sharing.PER_VIEWER  # not a leaf
    assert sharing("subscription { board { title liked me { mine } } }") is scope.Sharing.PER_VIEWER
    assert sharing("subscription { board { ... on Board { items { mine } } } }") is scope.Sharing.HYDRATED
