"""GraphQL over HTTP, in process: queries, mutations, errors as JSON, limits."""

from __future__ import annotations

import pytest

from ..factories import token


def bearer(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(user)}"}


async def test_a_query_with_a_token_sees_the_viewer(app_client):
    response = await app_client.post(
        "/graphql", json={"query": "{ viewer { id handle displayName } }"}, headers=bearer("alice")
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"id": "alice", "handle": "alice", "displayName": "Alice"}}}


async def test_a_query_over_get(app_client):
    response = await app_client.get("/graphql", params={"query": "{ viewer { id } }"}, headers=bearer("bob"))
    assert response.json() == {"data": {"viewer": {"id": "bob"}}}


async def test_a_mutation_over_get_is_refused(app_client):
    response = await app_client.get(
        "/graphql", params={"query": 'mutation { postTweet(content: "x") { id } }'}, headers=bearer("bob")
    )
    assert response.status_code == 405
    assert response.json() == {"errors": [{"message": "Mutations are not allowed over GET; use POST."}]}


async def test_graphiql_is_served_to_browsers(app_client):
    response = await app_client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert "tidingsSubscribe" in response.text  # subscriptions carry the token in connection_init


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Request body is not valid JSON."),
        (b"[1, 2]", "Request body must be a JSON object with `query` (batches are not supported)."),
        (b'{"query": 5}', "`query` must be a string."),
        (b'{"query": "{ viewer { id } }", "variables": [1]}', "`variables` must be an object."),
    ],
)
async def test_a_malformed_body_gets_a_json_400(app_client, body, message):
    response = await app_client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": message}]}


async def test_a_bad_token_gets_401_as_json(app_client):
    response = await app_client.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_a_mutation_without_a_viewer_is_an_error_and_changes_nothing(app_client):
    response = await app_client.post(
        "/graphql", json={"query": 'mutation { postTweet(content: "anon") { id } }'}
    )
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "This field needs a signed-in viewer: send a Bearer token.",
                "locations": [{"line": 1, "column": 12}],
                "path": ["postTweet"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    feed = await app_client.post("/graphql", json={"query": "{ feed { id } }"}, headers=bearer("alice"))
    assert feed.json() == {"data": {"feed": []}}


async def test_an_oversized_query_is_refused_quickly(app_client):
    huge = "{ viewer { id } }" + " " * 1_000_000
    response = await app_client.post("/graphql", json={"query": huge})
    assert response.json() == {"errors": [{"message": "Query document is over the limit of 65536 bytes."}]}


async def test_a_too_deep_query_is_refused(tmp_path):
    import httpx

    from tidings.http import create_app

    from ..factories import make_settings

    app = create_app(make_settings(tmp_path, max_depth=2))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        shallow = await client.post("/graphql", json={"query": "{ feed { id } }"}, headers=bearer("a"))
        assert shallow.json() == {"data": {"feed": []}}
        deep = await client.post(
            "/graphql", json={"query": "{ notifications { tweet { author { id } } } }"}, headers=bearer("a")
        )
        assert deep.json()["errors"][0]["message"] == "'anonymous' exceeds maximum operation depth of 2"


async def test_too_many_aliases_are_refused(app_client):
    query = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(40)) + " }"
    response = await app_client.post("/graphql", json={"query": query}, headers=bearer("a"))
    assert response.json()["errors"][0]["message"] == "40 aliases found. Allowed: 30"


async def test_unexpected_errors_are_masked(app_client, monkeypatch):
    tidings = app_client.app.state.tidings

    async def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(tidings.store, "feed", broken)
    response = await app_client.post("/graphql", json={"query": "{ feed { id } }"}, headers=bearer("a"))
    assert response.json()["errors"][0]["message"] == "Unexpected error."
    assert "secret" not in response.text


async def test_health_and_readiness(app_client):
    assert (await app_client.get("/healthz")).json() == {"status": "ok"}
    assert (await app_client.get("/readyz")).json() == {"status": "ready", "store": "ok", "broker": "ok"}


async def test_metrics_are_prometheus_text(app_client):
    from prometheus_client.parser import text_string_to_metric_families

    await app_client.post(
        "/graphql", json={"query": 'mutation { postTweet(content: "m") { id } }'}, headers=bearer("a")
    )
    text = (await app_client.get("/metrics")).text
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {"tidings_connections", "tidings_subscriptions", "tidings_messages_delivered"} <= names


async def test_unknown_paths_answer_json(app_client):
    response = await app_client.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"message": "Not Found"}]}


async def test_demo_endpoints_exist_only_in_demo_mode(app_client, tmp_path):
    assert (await app_client.post("/demo/token", json={"userId": "alice"})).status_code in (404, 405)
