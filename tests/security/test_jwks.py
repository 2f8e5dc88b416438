"""Issue 13, item 5: tokens from an identity provider, verified against its JSON Web Key Set.

A real HTTP server on a loopback port serves the key set; the tests rotate its keys, take it
down and hang it, against a real `tidings` server (uvicorn) over HTTP and both WebSocket
sub-protocols.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from ..clients import LEGACY_WS, WsClient
from ..conftest import LiveServer, free_port
from ..factories import SECRET, make_settings

ISSUER = "https://idp.example/"
AUDIENCE = "tidings-api"


class Signer:
    """A key pair of the identity provider: signs tokens, and is one JWK of its set."""

    def __init__(self, kid: str, algorithm: str) -> None:
        self.kid, self.algorithm = kid, algorithm
        if algorithm == "RS256":
            self.private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            jwk = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            jwk = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = {**jwk, "kid": kid, "use": "sig", "alg": algorithm}

    def token(self, sub: str = "idp|alice", *, kid: str | None = "", **claims: Any) -> str:
        body = {"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 600, **claims}
        headers = {} if kid is None else {"kid": kid or self.kid}
        return jwt.encode(
            {k: v for k, v in body.items() if v is not None}, self.private, self.algorithm, headers
        )


class JwksServer:
    """GET /jwks.json: the current key set; `up = False` answers 503; `hold` blocks each request
    until it is set (a provider that hangs)."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.up = True
        self.requests = 0
        self.hold = threading.Event()
        self.hold.set()
        self.waiting = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                owner.waiting.set()
                owner.hold.wait(30)
                owner.waiting.clear()
                body = json.dumps({"keys": owner.keys}).encode()
                self.send_response(200 if owner.up else 503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def publish(self, *signers: Signer) -> None:
        self.keys = [signer.jwk for signer in signers]


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    server.thread.start()
    yield server
    server.hold.set()
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def rsa_key() -> Signer:
    return Signer("rsa-1", "RS256")


@pytest.fixture
def ec_key() -> Signer:
    return Signer("ec-1", "ES256")


def start_tidings(tmp_path: Any, jwks: JwksServer, **overrides: Any) -> LiveServer:
    values = {"jwks_url": jwks.url, "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE, **overrides}
    server = LiveServer(make_settings(tmp_path, **values))
    server.start()
    return server


@pytest.fixture
def tidings_server(tmp_path: Any, jwks: JwksServer, rsa_key: Signer, ec_key: Signer) -> Iterator[LiveServer]:
    jwks.publish(rsa_key, ec_key)
    server = start_tidings(tmp_path, jwks, jwks_refresh_interval=1)
    yield server
    server.stop()


async def viewer(server: LiveServer, token: str) -> tuple[int, Any]:
    async with httpx.AsyncClient(base_url=server.http_url, timeout=15) as http:
        response = await http.post(
            "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": f"Bearer {token}"}
        )
    body = response.json()
    if response.status_code == 200:
        return 200, body["data"]["viewer"]["id"]
    return response.status_code, body["errors"][0]["message"]


async def ws_init(server: LiveServer, protocol: str, token: str) -> int | None:
    """None when the socket is acknowledged, else its close code."""
    client = await WsClient(server.ws_url, protocol).open()
    await client.init(token, expect_ack=False)
    closed = asyncio.ensure_future(client.wait_closed(10))
    reply = asyncio.ensure_future(client.control.get())
    await asyncio.wait([closed, reply], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if reply.done():
        if reply.result()["type"] == "connection_ack":
            closed.cancel()
            await client.close()
            return None
        assert (protocol, reply.result()["type"]) == (LEGACY_WS, "connection_error"), reply.result()
    else:
        reply.cancel()
    return (await closed).code


async def test_rs256_and_es256_tokens_are_verified_with_the_key_set(
    tidings_server, rsa_key, ec_key, protocol
):
    assert await viewer(tidings_server, rsa_key.token("idp|alice")) == (200, "idp|alice")
    assert await viewer(tidings_server, ec_key.token("idp|bob")) == (200, "idp|bob")
    assert await ws_init(tidings_server, protocol, rsa_key.token()) is None
    assert await ws_init(tidings_server, protocol, ec_key.token()) is None
    # HS256 with TIDINGS_SECRET still works, under the same issuer and audience rules.
    hs = jwt.encode({"sub": "carol", "iss": ISSUER, "aud": AUDIENCE}, SECRET, "HS256")
    assert await viewer(tidings_server, hs) == (200, "carol")
    assert await ws_init(tidings_server, protocol, hs) is None


async def test_issuer_audience_and_signature_must_hold(tidings_server, rsa_key, ec_key, protocol):
    impostor = Signer("rsa-1", "RS256")  # the provider's kid, another key
    public_pem = rsa_key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    refused = {
        "another issuer": rsa_key.token(iss="https://evil.example/"),
        "no issuer": rsa_key.token(iss=None),
        "another audience": rsa_key.token(aud="someone-else"),
        "no audience": rsa_key.token(aud=None),
        "a forged signature": impostor.token(),
        "an RSA kid on an EC key": jwt.encode(
            {"sub": "x", "iss": ISSUER, "aud": AUDIENCE}, ec_key.private, "ES256", {"kid": "rsa-1"}
        ),
        "alg none": jwt.encode({"sub": "x", "iss": ISSUER, "aud": AUDIENCE}, None, "none"),  # type: ignore[arg-type]
        "the public key as an HMAC secret": _hmac_with(public_pem),
        "HS256 without the issuer": jwt.encode({"sub": "x", "aud": AUDIENCE}, SECRET, "HS256"),
        "a string exp": rsa_key.token(exp=str(int(time.time()) + 600)),
    }
    for case, token in refused.items():
        status, message = await viewer(tidings_server, token)
        assert status == 401, (case, message)
        assert await ws_init(tidings_server, protocol, token) == 4403, case


def _hmac_with(key: bytes) -> str:
    """The algorithm-confusion attack: HS256 "signed" with the provider's public key."""
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    body = b64(json.dumps({"sub": "x", "iss": ISSUER, "aud": AUDIENCE}).encode())
    signature = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"


async def test_rotated_keys_are_fetched_on_an_unknown_kid(tidings_server, jwks, rsa_key, ec_key):
    fetched = jwks.requests
    assert fetched == 1  # at start
    assert await viewer(tidings_server, rsa_key.token()) == (200, "idp|alice")
    assert jwks.requests == fetched  # known keys come from the cache

    # The provider rotates: a new RSA key appears, the old one goes.
    rotated = Signer("rsa-2", "RS256")
    jwks.publish(rotated, ec_key)
    await asyncio.sleep(1.1)  # past TIDINGS_JWKS_REFRESH_INTERVAL (1 s here) since the last fetch
    assert await viewer(tidings_server, rotated.token("idp|dave")) == (200, "idp|dave")
    assert jwks.requests == fetched + 1
    # The fetched set replaced the old one: the withdrawn key no longer verifies anything.
    status, message = await viewer(tidings_server, rsa_key.token())
    assert status == 401 and "unknown" in message


async def test_unknown_kids_fetch_at_most_once_per_interval(tmp_path, jwks, rsa_key):
    jwks.publish(rsa_key)
    server = start_tidings(tmp_path, jwks)  # the default interval: 30 s
    try:
        assert jwks.requests == 1
        tokens = [rsa_key.token(kid=f"made-up-{i}") for i in range(50)]
        results = await asyncio.gather(*(viewer(server, token) for token in tokens))
        assert {status for status, _ in results} == {401}
        assert jwks.requests == 1  # within 30 s of the fetch at start: none of them fetched again
        assert await viewer(server, rsa_key.token()) == (200, "idp|alice")
    finally:
        server.stop()


async def test_the_server_stays_up_while_the_provider_is_down(tidings_server, jwks, rsa_key, protocol):
    jwks.up = False
    await asyncio.sleep(1.1)
    status, message = await viewer(tidings_server, rsa_key.token(kid="rsa-9"))  # tries to fetch, fails
    assert status == 401 and "unknown" in message
    assert jwks.requests == 2
    # Known keys keep working; the server answers as ever.
    assert await viewer(tidings_server, rsa_key.token()) == (200, "idp|alice")
    assert await ws_init(tidings_server, protocol, rsa_key.token()) is None
    async with httpx.AsyncClient(base_url=tidings_server.http_url) as http:
        assert (await http.get("/healthz")).status_code == 200
    # The provider is back with a new key: it is fetched on its first token.
    jwks.up = True
    newer = Signer("rsa-9", "RS256")
    jwks.publish(newer)
    await asyncio.sleep(1.1)
    assert await viewer(tidings_server, newer.token()) == (200, "idp|alice")


async def test_a_server_started_while_the_provider_is_down_serves_and_catches_up(tmp_path, jwks, rsa_key):
    jwks.up = False
    server = start_tidings(tmp_path, jwks, jwks_refresh_interval=1)
    try:
        assert jwks.requests == 1
        hs = jwt.encode({"sub": "carol", "iss": ISSUER, "aud": AUDIENCE}, SECRET, "HS256")
        assert await viewer(server, hs) == (200, "carol")
        jwks.up = True
        jwks.publish(rsa_key)
        await asyncio.sleep(1.1)
        assert await viewer(server, rsa_key.token()) == (200, "idp|alice")
    finally:
        server.stop()


async def test_a_hanging_provider_does_not_block_the_event_loop(tidings_server, jwks, rsa_key):
    await asyncio.sleep(1.1)
    jwks.hold.clear()  # the next fetch hangs until released
    pending = asyncio.create_task(viewer(tidings_server, rsa_key.token(kid="rsa-new")))
    assert await asyncio.to_thread(jwks.waiting.wait, 10)  # the fetch is under way, and held
    # Meanwhile the server answers everything else: HTTP, known keys, a WebSocket.
    async with httpx.AsyncClient(base_url=tidings_server.http_url, timeout=10) as http:
        assert (await http.get("/healthz")).status_code == 200
    assert await viewer(tidings_server, rsa_key.token()) == (200, "idp|alice")
    assert jwks.waiting.is_set()  # all of that while the provider still held the fetch
    jwks.hold.set()
    status, _ = await pending
    assert status == 401  # no such kid in the set it finally got
