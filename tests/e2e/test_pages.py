"""Every page for everyone: axe-core finds nothing serious, a phone gets the feed first and
thumb-sized targets, the keyboard reaches everything, offline is explained, and a sign-in that
cannot work says so once."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from .conftest import ARTIFACTS, DemoServer, OpenAs, axe_violations

LIVE = 2_000
PHONE = {"width": 390, "height": 844}

# Interactive elements smaller than 44 x 44 px; links inside a sentence are exempt (WCAG 2.5.5).
SMALL_TARGETS_JS = """() => [...document.querySelectorAll('a[href], button, textarea, input, select')]
  .filter((e) => e.offsetParent !== null && !e.classList.contains('inline-link'))
  .map((e) => { const r = e.getBoundingClientRect();
    return { w: Math.round(r.width), h: Math.round(r.height), what: e.outerHTML.slice(0, 90) }; })
  .filter((r) => r.w < 44 || r.h < 44)"""


async def visit(page: Page, demo_server: DemoServer, path: str, ready: str) -> None:
    await page.goto(f"{demo_server.url}{path}")
    await expect(page.get_by_test_id("status-badge")).to_have_attribute("data-status", "live", timeout=10_000)
    await expect(page.locator(ready).first).to_be_visible(timeout=5_000)


def pages_to_check(thread_id: str) -> list[tuple[str, str]]:
    return [
        ("/", '[data-testid="tweet"]'),
        ("/u/carol", '[data-testid="profile-tweets"] [data-testid="tweet"]'),
        (f"/t/{thread_id}", '[data-testid="replies"] [data-testid="tweet"]'),
        ("/tag/launch", '[data-testid="tag-tweets"] [data-testid="tweet"]'),
    ]


async def test_axe_finds_nothing_serious_on_any_page(
    demo_server: DemoServer, open_as: OpenAs, browser: Browser
) -> None:
    thread_id = demo_server.post_tweet("carol", "A thread for the accessibility check #launch")
    reply_id = demo_server.post_tweet("bob", "With a reply", reply_to=thread_id)
    demo_server.gql("bob", "mutation($t: ID!) { likeTweet(tweetId: $t) { likes } }", t=thread_id)
    assert reply_id

    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    signin = await context.new_page()
    await signin.goto(demo_server.url)
    await expect(signin.get_by_test_id("signin-alice")).to_be_visible(timeout=5_000)
    found = {"sign-in": await axe_violations(signin, "sign-in")}
    await context.close()

    alice = await open_as("alice")
    for path, ready in pages_to_check(thread_id):
        await visit(alice, demo_server, path, ready)
        found[path] = await axe_violations(alice, path)
    assert found == {name: [] for name in found}


async def test_on_a_phone_the_feed_comes_first_every_target_is_thumb_sized_and_axe_is_content(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    thread_id = demo_server.post_tweet("carol", "Phones welcome #launch")
    demo_server.post_tweet("alice", "A reply from a phone", reply_to=thread_id)
    carol = await open_as("carol", viewport=PHONE, dark=True)  # and the dark colours pass axe too
    feed, panel = carol.get_by_test_id("feed"), carol.get_by_test_id("notifications-panel")
    feed_box, panel_box = await feed.bounding_box(), await panel.bounding_box()
    assert feed_box is not None and panel_box is not None
    assert feed_box["y"] < panel_box["y"], "the feed comes before the notifications on a phone"
    assert feed_box["y"] < PHONE["height"] / 2, "the feed starts on the first screen"
    # The notifications are one tap away, and not a box that scrolls inside the page.
    await carol.get_by_test_id("nav-notifications").click()
    await expect(panel).to_be_in_viewport()
    assert await carol.eval_on_selector(
        '[data-testid="notification-list"]', "e => e.scrollHeight <= e.clientHeight"
    )

    found = {}
    for path, ready in pages_to_check(thread_id):
        await visit(carol, demo_server, path, ready)
        assert await carol.evaluate(SMALL_TARGETS_JS) == [], path
        assert await carol.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0, path
        found[path] = await axe_violations(carol, f"phone {path}")
    assert found == {name: [] for name in found}
    await visit(carol, demo_server, "/", '[data-testid="tweet"]')
    await carol.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"))


async def test_the_keyboard_alone_reaches_and_works_every_control(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    tweet_id = demo_server.post_tweet("bob", "Press space to like this")
    alice = await open_as("alice")
    await alice.keyboard.press("Tab")
    skip = alice.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_in_viewport()
    await alice.keyboard.press("Enter")
    await expect(alice.locator("#main")).to_be_focused()

    like = alice.locator(f'[data-testid="tweet"][data-tweet-id="{tweet_id}"] [data-testid="like-button"]')
    for _ in range(30):
        await alice.keyboard.press("Tab")
        if await like.evaluate("e => e === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the like button")
    assert await like.evaluate("e => getComputedStyle(e).outlineStyle") == "solid", "focus is visible"
    await alice.keyboard.press("Space")
    await expect(like).to_have_attribute("aria-pressed", "true", timeout=LIVE)
    await alice.keyboard.press("Enter")
    await expect(like).to_have_attribute("aria-pressed", "false", timeout=LIVE)

    link = alice.locator(f'[data-testid="tweet"][data-tweet-id="{tweet_id}"] [data-testid="tweet-link"]')
    await link.focus()
    await alice.keyboard.press("Enter")
    await expect(alice).to_have_url(re.compile(rf"/t/{tweet_id}$"))
    await expect(alice.get_by_test_id("page-title")).to_be_focused()


async def test_a_new_notification_is_announced_politely(demo_server: DemoServer, open_as: OpenAs) -> None:
    tweet_id = demo_server.post_tweet("dave", "Announce me")
    dave = await open_as("dave")
    announcer = dave.get_by_test_id("notification-announcer")
    await expect(announcer).to_have_attribute("aria-live", "polite")
    await expect(announcer).to_have_text("")  # what was there on load is not read out
    demo_server.gql("erin", "mutation($t: ID!) { likeTweet(tweetId: $t) { likes } }", t=tweet_id)
    await expect(announcer).to_have_text("New notification: Erin liked your tweet.", timeout=LIVE)


async def test_offline_disables_actions_with_a_reason_and_live_brings_them_back(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    alice = await open_as("alice")
    await alice.get_by_test_id("compose-input").fill("Written on a train")
    like = alice.get_by_test_id("like-button").first
    await alice.context.set_offline(True)
    await expect(alice.get_by_test_id("status-badge")).to_have_attribute("data-status", "offline")
    reason = alice.get_by_test_id("offline-reason")
    await expect(reason).to_contain_text("offline")
    await expect(like).to_be_disabled()
    await expect(alice.get_by_test_id("compose-submit")).to_be_disabled()
    assert await like.get_attribute("aria-describedby") == await reason.get_attribute("id")

    await alice.context.set_offline(False)
    await expect(alice.get_by_test_id("status-badge")).to_have_attribute(
        "data-status", "live", timeout=20_000
    )
    await expect(reason).to_have_count(0)
    await expect(like).to_be_enabled()
    await expect(alice.get_by_test_id("compose-submit")).to_be_enabled()
    await expect(alice.locator(".error")).to_have_count(0)


async def test_an_unknown_demo_user_goes_back_to_sign_in_with_one_message(
    demo_server: DemoServer, browser: Browser
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    minted: list[str] = []
    page.on("request", lambda r: minted.append(r.url) if r.url.endswith("/demo/token") else None)
    try:
        await page.goto(f"{demo_server.url}/?as=zed")
        error = page.get_by_test_id("signin-error")
        await expect(error).to_have_text("There is no demo user “zed”. Pick one below.", timeout=5_000)
        await expect(page.get_by_test_id("signin-alice")).to_be_visible()
        await expect(page.get_by_test_id("status-badge")).to_have_count(0)
        await page.wait_for_timeout(1_000)  # nothing keeps retrying in the background
        assert len(minted) == 1
        await expect(page.locator(".error")).to_have_count(1)
        assert "[Network]" not in await page.content()
        assert "as=" not in page.url

        await page.get_by_test_id("signin-alice").click()
        await expect(page.get_by_test_id("status-badge")).to_have_attribute(
            "data-status", "live", timeout=10_000
        )
        await expect(page.get_by_test_id("signin-error")).to_have_count(0)
    finally:
        await context.close()
