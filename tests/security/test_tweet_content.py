"""Finding 13 (issue 11), tweet content: NUL bytes are refused (BAD_USER_INPUT; PostgreSQL cannot
store them, so they were an "Unexpected error." there and stored as is on SQLite), and the
280-character limit counts Unicode code points, as docs/PROTOCOL.md says: an emoji outside the
Basic Multilingual Plane is one character (two UTF-16 units in a browser), a letter with a
combining accent is two.
"""

from __future__ import annotations

import logging

import jwt

from ..factories import SECRET
from .checks import code_of, nothing_above_debug

POST = "mutation($c: String!) { postTweet(content: $c) { content } }"


async def test_nul_in_content_is_bad_user_input(api, caplog):
    alice = api("alice")
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for content in ["a\x00b", "\x00", "fine until the end\x00"]:
        body = await alice.raw(POST, {"c": content})
        assert body["data"] is None, body
        assert [code_of(e) for e in body["errors"]] == ["BAD_USER_INPUT"], body
        assert "NUL" in body["errors"][0]["message"]
    nothing_above_debug(caplog)
    assert await alice("{ feed { id } }") == {"feed": []}


async def test_the_limit_counts_code_points(api):
    alice = api("alice")
    for content in ["😀" * 280, "e\u0301" * 140, "x" * 280]:
        assert (await alice(POST, {"c": content}))["postTweet"]["content"] == content
    for content in ["😀" * 281, "e\u0301" * 140 + "!", "x" * 281]:
        body = await alice.raw(POST, {"c": content})
        assert [code_of(e) for e in body["errors"]] == ["BAD_USER_INPUT"], content[:5]
        assert "at most 280 characters" in body["errors"][0]["message"]


async def test_nul_in_a_token_claim_is_refused(http, caplog):
    for claims in [{"sub": "a\x00b"}, {"sub": "alice", "name": "Al\x00ice"}, {"sub": "al", "handle": "\x00"}]:
        token = jwt.encode(claims, SECRET, algorithm="HS256")
        response = await http.post(
            "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, response.text
        assert "NUL" in response.json()["errors"][0]["message"]
    nothing_above_debug(caplog)
