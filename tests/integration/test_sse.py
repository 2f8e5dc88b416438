"""GraphQL over SSE (graphql-sse's distinct connections mode) on a live server: subscriptions,
queries and mutations, negotiation by `Accept`, identity from `Authorization`, errors in the
stream, and the counts returning to zero."""

from __future__ import annotations

from typing import Any

from ..conftest import LiveServer, eventually
from ..factories import token
from ..streams import StreamClient

URQL_QUERY_ACCEPT = (
    "application/graphql-response+json, application/graphql+json, application/json, "
    "text/event-stream, multipart/mixed"
)


async def open_sse(
    live_server: LiveServer,
    user: str | None,
    query: str,
    variables: dict[str, Any] | None = None,
    **kwargs: Any,
) -> StreamClient:
    client = StreamClient(live_server.http_url, "sse", token(user) if user else None)
    return await client.open(query, variables, live=lambda: live_server.stats()["live"], **kwargs)


async def test_a_subscription_over_sse_gets_its_snapshot_then_an_event_caused_by_a_mutation(live_server, api):
    tweet_id = await api("alice").post("watch me over SSE")
    stream = await open_sse(
        live_server,
        "carol",
        "subscription($t: ID!) { engagement(tweetId: $t) { tweetId likes } }",
        {"t": tweet_id},
    )
    assert stream.status == 200
    assert stream.headers is not None
    assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert await stream.next() == {"tweetId": tweet_id, "likes": 0}
    await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    assert await stream.next() == {"tweetId": tweet_id, "likes": 1}
    figures = live_server.stats()["by_transport"]["sse"]
    assert figures["connections"] == 1
    assert figures["subscriptions"] == 1
    assert figures["delivered"] == 2
    await stream.close()
    await eventually(lambda: live_server.stats()["by_transport"]["sse"]["connections"] == 0)
    stats = live_server.stats()
    assert (stats["subscriptions"], stats["streams"], stats["live"], stats["mailboxes"]) == (0, 0, 0, 0)
    assert stats["by_transport"]["sse"]["subscriptions"] == 0


async def test_the_viewer_comes_from_the_authorization_header(live_server, api):
    tweet_id = await api("alice").post("notify me")
    notes = await open_sse(
        live_server, "alice", "subscription { notifications { kind notification { actor { id } } } }"
    )
    await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    assert await notes.next() == {"kind": "CREATED", "notification": {"actor": {"id": "bob"}}}


async def test_another_users_stream_is_an_error_event_then_complete(live_server):
    stream = await open_sse(live_server, None, "subscription { notifications { kind } }")
    kind, result = await stream.message()
    assert kind == "next"
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await stream.message() == ("complete", None)
    assert await stream.message() == ("closed", None)


async def test_a_query_and_a_mutation_over_sse_are_one_next_then_complete(live_server, api):
    tweet_id = await api("alice").post("like me over SSE")
    query = await open_sse(live_server, "bob", "{ viewer { id } }")
    assert await query.next() == {"id": "bob"}
    assert await query.message() == ("complete", None)
    mutation = await open_sse(
        live_server, "bob", f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}'
    )
    assert await mutation.next() == {"likes": 1}
    assert await mutation.message() == ("complete", None)
    assert await mutation.message() == ("closed", None)


async def test_get_with_query_and_variables_params_streams_too(live_server, api):
    tweet_id = await api("alice").post("over GET")
    stream = await open_sse(
        live_server,
        "carol",
        "subscription($t: ID!) { engagement(tweetId: $t) { likes } }",
        {"t": tweet_id},
        method="GET",
    )
    assert await stream.next() == {"likes": 0}
    await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    assert await stream.next() == {"likes": 1}


async def test_a_mutation_over_get_is_refused_even_as_a_stream(http):
    response = await http.get(
        "/graphql",
        params={"query": "mutation { markAllNotificationsRead }"},
        headers={"accept": "text/event-stream"},
    )
    assert response.status_code == 405


async def test_urqls_accept_gets_json_for_a_query_and_sse_for_a_subscription(live_server, http):
    response = await http.post(
        "/graphql", json={"query": "{ trending { topic } }"}, headers={"accept": URQL_QUERY_ACCEPT}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/graphql-response+json"
    assert response.json() == {"data": {"trending": []}}
    stream = await open_sse(
        live_server,
        "bob",
        "subscription { trending { windowSeconds } }",
        accept="text/event-stream, multipart/mixed",
    )
    assert stream.headers is not None
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert await stream.next() == {"windowSeconds": 900}


async def test_documents_that_do_not_parse_or_validate_are_reported_in_the_stream(live_server):
    for query, expected in (
        ("subscription {", "Syntax Error"),
        ("subscription { nope }", "Cannot query field 'nope'"),
    ):
        stream = await open_sse(live_server, None, query)
        assert stream.status == 200
        kind, result = await stream.message()
        assert kind == "next"
        assert expected in result["errors"][0]["message"]
        assert "data" not in result
        assert await stream.message() == ("complete", None)


async def test_a_bad_token_is_refused_with_401_before_any_stream(http):
    response = await http.post(
        "/graphql",
        json={"query": "subscription { trending { windowSeconds } }"},
        headers={"accept": "text/event-stream", "authorization": "Bearer nope"},
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_subscription_without_a_stream_type_is_not_acceptable(http):
    response = await http.post(
        "/graphql", json={"query": "subscription { trending { windowSeconds } }"}, headers={"accept": "*/*"}
    )
    assert response.status_code == 406
    assert "text/event-stream" in response.json()["errors"][0]["message"]
