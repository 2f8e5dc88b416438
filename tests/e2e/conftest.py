"""End-to-end fixtures: a real `tidings serve --demo` serving the built dashboard, and
Debian's Chromium driven by Playwright.

Needs `frontend/dist` (`npm --prefix frontend run build`) and /usr/bin/chromium
(`apt-get install -y chromium`; Playwright's own browser download is not used).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright, expect

from ..processes import stop_process, tidings_bin

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "frontend" / "dist"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("TIDINGS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
READY_TIMEOUT = 60.0  # a deadline, not a timing: a loaded machine starts processes slowly


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DemoServer:
    """`tidings serve --demo` in a subprocess; stop() and start() keep port, database and secret."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'tidings.db'}",
            "TIDINGS_SECRET": "e2e-secret-that-is-long-enough-for-hs256",
            "TIDINGS_TRENDING_INTERVAL": "1",
            "TIDINGS_STATIC_DIR": str(DIST),
            "TIDINGS_LOG_LEVEL": "warning",
        }
        self.log_path = ARTIFACTS / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.process is None, "server already running"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [tidings_bin(), "serve", "--demo", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise RuntimeError(f"tidings serve exited with {code}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"tidings serve not ready within {READY_TIMEOUT} s; see {self.log_path}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None:
            return
        stop_process(self.process)
        self.process = None

    def token(self, user_id: str) -> str:
        body = self._request("/demo/token", {"userId": user_id})
        return str(body["token"])

    def gql(self, user_id: str, query: str, **variables: Any) -> dict[str, Any]:
        """One GraphQL call over HTTP as a demo user; fails the test on any error."""
        body = self._request("/graphql", {"query": query, "variables": variables}, token=self.token(user_id))
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def post_tweet(self, user_id: str, content: str, reply_to: str | None = None) -> str:
        data = self.gql(
            user_id,
            "mutation($c: String!, $r: ID) { postTweet(content: $c, replyTo: $r) { id } }",
            c=content,
            r=reply_to,
        )
        return str(data["postTweet"]["id"])

    def subscriptions(self) -> dict[str, int]:
        """Active subscriptions on the server by root field, plus `connections`."""
        stats = self.gql("alice", "{ stats { connections byField { field subscriptions } } }")["stats"]
        counts = {row["field"]: int(row["subscriptions"]) for row in stats["byField"]}
        counts["connections"] = int(stats["connections"])
        return counts

    async def wait_for_subscriptions(self, timeout: float = 5.0, **expected: int) -> None:
        """Wait until the server holds exactly these subscription counts (fields not named are
        not checked), so that a test acts only once every stream it watches is listening."""
        deadline = time.monotonic() + timeout
        while True:
            counts = self.subscriptions()
            if all(counts.get(field, 0) == n for field, n in expected.items()):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"subscriptions {counts} never matched {expected} within {timeout} s")
            await asyncio.sleep(0.05)

    def _request(self, path: str, payload: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        headers = {"content-type": "application/json"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"{self.url}{path}", data=json.dumps(payload).encode(), headers=headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result


# One server for the whole run (each start and stop costs seconds); tests that change shared
# state (who follows whom) put it back.
@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    assert (DIST / "index.html").is_file(), f"{DIST} is not built: run `npm --prefix frontend run build`"
    ARTIFACTS.mkdir(exist_ok=True)
    server = DemoServer(tmp_path_factory.mktemp("tidings-e2e"))
    server.start()
    yield server
    server.stop()


# Async Playwright: the suite's conftest has async autouse fixtures, and the sync API refuses
# to run beside an event loop. A browser per test costs about a second and keeps tests apart.
@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


OpenAs = Callable[..., Awaitable[Page]]


@pytest.fixture
async def open_as(
    browser: Browser, demo_server: DemoServer, request: pytest.FixtureRequest
) -> AsyncIterator[OpenAs]:
    """`await open_as("alice")` opens the dashboard signed in as alice, in that user's own
    browser context (a second call for the same user is a second tab), once it is live."""
    contexts: dict[str, BrowserContext] = {}
    pages: list[tuple[str, Page]] = []

    # The previous test's browser is gone only once the server has seen its sockets close.
    await demo_server.wait_for_subscriptions(connections=0)

    async def open_page(
        user_id: str, viewport: ViewportSize | None = None, path: str = "/", dark: bool = False
    ) -> Page:
        if user_id not in contexts:
            contexts[user_id] = await browser.new_context(
                viewport=viewport or {"width": 1200, "height": 900}, color_scheme="dark" if dark else "light"
            )
        page = await contexts[user_id].new_page()
        page.set_default_timeout(10_000)
        await page.goto(f"{demo_server.url}{path}?as={user_id}")
        await expect(page.get_by_test_id("status-badge")).to_have_attribute(
            "data-status", "live", timeout=10_000
        )
        await expect(page.get_by_test_id("viewer")).to_have_attribute("data-user-id", user_id, timeout=5_000)
        pages.append((user_id, page))
        # Both streams are listening before the test acts (they would also replay what they
        # missed, with `after:`, but a test that waits for "live" should not depend on it).
        await demo_server.wait_for_subscriptions(feed=len(pages), notifications=len(pages))
        return page

    yield open_page
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for index, (user_id, page) in enumerate(pages):
        if not page.is_closed():
            await page.screenshot(path=str(ARTIFACTS / f"{name}-{index}-{user_id}.png"), full_page=True)
    for context in contexts.values():
        await context.close()


AXE_JS = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# What the dashboard is held to: WCAG 2.1 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


async def axe_violations(page: Page, label: str) -> list[dict[str, Any]]:
    """Runs axe-core (the npm package, installed by `npm ci` in frontend/) on the page as it is
    now; returns the serious and critical violations and prints the others."""
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run `npm ci` in frontend/"
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=AXE_JS.read_text())
    violations: list[dict[str, Any]] = await page.evaluate(
        """async (tags) => (await axe.run(document, { runOnly: { type: "tag", values: tags } }))
            .violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }))""",
        AXE_TAGS,
    )
    for v in violations:
        print(f"axe {label}: {v['impact']} {v['id']}: {v['help']} {v['nodes']}")
    return [v for v in violations if v["impact"] in ("serious", "critical")]


async def wait_for_typing_watchers(server: DemoServer, pages: list[Page]) -> None:
    """Until the server holds one `typing` subscription for each conversation each page watches
    (a tweet card on screen watches its own; a page shares one per conversation)."""
    deadline = time.monotonic() + 5.0
    while True:
        total = 0
        for page in pages:
            ids = await page.eval_on_selector_all(
                '[data-testid="tweet"][data-typing-watch="true"]',
                "cards => cards.map((c) => c.dataset.tweetId)",
            )
            total += len(set(ids))
        held = server.subscriptions().get("typing", 0)
        if total > 0 and held == total:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the pages watch {total} conversations, the server holds {held}")
        await asyncio.sleep(0.05)
