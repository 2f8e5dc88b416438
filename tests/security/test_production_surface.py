"""Finding 12 (issue 11): what a production server shows the world, and what it keeps to itself.

With TIDINGS_ENV=production: GraphiQL is off unless TIDINGS_GRAPHIQL=true; /metrics answers only
the bearer of TIDINGS_METRICS_TOKEN (404 while unset); browsers may open a WebSocket only from the
server's own origin. In every environment: `stats` needs a viewer, an Origin with userinfo is
refused, GraphiQL is sent with a CSP, `Referrer-Policy: no-referrer` and `X-Frame-Options: DENY`,
and log lines hide `jwt=` values and percent-encoded tokens. (GraphiQL's behaviour in a browser:
test_graphiql_page.py.)"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tidings import logs

from ..conftest import LiveServer
from ..factories import make_settings, token

METRICS_TOKEN = "m" * 40
HTML = {"Accept": "text/html"}


@contextlib.asynccontextmanager
async def serving(tmp_path: Path, **overrides: Any) -> AsyncIterator[tuple[LiveServer, httpx.AsyncClient]]:
    server = LiveServer(make_settings(tmp_path, **overrides))
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as http:
            yield server, http
    finally:
        server.stop()


async def handshake(server: LiveServer, protocol: str, origin: str) -> int:
    """The HTTP status of a WebSocket handshake from a browser at `origin` (101: opened)."""
    try:
        async with connect(server.ws_url, subprotocols=[protocol], origin=origin):  # type: ignore[list-item, arg-type]
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


# GraphiQL ------------------------------------------------------------------------------------


async def test_graphiql_is_off_in_production_unless_asked_for(tmp_path):
    async with serving(tmp_path, env="production") as (_, http):
        response = await http.get("/graphql", headers=HTML)
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/json"
        assert "graphiql" not in response.text.lower()
    async with serving(tmp_path, env="production", graphiql=True) as (_, http):
        response = await http.get("/graphql", headers=HTML)
        assert response.status_code == 200
        assert "GraphiQL" in response.text
    async with serving(tmp_path, graphiql=False) as (_, http):
        assert (await http.get("/graphql", headers=HTML)).status_code == 400


async def test_graphiql_is_sent_with_a_policy_that_allows_exactly_its_own_scripts(tmp_path):
    async with serving(tmp_path) as (_, http):
        response = await http.get("/graphql?token=abc", headers=HTML)
    assert response.status_code == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in response.headers["content-security-policy"].split("; ")
    )
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["connect-src"] == "'self'"
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    external = re.findall(r'<script[^>]*\ssrc="([^"]+)"', response.text)
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline]
    # Its scripts are this server's own files (GraphiQL offline): 'self', and no other host.
    assert external and all(src.startswith("/graphql/assets/") for src in external)
    assert sorted(directives["script-src"].split()) == sorted(["'self'", *hashes])
    assert "'unsafe-inline'" not in directives["script-src"]
    page = response.text
    assert "history.replaceState" in page and 'searchParams.delete("token")' in page
    assert "wsConnectionParams" not in page  # GraphiQL's own retrying WebSocket client is not used


# /metrics ------------------------------------------------------------------------------------


async def test_metrics_in_production_need_the_metrics_token(tmp_path):
    async with serving(tmp_path, env="production") as (_, http):
        response = await http.get("/metrics")
        assert (response.status_code, response.json()) == (404, {"errors": [{"message": "Not Found"}]})
        assert (await http.get("/metrics", headers={"Authorization": "Bearer anything"})).status_code == 404
    async with serving(tmp_path, env="production", metrics_token=METRICS_TOKEN) as (_, http):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": METRICS_TOKEN}):
            response = await http.get("/metrics", headers=headers)
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == 'Bearer realm="metrics"'
            assert "tidings_connections" not in response.text
        response = await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert response.status_code == 200
        assert "tidings_connections" in response.text


async def test_metrics_token_is_asked_for_in_development_too_once_set(tmp_path):
    async with serving(tmp_path) as (_, http):
        assert (await http.get("/metrics")).status_code == 200
    async with serving(tmp_path, metrics_token=METRICS_TOKEN) as (_, http):
        assert (await http.get("/metrics")).status_code == 401
        ok = await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert ok.status_code == 200


# stats ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["development", "production"])
async def test_stats_need_a_viewer(tmp_path, env):
    async with serving(tmp_path, env=env) as (_, http):
        anonymous = (await http.post("/graphql", json={"query": "{ stats { connections } }"})).json()
        assert anonymous["data"] is None
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        signed_in = await http.post(
            "/graphql",
            json={"query": "{ stats { connections } }"},
            headers={"Authorization": f"Bearer {token('alice', ttl=600)}"},
        )
        assert signed_in.json() == {"data": {"stats": {"connections": 0}}}


# WebSocket origins ---------------------------------------------------------------------------


async def test_production_allows_only_the_server_s_own_origin(tmp_path, protocol):
    async with serving(tmp_path, env="production") as (server, _):
        own = f"http://127.0.0.1:{server.port}"
        assert await handshake(server, protocol, own) == 101
        assert await handshake(server, protocol, "http://localhost:5173") == 403
        assert await handshake(server, protocol, f"http://localhost:{server.port}") == 403
        assert await handshake(server, protocol, "http://127.0.0.1:5173") == 403
        assert await handshake(server, protocol, f"http://evil@127.0.0.1:{server.port}") == 403
    async with serving(tmp_path, env="production", allowed_origins="https://app.example") as (server, _):
        assert await handshake(server, protocol, "https://app.example") == 101
        assert await handshake(server, protocol, "https://evil@app.example") == 403


async def test_an_origin_with_userinfo_is_refused_everywhere(tmp_path, protocol):
    async with serving(tmp_path) as (server, _):
        assert await handshake(server, protocol, "http://localhost:5173") == 101  # development
        for origin in ("http://evil@localhost", "http://evil:pw@localhost:5173", "http://@localhost"):
            assert await handshake(server, protocol, origin) == 403, origin
    async with serving(tmp_path, allowed_origins="*") as (server, _):
        assert await handshake(server, protocol, "https://anyone.example") == 101
        assert await handshake(server, protocol, "https://evil@anyone.example") == 403


# logs ----------------------------------------------------------------------------------------


def test_log_redaction_covers_jwt_parameters_and_percent_encoded_tokens():
    jwt = token("alice")
    encoded = jwt.replace(".", "%2E")
    lines = {
        f"GET /graphql?jwt={jwt[:20]}&x=1": "GET /graphql?jwt=[redacted]&x=1",
        "GET /x?JWT=opaque-value": "GET /x?JWT=[redacted]",
        f"redirect=%2Fgraphql%3Ftoken%3D{jwt}": "redirect=%2Fgraphql%3Ftoken%3D[redacted]",
        f"next=%2Fgraphql%3Fjwt%3D{encoded} done": "next=%2Fgraphql%3Fjwt%3D[redacted] done",
        f"raw {encoded} done": "raw [redacted] done",
        f"two parts {jwt.split('.')[0]}%2E{jwt.split('.')[1]} done": "two parts [redacted] done",
        f"header Authorization%3A%20Bearer%20{jwt}": "header Authorization%3A%20Bearer%20[redacted]",
    }
    for line, expected in lines.items():
        assert logs.redact(line) == expected, line


def test_the_metrics_token_is_redacted_from_the_server_s_logs(tmp_path, capsys):
    import logging

    from tidings import cli

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        cli._logging(make_settings(tmp_path, metrics_token=METRICS_TOKEN))
        logging.getLogger("tidings.test").warning("scraped with Authorization %s", METRICS_TOKEN)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert "scraped with Authorization [redacted]" in err
    assert METRICS_TOKEN not in err
