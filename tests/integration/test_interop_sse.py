"""The npm graphql-sse client (distinct connections mode) against a live Tidings: a subscription
to an event caused by a mutation, a query and a mutation, and a refused token."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ..factories import token

INTEROP = Path(__file__).resolve().parents[1] / "interop"


async def node(script: str, *args: str) -> asyncio.subprocess.Process:
    binary = shutil.which("node")
    if binary is None or not (INTEROP / "node_modules" / "graphql-sse").is_dir():
        pytest.fail("node and tests/interop/node_modules are needed: run ./scripts/test (it runs npm ci)")
    return await asyncio.create_subprocess_exec(
        binary, str(INTEROP / script), *args, stdout=asyncio.subprocess.PIPE, cwd=INTEROP
    )


async def lines(proc: asyncio.subprocess.Process, n: int) -> list[dict[str, Any]]:
    assert proc.stdout is not None
    return [json.loads(await asyncio.wait_for(proc.stdout.readline(), 10)) for _ in range(n)]


async def test_graphql_sse_receives_an_event_caused_by_a_mutation(live_server, api):
    tweet_id = await api("alice").post("seen from graphql-sse")
    query = f'subscription {{ engagement(tweetId: "{tweet_id}") {{ tweetId likes }} }}'
    proc = await node("sse.mjs", f"{live_server.http_url}/graphql", token("nodeuser"), query, "2")
    try:
        assert await lines(proc, 1) == [{"data": {"engagement": {"tweetId": tweet_id, "likes": 0}}}]
        await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        assert await lines(proc, 1) == [{"data": {"engagement": {"tweetId": tweet_id, "likes": 1}}}]
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_graphql_sse_runs_queries_and_mutations_as_the_token_s_user(live_server, api):
    tweet_id = await api("alice").post("like me from graphql-sse")
    url = f"{live_server.http_url}/graphql"
    query = await node("sse.mjs", url, token("nodeuser"), "{ viewer { id } }", "2")
    assert await lines(query, 2) == [{"data": {"viewer": {"id": "nodeuser"}}}, {"complete": True}]
    like = f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}'
    mutation = await node("sse.mjs", url, token("nodeuser"), like, "2")
    assert await lines(mutation, 2) == [{"data": {"likeTweet": {"likes": 1}}}, {"complete": True}]
    assert list(await asyncio.gather(query.wait(), mutation.wait())) == [0, 0]


async def test_graphql_sse_sees_a_bad_token_refused(live_server):
    proc = await node(
        "sse.mjs",
        f"{live_server.http_url}/graphql",
        "bad-token",
        "subscription { trending { windowSeconds } }",
        "1",
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 1
    assert json.loads(out.decode().strip().splitlines()[-1]) == {
        "error": "Server responded with 401: Unauthorized"
    }
