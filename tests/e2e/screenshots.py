"""The README's screenshots (docs/dashboard.png, docs/dashboard-phone.png), made the way the
browser tests run: a demo server, Debian's headless Chromium, two users acting live.

    .venv/bin/python -m tests.e2e.screenshots [OUT_DIR]    # default: docs/
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.async_api import Page, async_playwright, expect

from .conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DIST, REPO, DemoServer


async def signed_in(page: Page, server: DemoServer, user_id: str) -> Page:
    await page.goto(f"{server.url}/?as={user_id}")
    await expect(page.get_by_test_id("status-badge")).to_have_attribute("data-status", "live", timeout=10_000)
    return page


async def main(out: Path) -> None:
    assert (DIST / "index.html").is_file(), "build the dashboard first: ./scripts/build-frontend"
    ARTIFACTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        server = DemoServer(Path(workdir))
        server.start()
        try:
            await shoot(server, out)
        finally:
            server.stop()


async def shoot(server: DemoServer, out: Path) -> None:
    meetup = server.post_tweet("dave", "Who's coming to the #graphql meetup tonight?")
    launch = server.post_tweet("alice", "Profiles, threads and live replies are out today #launch #a11y")
    server.gql("alice", "mutation($t: ID!) { likeTweet(tweetId: $t) { likes } }", t=meetup)
    for user in ("bob", "carol", "erin"):
        server.gql(user, "mutation($t: ID!) { likeTweet(tweetId: $t) { likes } }", t=launch)
    server.gql("carol", "mutation($t: ID!) { retweet(tweetId: $t) { retweets } }", t=launch)
    server.post_tweet("bob", "@alice the thread view is lovely", reply_to=launch)

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        desk = await browser.new_context(viewport={"width": 1200, "height": 860})
        phone = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        bob_context = await browser.new_context()
        alice = await signed_in(await desk.new_page(), server, "alice")
        alice_phone = await signed_in(await phone.new_page(), server, "alice")
        bob = await signed_in(await bob_context.new_page(), server, "bob")

        # Bob starts a reply to Dave: Alice sees it on the card in her feed.
        card = f'[data-testid="tweet"][data-tweet-id="{meetup}"]'
        await bob.locator(f"{card} [data-testid='reply-button']").click()
        await bob.locator(f"{card} [data-testid='reply-input']").press_sequentially("Count me in", delay=40)
        for page in (alice, alice_phone):
            await expect(page.locator(f"{card} [data-testid='card-typing']")).to_have_text(
                "Bob is typing a reply…", timeout=5_000
            )
        # Carol posts while Alice watches: the "1 new tweet" button.
        server.post_tweet("carol", "Coffee number two #python")
        for page in (alice, alice_phone):
            await expect(page.get_by_test_id("new-tweets-button")).to_be_visible(timeout=5_000)
            await page.mouse.move(0, 0)

        out.mkdir(parents=True, exist_ok=True)
        await alice.screenshot(path=str(out / "dashboard.png"))
        await alice_phone.screenshot(path=str(out / "dashboard-phone.png"))
        await browser.close()
    print(f"wrote {out / 'dashboard.png'} and {out / 'dashboard-phone.png'}")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs"))
