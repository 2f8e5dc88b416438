"""The npm graphql-ws client (what Apollo Client and urql use) against a live Tidings."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from ..factories import token

INTEROP = Path(__file__).resolve().parents[1] / "interop"


async def test_the_npm_graphql_ws_client_receives_an_event_caused_by_an_http_mutation(live_server, api):
    node = shutil.which("node")
    if node is None or not (INTEROP / "node_modules" / "graphql-ws").is_dir():
        pytest.fail("node and tests/interop/node_modules are needed: run ./scripts/test (it runs npm ci)")
    alice = api("alice")
    tweet_id = await alice.post("seen from node")
    query = f'subscription {{ engagement(tweetId: "{tweet_id}") {{ tweetId likes }} }}'
    proc = await asyncio.create_subprocess_exec(
        node,
        str(INTEROP / "subscribe.mjs"),
        live_server.ws_url,
        token("nodeuser"),
        query,
        "2",
        stdout=asyncio.subprocess.PIPE,
        cwd=INTEROP,
    )
    assert proc.stdout is not None
    try:
        assert (await asyncio.wait_for(proc.stdout.readline(), 10)).decode().strip() == "ready"
        first = json.loads(await asyncio.wait_for(proc.stdout.readline(), 10))
        assert first == {"data": {"engagement": {"tweetId": tweet_id, "likes": 0}}}
        await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        second = json.loads(await asyncio.wait_for(proc.stdout.readline(), 10))
        assert second == {"data": {"engagement": {"tweetId": tweet_id, "likes": 1}}}
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_the_npm_client_sees_a_bad_token_refused_with_4403(live_server):
    proc = await asyncio.create_subprocess_exec(
        shutil.which("node") or "node",
        str(INTEROP / "subscribe.mjs"),
        live_server.ws_url,
        "bad-token",
        "subscription { trending { windowSeconds } }",
        "1",
        stdout=asyncio.subprocess.PIPE,
        cwd=INTEROP,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 1
    assert json.loads(out.decode().strip().splitlines()[-1])["error"].startswith("Forbidden")
