"""Finding 12 (issue 11), in a browser: the GraphiQL page takes `?token=` out of the address bar
once read, runs subscriptions with the token over its own client, and shows the server's refusal
when there is no token instead of retrying; and its Content-Security-Policy blocks nothing it
needs. The page's scripts and stylesheets are Tidings' own files (`scripts/build-graphiql`), so
Chromium asks no other host for anything."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from ..e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from ..factories import token

ASSETS = Path(__file__).resolve().parents[2] / "src" / "tidings" / "http" / "assets" / "graphiql"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not (ASSETS / "graphiql").is_dir():
        pytest.fail("GraphiQL's files are not built: run ./scripts/build-graphiql (./scripts/test does)")
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def _open(browser: Browser, url: str) -> tuple[Page, list[str]]:
    """The GraphiQL page at `url`, rendered; and a list that collects what must not happen:
    Content-Security-Policy violations, and requests to any other host."""
    origin = url.split("/graphql", 1)[0]
    page = await (await browser.new_context()).new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on(
        "request",
        lambda r: (
            problems.append(f"asked {r.url}")
            if r.url.startswith("http") and not r.url.startswith(origin)
            else None
        ),
    )
    await page.goto(url)
    await expect(page.locator(".graphiql-execute-button")).to_be_visible()
    return page, problems


async def _result(page: Page) -> str:
    return await page.locator(".result-window").inner_text()


async def test_the_token_leaves_the_address_bar_and_subscriptions_carry_it(live_server, api, browser):
    tweet_id = await api("alice").post("watched from GraphiQL")
    query = f'subscription {{ engagement(tweetId: "{tweet_id}") {{ likes }} }}'
    jwt = token("graphiql-user")
    page, violations = await _open(browser, f"{live_server.http_url}/graphql?token={jwt}&q={query}")
    assert "token" not in page.url
    assert "q=" in page.url  # the rest of the address stays
    assert jwt not in await page.evaluate("window.location.href + document.referrer")
    await page.locator(".graphiql-execute-button").click()
    await expect(page.locator(".result-window")).to_contain_text('"likes": 0')
    await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    await expect(page.locator(".result-window")).to_contain_text('"likes": 1')
    await page.locator(".graphiql-execute-button").click()  # stop
    viewer = await page.evaluate(
        """async () => (await fetch("/graphql", {method: "POST",
             headers: {"Content-Type": "application/json",
                       "Authorization": "Bearer " + localStorage.getItem("tidings-token")},
             body: JSON.stringify({query: "{ viewer { id } }"})})).json()"""
    )
    assert viewer == {"data": {"viewer": {"id": "graphiql-user"}}}
    assert violations == []


async def test_a_subscription_without_a_token_shows_the_server_s_refusal_once(live_server, browser):
    query = "subscription { trending { windowSeconds } }"
    page, violations = await _open(browser, f"{live_server.http_url}/graphql?q={query}")
    await page.locator(".graphiql-execute-button").click()
    await expect(page.locator(".result-window")).to_contain_text("Forbidden: Missing token")
    assert '"closeCode": 4403' in await _result(page)
    closes = live_server.tidings.stats.close_codes
    assert closes[4403] == 1
    await asyncio.sleep(2)  # graphql-ws's client would be retrying by now
    assert closes[4403] == 1
    assert live_server.stats()["connections"] == 0
    assert violations == []
