"""The committed schema.graphql is what the code serves, and it holds the public contract."""

from __future__ import annotations

from pathlib import Path

from tidings.schema import schema

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_matches_the_code():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed.strip() == schema.as_str().strip(), "run: tidings export-schema > schema.graphql"
