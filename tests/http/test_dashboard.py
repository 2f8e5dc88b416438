"""The dashboard's files: gzip for text, long caching for hashed assets only, page paths answered
with index.html, and no source map unless one was built."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tidings.http import create_app

from ..factories import make_settings

INDEX = "<!doctype html><title>Tidings</title><div id=root></div>" + "<!-- padding -->" * 100
SCRIPT = "console.log('tidings');\n" * 400


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "index-AbC123.js").write_text(SCRIPT)
    (dist / "assets" / "tiny-XyZ.css").write_text("body{margin:0}")
    app = create_app(make_settings(tmp_path, static_dir=dist))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield client


async def test_hashed_assets_are_cached_for_a_year_and_go_out_gzipped(client: httpx.AsyncClient) -> None:
    response = await client.get("/assets/index-AbC123.js", headers={"accept-encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    assert int(response.headers["content-length"]) < len(SCRIPT) / 10
    assert response.text == SCRIPT  # httpx undid the gzip
    assert response.headers["etag"].startswith('W/"')


async def test_the_same_file_plain_for_a_client_without_gzip(client: httpx.AsyncClient) -> None:
    for accept in ("identity", "gzip;q=0", "br"):
        response = await client.get("/assets/index-AbC123.js", headers={"accept-encoding": accept})
        assert "content-encoding" not in response.headers, accept
        assert int(response.headers["content-length"]) == len(SCRIPT)
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_raw_bytes_on_the_wire_are_gzip(client: httpx.AsyncClient) -> None:
    async with client.stream(
        "GET", "/assets/index-AbC123.js", headers={"accept-encoding": "gzip"}
    ) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert gzip.decompress(raw).decode() == SCRIPT


async def test_index_html_is_revalidated_every_time(client: httpx.AsyncClient) -> None:
    for path in ("/", "/index.html"):
        response = await client.get(path, headers={"accept-encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["content-encoding"] == "gzip"
        assert response.text == INDEX


async def test_page_paths_of_the_app_answer_index_html(client: httpx.AsyncClient) -> None:
    for path in ("/u/alice", "/t/42", "/tag/graphql", "/u/caf%C3%A9"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert response.headers["cache-control"] == "no-cache"


async def test_missing_files_stay_404_and_the_api_is_untouched(client: httpx.AsyncClient) -> None:
    for path in ("/assets/index-AbC123.js.map", "/assets/gone-123.js", "/favicon.ico"):
        assert (await client.get(path)).status_code == 404, path
    assert (await client.get("/healthz")).status_code == 200
    graphql = await client.post("/graphql", json={"query": "{ __typename }"})
    assert graphql.json() == {"data": {"__typename": "Query"}}


async def test_small_files_and_revalidation(client: httpx.AsyncClient) -> None:
    tiny = await client.get("/assets/tiny-XyZ.css", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in tiny.headers  # under 1 kB: not worth it
    first = await client.get("/", headers={"accept-encoding": "gzip"})
    again = await client.get("/", headers={"accept-encoding": "gzip", "if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == "no-cache"


async def test_head_gives_the_headers_of_get(client: httpx.AsyncClient) -> None:
    get = await client.get("/assets/index-AbC123.js", headers={"accept-encoding": "gzip"})
    head = await client.head("/assets/index-AbC123.js", headers={"accept-encoding": "gzip"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-encoding"] == "gzip"
