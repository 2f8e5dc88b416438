"""Which media type a request gets back, from its Accept header (http/mediatypes.py)."""

from __future__ import annotations

import pytest

from tidings.http.mediatypes import Media, choose, preferences

URQL_QUERY = (
    "application/graphql-response+json, application/graphql+json, application/json, "
    "text/event-stream, multipart/mixed"
)
APOLLO_SUBSCRIPTION = ",".join(
    [
        "multipart/mixed;boundary=graphql;subscriptionSpec=1.0",
        "application/graphql-response+json",
        "application/json;q=0.9",
    ]
)


@pytest.mark.parametrize(
    ("accept", "subscription", "expected"),
    [
        (None, False, Media.JSON),
        ("", False, Media.JSON),
        ("*/*", False, Media.JSON),
        ("application/*", False, Media.JSON),
        ("application/graphql-response+json", False, Media.GRAPHQL_JSON),
        ("application/json, application/graphql-response+json", False, Media.JSON),
        ("application/json;q=0.5, application/graphql-response+json", False, Media.GRAPHQL_JSON),
        (URQL_QUERY, False, Media.GRAPHQL_JSON),  # urql lists SSE on every request: JSON for a query
        (URQL_QUERY, True, Media.SSE),
        ("text/event-stream, multipart/mixed", True, Media.SSE),
        ("text/event-stream", False, Media.SSE),  # graphql-sse: queries and mutations too
        (APOLLO_SUBSCRIPTION, True, Media.MULTIPART),
        ('multipart/mixed;subscriptionSpec="1.0"', True, Media.MULTIPART),
        ("multipart/mixed;deferSpec=20220824, application/json", True, None),  # @defer's format alone
        ("*/*", True, None),  # a wildcard never picks a stream
        ("text/*", True, None),
        ("application/json, text/event-stream;q=0", True, None),
        ("text/html", False, None),
    ],
)
def test_the_client_s_preference_among_what_can_carry_the_operation(accept, subscription, expected):
    assert choose(preferences(accept), subscription=subscription) is expected


def test_nothing_acceptable_is_an_empty_preference():
    assert preferences("image/png, text/html;q=0.9") == ()
