"""The dashboard in a real browser against a real server: two users, live updates, restart."""

from __future__ import annotations

from playwright.async_api import Browser, Locator, Page, expect

from .conftest import ARTIFACTS, DemoServer, OpenAs, wait_for_typing_watchers

LIVE = 2_000  # ms: what "live" means to a person watching the dashboard


def card(page: Page, tweet_id: str) -> Locator:
    return page.locator(f'[data-testid="tweet"][data-tweet-id="{tweet_id}"]')


def notification(page: Page, kind: str, actor: str, tweet_id: str) -> Locator:
    return page.locator(
        f'[data-testid="notification"][data-kind="{kind}"][data-actor="{actor}"][data-tweet-id="{tweet_id}"]'
    )


def badge(page: Page) -> Locator:
    return page.get_by_test_id("unread-badge")


async def test_a_like_notifies_the_author_live_and_reading_it_clears_her_other_tab(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    tweet_id = demo_server.post_tweet("alice", "Like this from the browser")
    alice, alice_tab2, bob = await open_as("alice"), await open_as("alice"), await open_as("bob")
    before = int(await badge(alice).inner_text())
    await expect(badge(alice_tab2)).to_have_text(str(before))
    for page in (alice, alice_tab2, bob):
        await expect(card(page, tweet_id).get_by_test_id("like-count")).to_have_text("0")

    await card(bob, tweet_id).get_by_test_id("like-button").click()
    for page in (alice, alice_tab2):
        await expect(notification(page, "LIKE", "bob", tweet_id)).to_have_count(1, timeout=LIVE)
        await expect(badge(page)).to_have_text(str(before + 1), timeout=LIVE)
    for page in (alice, alice_tab2, bob):
        await expect(card(page, tweet_id).get_by_test_id("like-count")).to_have_text("1", timeout=LIVE)

    await card(bob, tweet_id).get_by_test_id("retweet-button").click()
    for page in (alice, alice_tab2, bob):
        await expect(card(page, tweet_id).get_by_test_id("retweet-count")).to_have_text("1", timeout=LIVE)
    await expect(badge(alice)).to_have_text(str(before + 2), timeout=LIVE)
    await alice.screenshot(path=str(ARTIFACTS / "dashboard-like.png"))

    await notification(alice, "LIKE", "bob", tweet_id).get_by_test_id("mark-read").click()
    await expect(badge(alice)).to_have_text(str(before + 1), timeout=LIVE)
    await expect(badge(alice_tab2)).to_have_text(str(before + 1), timeout=LIVE)
    await expect(notification(alice_tab2, "LIKE", "bob", tweet_id)).to_have_attribute(
        "data-read", "true", timeout=LIVE
    )

    await alice_tab2.get_by_test_id("mark-all-read").click()
    await expect(badge(alice_tab2)).to_have_text("0", timeout=LIVE)
    await expect(badge(alice)).to_have_text("0", timeout=LIVE)
    await expect(alice.locator('[data-testid="notification"][data-read="false"]')).to_have_count(0)


async def test_a_new_tweet_waits_behind_the_button_and_its_hashtag_trends_for_the_other(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    bob, alice = await open_as("bob"), await open_as("alice")
    content = "Trying #E2eTrend from the browser"
    await bob.get_by_test_id("compose-input").fill(content)
    await bob.get_by_test_id("compose-submit").click()
    await expect(bob.get_by_test_id("tweet").first.get_by_test_id("tweet-text")).to_have_text(
        content, timeout=LIVE
    )
    await expect(bob.get_by_test_id("compose-input")).to_have_value("")

    button = alice.get_by_test_id("new-tweets-button")
    await expect(button).to_have_text("1 new tweet", timeout=LIVE)
    await button.click()
    await expect(button).to_have_count(0)
    first = alice.get_by_test_id("tweet").first
    await expect(first).to_have_attribute("data-author", "bob")
    await expect(first.get_by_test_id("tweet-text")).to_have_text(content)

    topic = alice.locator('[data-testid="trending-topic"][data-topic="e2etrend"]')
    await expect(topic.get_by_test_id("trending-count")).to_have_text("1 tweet", timeout=5_000)


async def test_typing_a_reply_shows_on_the_card_in_the_others_feed_and_the_reply_counts(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    tweet_id = demo_server.post_tweet("alice", "Who wants to reply?")
    alice, bob = await open_as("alice"), await open_as("bob")
    await card(bob, tweet_id).get_by_test_id("reply-button").click()
    await wait_for_typing_watchers(demo_server, [alice, bob])
    bob_box = card(bob, tweet_id).get_by_test_id("reply-box")

    # Alice has opened nothing: the card in her feed says it.
    await bob_box.get_by_test_id("reply-input").press_sequentially("Me, me!", delay=30)
    await expect(card(alice, tweet_id).get_by_test_id("card-typing")).to_have_text(
        "Bob is typing a reply…", timeout=LIVE
    )
    await expect(bob_box.get_by_test_id("typing-indicator")).to_have_text("")
    await expect(card(bob, tweet_id).get_by_test_id("card-typing")).to_have_text("")

    await bob_box.get_by_test_id("reply-submit").click()
    await expect(card(alice, tweet_id).get_by_test_id("card-typing")).to_have_text("", timeout=LIVE)
    await expect(card(alice, tweet_id).get_by_test_id("reply-count")).to_have_text("1", timeout=LIVE)
    await expect(card(bob, tweet_id).get_by_test_id("reply-count")).to_have_text("1", timeout=LIVE)
    await expect(
        alice.locator('[data-testid="notification"][data-kind="REPLY"][data-actor="bob"]')
    ).to_have_count(1, timeout=LIVE)


async def test_a_server_restart_shows_reconnecting_then_live_and_loses_nothing(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    alice = await open_as("alice")
    status = alice.get_by_test_id("status-badge")

    demo_server.stop()
    await expect(status).to_have_attribute("data-status", "reconnecting", timeout=5_000)
    await expect(status).to_have_text("Reconnecting…")
    await alice.screenshot(path=str(ARTIFACTS / "restart-reconnecting.png"))
    # Let the client's backoff grow past the server's start-up time, so that what is
    # posted right after the restart is most likely posted while alice is still away.
    await alice.wait_for_timeout(3_000)
    demo_server.start()
    tweet_id = demo_server.post_tweet("bob", "Posted while you were away @alice")
    away_when_posted = await status.get_attribute("data-status")
    print(f"alice's badge when bob posted: {away_when_posted}")

    await expect(status).to_have_attribute("data-status", "live", timeout=20_000)
    await expect(notification(alice, "MENTION", "bob", tweet_id)).to_have_count(1, timeout=5_000)
    button = alice.get_by_test_id("new-tweets-button")
    await expect(button).to_have_text("1 new tweet", timeout=5_000)
    await button.click()
    await expect(card(alice, tweet_id)).to_have_count(1)
    # Nothing arrives twice, a while later either.
    await alice.wait_for_timeout(1_000)
    await expect(notification(alice, "MENTION", "bob", tweet_id)).to_have_count(1)
    await expect(card(alice, tweet_id)).to_have_count(1)
    await expect(alice.get_by_test_id("new-tweets-button")).to_have_count(0)
    # What failed while the server was away is not left on screen once Live is back.
    await expect(alice.get_by_test_id("offline-reason")).to_have_count(0)
    await expect(alice.locator(".error")).to_have_count(0)
    assert "[Network]" not in await alice.content()


async def test_signing_in_and_out_from_the_demo_user_list(demo_server: DemoServer, browser: Browser) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    try:
        await page.goto(demo_server.url)
        buttons = page.locator('[data-testid^="signin-"]')
        await expect(buttons).to_have_count(5, timeout=5_000)
        for name in ["Alice @alice", "Bob @bob", "Carol @carol", "Dave @dave", "Erin @erin"]:
            await expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
        await page.get_by_test_id("signin-dave").click()
        await expect(page.get_by_test_id("status-badge")).to_have_attribute(
            "data-status", "live", timeout=10_000
        )
        await expect(page.get_by_test_id("viewer")).to_have_attribute("data-user-id", "dave")

        await page.reload()  # the session survives a reload of the tab
        await expect(page.get_by_test_id("viewer")).to_have_attribute("data-user-id", "dave", timeout=10_000)

        await page.get_by_test_id("signout").click()
        await expect(page.get_by_test_id("signin-dave")).to_be_visible()
        await expect(page.get_by_test_id("viewer")).to_have_count(0)
    finally:
        await page.screenshot(path=str(ARTIFACTS / "signin.png"))
        await context.close()
