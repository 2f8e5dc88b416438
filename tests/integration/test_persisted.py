"""Persisted documents on every transport: Apollo's automatic persisted queries (hash only ->
PERSISTED_QUERY_NOT_FOUND; hash and query -> registered; hash only -> runs; a hash that is not
the query's -> refused), and trusted documents (TIDINGS_TRUSTED_DOCUMENTS), in which nothing
else runs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tidings.errors import ConfigError
from tidings.http import create_app

from ..clients import LEGACY_WS, TRANSPORT_WS, Stream, WsClient
from ..conftest import LiveServer
from ..factories import make_settings, token
from ..streams import StreamClient

QUERY = "query Me { viewer { id } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
NOT_FOUND = [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
MISMATCH = [{"message": "provided sha does not match query", "extensions": {"code": "BAD_REQUEST"}}]
TRANSPORTS = ["http", "sse", "multipart", TRANSPORT_WS, LEGACY_WS]
Run = Callable[[str | None, dict[str, Any] | None], Awaitable[dict[str, Any]]]


def persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def runner(server: LiveServer, transport: str) -> Run:
    """Send one operation (`query` may be None) over `transport`; its one result, as a dict with
    `data` or `errors`."""

    async def run(query: str | None, extensions: dict[str, Any] | None) -> dict[str, Any]:
        if transport == "http":
            body: dict[str, Any] = {"query": query, "extensions": extensions}
            async with httpx.AsyncClient(base_url=server.http_url) as http:
                response = await http.post(
                    "/graphql", json=body, headers={"authorization": f"Bearer {token('alice')}"}
                )
            result: dict[str, Any] = response.json()
            return result
        if transport in ("sse", "multipart"):
            stream = StreamClient(server.http_url, transport, token("alice"))
            await stream.open(query or "", extensions=extensions, omit_query=query is None)
            kind, value = await stream.message()
            await stream.close()
            assert kind == "next", (kind, value)
            return value  # type: ignore[no-any-return]
        client = await WsClient(server.ws_url, transport).open()
        await client.init(token("alice"))
        payload: dict[str, Any] = {"extensions": extensions} if extensions else {}
        if query is not None:
            payload["query"] = query
        operation = client.streams["1"] = Stream(client, "1")
        kind = "subscribe" if transport == TRANSPORT_WS else "start"
        await client.send({"type": kind, "id": "1", "payload": payload})
        message = await operation.message()
        await client.close()
        if message["type"] == "error":
            errors = message["payload"]
            return {"errors": errors if isinstance(errors, list) else [errors]}
        return message["payload"]  # type: ignore[no-any-return]

    return run


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_automatic_persisted_queries(live_server, transport):
    run = runner(live_server, transport)
    assert await run(None, persisted(HASH)) == {"errors": NOT_FOUND}
    assert await run("", persisted(HASH)) == {"errors": NOT_FOUND}  # "" beside a hash is no query
    assert await run(QUERY, persisted("0" * 64)) == {"errors": MISMATCH}
    assert await run(None, persisted(HASH)) == {"errors": NOT_FOUND}  # a mismatch registers nothing
    assert await run(QUERY, persisted(HASH)) == {"data": {"viewer": {"id": "alice"}}}
    assert await run(None, persisted(HASH)) == {"data": {"viewer": {"id": "alice"}}}


async def test_a_registered_hash_works_on_every_transport(live_server):
    assert await runner(live_server, "http")(QUERY, persisted(HASH)) == {"data": {"viewer": {"id": "alice"}}}
    for transport in TRANSPORTS:
        assert await runner(live_server, transport)(None, persisted(HASH)) == {
            "data": {"viewer": {"id": "alice"}}
        }


async def test_a_document_that_does_not_validate_is_not_registered(live_server):
    run = runner(live_server, "http")
    bad = "{ nope }"
    digest = hashlib.sha256(bad.encode()).hexdigest()
    assert "Cannot query field 'nope'" in (await run(bad, persisted(digest)))["errors"][0]["message"]
    assert await run(None, persisted(digest)) == {"errors": NOT_FOUND}


@pytest.fixture
def trusted(tmp_path: Path) -> Iterator[LiveServer]:
    documents = {HASH: QUERY}
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps(documents))
    server = LiveServer(make_settings(tmp_path, trusted_documents=path))
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_with_trusted_documents_only_those_run(trusted, transport):
    run = runner(trusted, transport)
    alice = {"data": {"viewer": {"id": "alice"}}}
    assert await run(None, persisted(HASH)) == alice
    assert await run("", persisted(HASH)) == alice  # graphql-ws' way of sending no query
    assert await run(QUERY, None) == alice  # its exact text is that document
    assert await run(" " + QUERY, persisted(HASH)) == {"errors": MISMATCH}  # text beside it must be it
    other = "query Other { viewer { handle } }"
    other_hash = hashlib.sha256(other.encode()).hexdigest()
    refused = await run(other, None)
    assert refused["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}
    assert "data" not in refused
    assert await run(other, persisted(other_hash)) == {"errors": NOT_FOUND}  # nothing registers
    assert await run(None, persisted(other_hash)) == {"errors": NOT_FOUND}


async def test_trusted_documents_by_document_id_and_the_graphql_over_http_status(trusted):
    async with httpx.AsyncClient(base_url=trusted.http_url) as http:
        response = await http.post(
            "/graphql",
            json={"documentId": f"sha256:{HASH}"},
            headers={"authorization": f"Bearer {token('alice')}"},
        )
        assert response.json() == {"data": {"viewer": {"id": "alice"}}}
        refused = await http.post(
            "/graphql",
            json={"query": "{ viewer { id } }"},
            headers={"accept": "application/graphql-response+json"},
        )
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[1, 2]", "expected a JSON object of hash -> document"),
        ('{"abc": "{ viewer { id } }"}', "is not the SHA-256 of its document"),
        ("not json", "cannot be read as JSON"),
        (json.dumps({hashlib.sha256(b"{ nope }").hexdigest(): "{ nope }"}), "does not run on this schema"),
    ],
)
def test_a_trusted_documents_file_that_cannot_be_trusted_stops_the_start(tmp_path, content, problem):
    path = tmp_path / "documents.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=problem):
        create_app(make_settings(tmp_path, trusted_documents=path))


async def test_the_dashboards_persisted_documents_all_run_on_a_server_locked_to_them(tmp_path):
    path = Path(__file__).resolve().parents[2] / "frontend" / "src" / "gql" / "persisted-documents.json"
    documents: dict[str, str] = json.loads(path.read_text())
    server = LiveServer(make_settings(tmp_path, trusted_documents=path))  # every one validates
    server.start()
    try:
        [viewer] = [key for key, text in documents.items() if text.startswith("query Viewer ")]
        run = runner(server, "http")
        assert await run(None, persisted(viewer.removeprefix("sha256:"))) == {
            "data": {
                "viewer": {"__typename": "User", "displayName": "Alice", "handle": "alice", "id": "alice"}
            }
        }
        assert (await run(QUERY, None))["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}
    finally:
        server.stop()
