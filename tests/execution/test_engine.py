"""The engine: which root field a document selects (the sharing scope and the stats depend on it)."""

from __future__ import annotations

from pathlib import Path

from tidings.execution.engine import Engine
from tidings.schema import schema

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
