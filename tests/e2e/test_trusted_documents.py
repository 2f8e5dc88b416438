"""The dashboard against a server locked to the dashboard's own persisted documents
(TIDINGS_TRUSTED_DOCUMENTS=frontend/src/gql/persisted-documents.json, the file its build
generates): its queries and mutations over HTTP and its subscriptions over the WebSocket name
their documents by hash and run; any other text is refused, so other clients name them by hash
too."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, Request, WebSocket, expect

from .conftest import ARTIFACTS, DIST, REPO, DemoServer

DOCUMENTS = REPO / "frontend" / "src" / "gql" / "persisted-documents.json"
LIVE = 2_000  # ms


class LockedServer(DemoServer):
    """A demo server that runs the dashboard's documents and nothing else; the test's own HTTP
    calls name a document of the file by hash, and the subscription counts come from /metrics
    (the `stats` query is not one of the dashboard's documents)."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.env["TIDINGS_TRUSTED_DOCUMENTS"] = str(DOCUMENTS)
        self.documents: dict[str, str] = json.loads(DOCUMENTS.read_text())

    def hash_of(self, operation: str) -> str:
        """The hash of the file's document that defines `operation` (e.g. "mutation LikeTweet")."""
        [key] = [key for key, text in self.documents.items() if re.search(rf"\b{operation}\b", text)]
        return key.removeprefix("sha256:")

    def run(self, user_id: str, operation: str, **variables: Any) -> dict[str, Any]:
        body = {
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": self.hash_of(operation)}},
            "variables": variables,
        }
        result = self._request("/graphql", body, token=self.token(user_id))
        assert "errors" not in result, result
        data: dict[str, Any] = result["data"]
        return data

    def post_tweet(self, user_id: str, content: str, reply_to: str | None = None) -> str:
        data = self.run(user_id, "mutation PostTweet", content=content, replyTo=reply_to)
        return str(data["postTweet"]["id"])

    def subscriptions(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=5) as response:
            text = response.read().decode()
        counts = {
            field: int(float(n))
            for field, n in re.findall(r'^tidings_subscriptions\{field="(\w+)"\} (\S+)$', text, re.M)
        }
        [connections] = re.findall(r"^tidings_connections (\S+)$", text, re.M)
        counts["connections"] = int(float(connections))
        return counts


@pytest.fixture(scope="module")
def locked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LockedServer]:
    assert (DIST / "index.html").is_file(), f"{DIST} is not built: run `npm --prefix frontend run build`"
    ARTIFACTS.mkdir(exist_ok=True)
    server = LockedServer(tmp_path_factory.mktemp("tidings-e2e-locked"))
    server.start()
    yield server
    server.stop()


class Wire:
    """What a page sent to /graphql: HTTP bodies and WebSocket `subscribe` payloads."""

    def __init__(self, page: Page) -> None:
        self.http: list[dict[str, Any]] = []
        self.ws: list[dict[str, Any]] = []
        page.on("request", self._request)
        page.on("websocket", self._socket)

    def _request(self, request: Request) -> None:
        if request.url.endswith("/graphql") and request.method == "POST" and request.post_data:
            self.http.append(json.loads(request.post_data))

    def _socket(self, socket: WebSocket) -> None:
        def sent(frame: str | bytes) -> None:
            message = json.loads(frame)
            if message.get("type") == "subscribe":
                self.ws.append(message["payload"])

        socket.on("framesent", sent)


async def open_page(browser: Browser, server: LockedServer, user_id: str) -> tuple[Page, Wire]:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(10_000)
    wire = Wire(page)
    await page.goto(f"{server.url}/?as={user_id}")
    await expect(page.get_by_test_id("status-badge")).to_have_attribute("data-status", "live", timeout=10_000)
    await expect(page.get_by_test_id("viewer")).to_have_attribute("data-user-id", user_id, timeout=5_000)
    return page, wire


def refused(server: LockedServer, query: str) -> list[dict[str, Any]]:
    body = server._request("/graphql", {"query": query}, token=server.token("carol"))
    assert "data" not in body, body
    errors: list[dict[str, Any]] = body["errors"]
    return errors


async def test_a_server_locked_to_the_dashboards_documents_runs_the_dashboard_and_nothing_else(
    locked_server: LockedServer, browser: Browser
) -> None:
    server = locked_server
    not_found = {"code": "PERSISTED_QUERY_NOT_FOUND"}
    # Text the file does not hold runs nowhere, a mutation included (nothing is posted).
    assert refused(server, "{ viewer { id } }")[0]["extensions"] == not_found
    assert refused(server, 'mutation { postTweet(content: "by text") { id } }')[0]["extensions"] == not_found
    feed = server.run("carol", "query Feed", first=50, before=None)["feed"]  # her own tweets and more
    assert "by text" not in [tweet["content"] for tweet in feed]

    tweet_id = server.post_tweet("alice", "Locked to the dashboard's own documents")
    alice, alice_wire = await open_page(browser, server, "alice")
    bob, bob_wire = await open_page(browser, server, "bob")
    await server.wait_for_subscriptions(feed=2, notifications=2)
    cards = [page.locator(f'[data-testid="tweet"][data-tweet-id="{tweet_id}"]') for page in (alice, bob)]
    for card in cards:  # the feed query ran
        await expect(card.get_by_test_id("like-count")).to_have_text("0")
    badge = alice.get_by_test_id("unread-badge")
    before = int(await badge.inner_text())  # the notifications query ran

    # A mutation from the page, and its notification and counters over the subscriptions.
    await cards[1].get_by_test_id("like-button").click()
    like = alice.locator(
        f'[data-testid="notification"][data-kind="LIKE"][data-actor="bob"][data-tweet-id="{tweet_id}"]'
    )
    await expect(like).to_have_count(1, timeout=LIVE)
    await expect(badge).to_have_text(str(before + 1), timeout=LIVE)
    for card in cards:
        await expect(card.get_by_test_id("like-count")).to_have_text("1", timeout=LIVE)

    # Another client, by hash over HTTP: both pages hear it live.
    server.run("carol", "mutation LikeTweet", tweetId=tweet_id)
    for card in cards:
        await expect(card.get_by_test_id("like-count")).to_have_text("2", timeout=LIVE)
    await expect(badge).to_have_text(str(before + 2), timeout=LIVE)
    await alice.screenshot(path=str(ARTIFACTS / "dashboard-locked.png"))

    # Everything the pages sent named a document of the file, and carried no text.
    hashes = {key.removeprefix("sha256:") for key in server.documents}
    for wire in (alice_wire, bob_wire):
        assert wire.http and wire.ws
        for body in wire.http:
            assert "query" not in body, body
            assert body["extensions"]["persistedQuery"]["sha256Hash"] in hashes, body
        for payload in wire.ws:
            assert payload["query"] == "", payload
            assert payload["extensions"]["persistedQuery"]["sha256Hash"] in hashes, payload
    sent = {body["extensions"]["persistedQuery"]["sha256Hash"] for body in bob_wire.http}
    assert server.hash_of("mutation LikeTweet") in sent
    subscribed = {payload["extensions"]["persistedQuery"]["sha256Hash"] for payload in alice_wire.ws}
    assert {
        server.hash_of("subscription NotificationEvents"),
        server.hash_of("subscription FeedUpdates"),
    } <= subscribed
    for page in (alice, bob):
        await page.context.close()
