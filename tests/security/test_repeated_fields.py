"""Repeated fields (review): graphql-core's OverlappingFieldsCanBeMerged compares every pair of
fields sharing a response name, and their subfields pair by pair. `viewer { id handle
displayName }` 300 times in a 10 kB document (1,800 tokens, no alias, depth 2: inside every other
limit) held the event loop for ~3 s of validation, and was then answered with data; anyone could
send it over GET with no token. Such documents are refused before validation now (execution/
repeats.py), on every transport; documents that repeat a field a few times, as colocated
fragments do, still run."""

from __future__ import annotations

from typing import Any

import httpx

from ..clients import WsClient
from ..factories import token
from .checks import stream_error

VIEWERS = "{ " + " ".join(["viewer { id handle displayName }"] * 300) + " }"
FRAGMENTS = (
    "{ "
    + " ".join(f"...F{i}" for i in range(150))
    + " } "
    + " ".join(f"fragment F{i} on Query {{ viewer {{ id handle }} }}" for i in range(150))
)


def _nested(k: int, leaves: int) -> str:
    leaf = "{ " + " ".join(["id"] * leaves) + " }"
    author = "{ " + " ".join(["author " + leaf] * k) + " }"
    tweet = "{ " + " ".join(["tweet " + author] * k) + " }"
    return "notifications { " + " ".join(["notification " + tweet] * k) + " }"


def _refused(body: dict[str, Any]) -> bool:
    return "data" not in body and "repeats fields too often" in body["errors"][0]["message"]


async def test_a_document_of_repeated_fields_is_refused_over_http(http: httpx.AsyncClient) -> None:
    for document in (VIEWERS, FRAGMENTS):
        answer = await http.get("/graphql", params={"query": document})  # anonymous, over GET
        assert _refused(answer.json()), answer.text[:300]
        answer = await http.post("/graphql", json={"query": document})
        assert _refused(answer.json()), answer.text[:300]


async def test_repeated_subfields_are_refused_on_a_websocket(live_server: Any, protocol: str) -> None:
    client = await WsClient(live_server.ws_url, protocol).open()
    try:
        await client.init(token("alice"))
        stream = await client.subscribe("subscription { " + _nested(4, 8) + " }")
        error = await stream_error(stream)
        assert "repeats fields too often" in error["message"], error
        # The socket still serves what is not repeated.
        fine = await client.subscribe("trending { windowSeconds }")
        assert (await fine.next(timeout=10))["windowSeconds"] == 900
    finally:
        await client.close()


async def test_fields_repeated_as_colocated_fragments_repeat_them_still_run(http: httpx.AsyncClient) -> None:
    document = (
        "query { viewer { id ...A ...B ...C } trending { topic ...T } "
        + " ".join(["viewer { __typename id }"] * 3)
        + " } fragment A on User { id __typename handle } fragment B on User { id __typename displayName } "
        "fragment C on User { id __typename followersCount } fragment T on TrendingTopic { topic rank }"
    )
    answer = await http.post(
        "/graphql", json={"query": document}, headers={"authorization": f"Bearer {token('alice')}"}
    )
    body = answer.json()
    assert "errors" not in body, body
    assert body["data"]["viewer"]["id"] == "alice"
