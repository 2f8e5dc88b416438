"""docs/clients.md runs as written: each client snippet there (Apollo over graphql-ws, Apollo over
multipart, Apollo with persisted queries, urql over graphql-ws, graphql-sse, urql resuming with
`after:`) is run in Node against a live server, changed in nothing but its port, by
tests/interop/drive.mjs: a query, then a subscription to an event caused by a mutation."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from ..conftest import LiveServer, eventually
from ..factories import token

ROOT = Path(__file__).resolve().parents[2]
INTEROP = ROOT / "tests" / "interop"
SNIPPET = re.compile(r"^```js file=(\S+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# The transport each snippet's subscriptions take.
TRANSPORT = {
    "apollo-ws.mjs": "websocket",
    "apollo-multipart.mjs": "multipart",
    "apollo-apq.mjs": "multipart",
    "urql-ws.mjs": "websocket",
    "graphql-sse.mjs": "sse",
}


def snippets() -> dict[str, str]:
    return dict(SNIPPET.findall((ROOT / "docs" / "clients.md").read_text()))


def test_the_page_has_a_snippet_for_every_client():
    assert set(snippets()) == {*TRANSPORT, "urql-resume.mjs"}


@pytest.fixture
def written(tmp_path: Path, live_server: LiveServer) -> Path:
    """The snippets as files, pointed at the live server, beside the `auth.mjs` they import."""
    if shutil.which("node") is None or not (INTEROP / "node_modules" / "@apollo" / "client").is_dir():
        pytest.fail("node and tests/interop/node_modules are needed: run ./scripts/test (it runs npm ci)")
    for name, code in snippets().items():
        (tmp_path / name).write_text(code.replace("127.0.0.1:8000", f"127.0.0.1:{live_server.port}"))
    (tmp_path / "auth.mjs").write_text("export const fetchToken = async () => process.env.TIDINGS_TOKEN;\n")
    (tmp_path / "node_modules").symlink_to(INTEROP / "node_modules")
    return tmp_path


class Driven:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def line(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        raw = await asyncio.wait_for(self.proc.stdout.readline(), 15)
        assert raw, "the driver exited"
        line: dict[str, Any] = json.loads(raw)
        assert "error" not in line, line
        cleaned: dict[str, Any] = without_typename(line)
        return cleaned

    async def say(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{text}\n".encode())
        await self.proc.stdin.drain()


async def drive(directory: Path, name: str, user: str, tweet_id: str = "") -> Driven:
    proc = await asyncio.create_subprocess_exec(
        shutil.which("node") or "node",
        str(INTEROP / "drive.mjs"),
        str(directory / name),
        tweet_id,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=directory,
        env={**os.environ, "TIDINGS_TOKEN": token(user)},
    )
    return Driven(proc)


def without_typename(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_typename(v) for k, v in value.items() if k != "__typename"}
    if isinstance(value, list):
        return [without_typename(v) for v in value]
    return value


@pytest.mark.parametrize("name", sorted(TRANSPORT))
async def test_each_documented_client_queries_and_receives_an_event_caused_by_a_mutation(
    written, live_server, api, name
):
    tweet_id = await api("alice").post(f"seen by {name}")
    driven = await drive(written, name, "nodeuser", tweet_id)
    try:
        for _ in range(2 if name == "apollo-apq.mjs" else 1):
            assert await driven.line() == {"query": {"viewer": {"id": "nodeuser"}}}
        assert await driven.line() == {"next": {"engagement": {"tweetId": tweet_id, "likes": 0}}}
        assert live_server.stats()["by_transport"][TRANSPORT[name]]["subscriptions"] == 1
        await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        assert await driven.line() == {"next": {"engagement": {"tweetId": tweet_id, "likes": 1}}}
        assert await driven.line() == {"done": True}
        assert await asyncio.wait_for(driven.proc.wait(), 10) == 0
    finally:
        if driven.proc.returncode is None:
            driven.proc.kill()
            await driven.proc.wait()
    if name == "apollo-apq.mjs":  # the second query went by hash alone
        documents = live_server.tidings.engine.documents
        assert documents.hits >= 1 and documents.misses >= 1 and len(documents) >= 1


async def test_the_resume_snippet_gets_what_it_missed_after_a_drop(written, live_server, api):
    tweet_id = await api("nodeuser").post("like me, all of you")
    driven = await drive(written, "urql-resume.mjs", "nodeuser")
    try:
        assert await driven.line() == {"following": True}
        await eventually(lambda: live_server.stats()["live"] == 1)
        await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        first = (await driven.line())["event"]
        assert first["notification"]["actor"] == {"handle": "bob"}
        await driven.say("drop")
        assert await driven.line() == {"dropped": True}
        await eventually(lambda: live_server.stats()["subscriptions"] == 0)
        for liker in ("carol", "dave"):  # while it is away
            await api(liker)(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        await driven.say("resume")
        assert await driven.line() == {"following": True}
        missed = [(await driven.line())["event"] for _ in range(2)]
        assert [event["notification"]["actor"]["handle"] for event in missed] == ["carol", "dave"]
        assert int(first["cursor"]) < int(missed[0]["cursor"]) < int(missed[1]["cursor"])
        await driven.say("exit")
        assert await asyncio.wait_for(driven.proc.wait(), 10) == 0
    finally:
        if driven.proc.returncode is None:
            driven.proc.kill()
            await driven.proc.wait()
