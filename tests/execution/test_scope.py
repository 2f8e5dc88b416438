"""The sharing key's viewer part, read from the selection: fragments, inline fragments, aliases,
@include/@skip, and the real root field behind a fragment."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_operation_ast, parse

from tidings.execution import scope
from tidings.schema import schema

SCHEMA = schema._schema


def scoped(document: str, variables: dict[str, Any] | None = None) -> bool:
    ast = parse(document)
    operation = get_operation_ast(ast)
    assert operation is not None
    return scope.viewer_scoped(SCHEMA, ast, operation, variables)


ENGAGEMENT = 'subscription { engagement(tweetId: "1") { %s } }'


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("likes retweets", False),
        ("likes likedByViewer", True),
        ("retweetedByViewer", True),
        ("mine: likedByViewer", True),  # an alias does not hide the field
        ("likedByViewer: likes", False),  # nor does an alias named like it make one
        ("... on EngagementMetrics { likedByViewer }", True),
        ("... on EngagementMetrics { likes }", False),
        ("... { ... { retweetedByViewer } }", True),
        ("likes __typename", False),
        ("likedByViewer @skip(if: true) likes", False),
        ("likedByViewer @include(if: false) likes", False),
        ("likedByViewer @include(if: true)", True),
        ("... on EngagementMetrics @skip(if: true) { likedByViewer } likes", False),
    ],
)
def test_the_selection_decides_whether_engagement_is_viewer_scoped(selection, expected):
    assert scoped(ENGAGEMENT % selection) is expected


def test_named_fragments_are_followed():
    fragment = "fragment M on EngagementMetrics { %s }"
    document = 'subscription { engagement(tweetId: "1") { ...M } } '
    assert scoped(document + fragment % "likes likedByViewer") is True
    assert scoped(document + fragment % "likes") is False
    nested = (
        'subscription { engagement(tweetId: "1") { ...A } } '
        "fragment A on EngagementMetrics { likes ...B } fragment B on EngagementMetrics { likedByViewer }"
    )
    assert scoped(nested) is True


def test_include_and_skip_read_the_variables_and_their_defaults():
    document = (
        "subscription($mine: Boolean = false) "
        '{ engagement(tweetId: "1") { likes likedByViewer @include(if: $mine) } }'
    )
    assert scoped(document) is False
    assert scoped(document, {"mine": True}) is True
    assert scoped(document, {"mine": False}) is False
    unknown = 'subscription($mine: Boolean) { engagement(tweetId: "1") { likedByViewer @skip(if: $mine) } }'
    assert scoped(unknown) is True  # no value: doubt counts as selected


def test_viewer_fields_deep_in_the_selection_count():
    assert scoped('subscription { typing(conversationId: "1") { user { followedByViewer } } }') is True
    assert scoped('subscription { typing(conversationId: "1") { user { id followersCount } } }') is False
    # Which tweets reach a feed is the viewer's (bus/timeline.py routes them); how one renders is not
    assert scoped("subscription { feed { id metrics { likes } } }") is False
    assert scoped("subscription { feed { id likedByViewer } }") is True
    assert scoped("subscription { trending { topics { topic } } }") is False


def test_a_fragment_named_after_a_public_field_is_scoped_by_what_it_selects():
    document = (
        "subscription { ...engagement } "
        "fragment engagement on Subscription { notifications { kind notification { id } } }"
    )
    assert scoped(document) is True


def test_leaf_viewer_fields_below_the_root_are_hydrated_the_rest_is_per_viewer():
    def sharing(document: str) -> scope.Sharing:
        ast = parse(document)
        operation = get_operation_ast(ast)
        assert operation is not None
        return scope.sharing(SCHEMA, ast, operation, None)

    assert sharing(ENGAGEMENT % "likes retweets") is scope.Sharing.PUBLIC
    assert sharing(ENGAGEMENT % "likes mine: likedByViewer") is scope.Sharing.HYDRATED
    assert sharing(ENGAGEMENT % "... on EngagementMetrics { retweetedByViewer }") is scope.Sharing.HYDRATED
    assert sharing('subscription { typing(conversationId: "1") { user { followedByViewer } } }') is (
        scope.Sharing.HYDRATED
    )
    assert sharing("subscription { feed { id likedByViewer metrics { likedByViewer } } }") is (
        scope.Sharing.HYDRATED
    )
    # a viewer root field: the stream itself is the viewer's
    assert sharing("subscription { notifications { kind } }") is scope.Sharing.PER_VIEWER
    assert sharing("query { viewer { id } }") is scope.Sharing.PER_VIEWER
