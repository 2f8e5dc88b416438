"""The engine: which root field a document selects (the sharing scope and the stats depend on it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import strawberry
from strawberry.directive import DirectiveLocation
from strawberry.extensions import SchemaExtension

from tidings.errors import ConfigError
from tidings.execution.engine import Engine
from tidings.http import create_app
from tidings.schema import Mutation, Query, Subscription, schema

from ..factories import make_settings


def engine(tmp_path: Path) -> Engine:
    return Engine(schema, make_settings(tmp_path))


def test_the_root_field_is_the_field_not_a_fragment_named_like_a_public_one(tmp_path: Path) -> None:
    document = "subscription { ...trending } fragment trending on Subscription { feed { id content } }"
    prepared = engine(tmp_path).prepare(document)
    assert prepared.root_field == "feed"  # what stats and logs name the operation by


def test_the_root_field_is_found_through_inline_fragments_and_aliases(tmp_path: Path) -> None:
    prepared = engine(tmp_path).prepare("subscription { ... on Subscription { trending: feed { id } } }")
    assert prepared.root_field == "feed"
    assert engine(tmp_path).prepare("subscription { t: trending { windowSeconds } }").root_field == "trending"
    assert engine(tmp_path).prepare("{ viewer { id } me: viewer { handle } }").root_field == "viewer"
    assert engine(tmp_path).prepare("{ viewer { id } unreadCount }").root_field is None


class Tagging(SchemaExtension):
    """An extension that would add to every result, if anything ran it."""

    def on_execute(self) -> Iterator[None]:
        yield
        self.execution_context.extensions_results["tagged"] = True


@strawberry.directive(locations=[DirectiveLocation.FIELD], description="Upper-case a string field.")
def shout(value: str) -> str:
    return value.upper()


def test_a_schema_extension_is_refused_at_start_not_silently_skipped(tmp_path: Path) -> None:
    extended = strawberry.Schema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=[Tagging]
    )
    with pytest.raises(ConfigError) as refused:
        Engine(extended, make_settings(tmp_path))
    assert "(Tagging)" in refused.value.message
    assert "would not run" in refused.value.message


def test_a_custom_operation_directive_is_refused_at_start(tmp_path: Path) -> None:
    directed = strawberry.Schema(
        query=Query, mutation=Mutation, subscription=Subscription, directives=[shout]
    )
    with pytest.raises(ConfigError) as refused:
        Engine(directed, make_settings(tmp_path))
    assert "(@shout)" in refused.value.message


async def test_the_served_schema_starts_with_nothing_refused(tmp_path: Path) -> None:
    assert (schema.extensions, schema.directives) == ((), ())
    app = create_app(make_settings(tmp_path))
    async with app.router.lifespan_context(app):
        assert Engine(schema, make_settings(tmp_path)).schema is schema._schema
