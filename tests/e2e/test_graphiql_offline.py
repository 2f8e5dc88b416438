"""GraphiQL with no internet: Chromium loads /graphql with every request to any other host
aborted, and the page still renders (its scripts and stylesheets are Tidings' own files) and runs
a subscription over the transport picked in its corner, WebSocket or SSE."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from playwright.async_api import Browser, Route, expect

from ..clients import ApiFactory
from ..conftest import LiveServer, eventually
from ..factories import token


@pytest.mark.parametrize("transport", ["websocket", "sse"])
async def test_graphiql_needs_no_other_host_and_subscribes_over_the_picked_transport(
    live_server: LiveServer, api: ApiFactory, browser: Browser, transport: str
) -> None:
    tweet_id = await api("alice").post("watched from an offline GraphiQL")
    context = await browser.new_context()
    elsewhere: list[str] = []

    async def only_the_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == f"127.0.0.1:{live_server.port}":
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_the_server)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    query = f'subscription {{ engagement(tweetId: "{tweet_id}") {{ likes }} }}'
    await page.goto(f"{live_server.http_url}/graphql?token={token('graphiql-user')}&q={quote(query)}")
    await expect(page.locator(".graphiql-execute-button")).to_be_visible()
    await page.get_by_test_id("tidings-transport").select_option(transport)

    await page.locator(".graphiql-execute-button").click()
    await expect(page.locator(".result-window")).to_contain_text('"likes": 0')
    assert live_server.stats()["by_transport"][transport]["subscriptions"] == 1
    await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
    await expect(page.locator(".result-window")).to_contain_text('"likes": 1')
    await page.locator(".graphiql-execute-button").click()  # stop
    await eventually(lambda: live_server.stats()["subscriptions"] == 0)

    await page.reload()  # the pick is remembered
    await expect(page.get_by_test_id("tidings-transport")).to_have_value(transport)
    assert elsewhere == []
    assert [line for line in console if "Content Security Policy" in line or "Failed to load" in line] == []
    await context.close()


async def test_the_sse_transport_shows_why_a_stream_ended(live_server: LiveServer, browser: Browser) -> None:
    query = "subscription { trending { windowSeconds } }"
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{live_server.http_url}/graphql?token={token('graphiql-user')}&q={quote(query)}")
    await page.get_by_test_id("tidings-transport").select_option("sse")
    await page.locator(".graphiql-execute-button").click()
    await expect(page.locator(".result-window")).to_contain_text('"windowSeconds": 900')
    assert live_server.server.loop is not None  # the server stops (as at SIGTERM): the stream ends
    live_server.server.loop.call_soon_threadsafe(live_server.tidings.streams.begin_shutdown)
    await expect(page.locator(".result-window")).to_contain_text("server restarting; reconnect")
    await context.close()
