"""The dashboard as a Twitter-like client: the viewer's own likes and retweets, profiles and
following, threads with live replies, and pages that link to each other."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from .conftest import DemoServer, OpenAs, wait_for_typing_watchers

LIVE = 2_000  # ms: what "live" means to a person watching the dashboard


def card(page: Page | Locator, tweet_id: str) -> Locator:
    return page.locator(f'[data-testid="tweet"][data-tweet-id="{tweet_id}"]')


async def reload_live(page: Page) -> None:
    await page.reload()
    await expect(page.get_by_test_id("status-badge")).to_have_attribute("data-status", "live", timeout=10_000)


async def test_a_like_and_a_retweet_survive_a_reload_and_toggle_back(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    tweet_id = demo_server.post_tweet("alice", "Like me, then think again")
    bob, bob_tab2, alice = await open_as("bob"), await open_as("bob"), await open_as("alice")
    heart = card(bob, tweet_id).get_by_test_id("like-button")
    await expect(heart).to_have_attribute("aria-pressed", "false")

    await heart.click()
    await expect(heart).to_have_attribute("aria-pressed", "true")
    await expect(card(bob, tweet_id).get_by_test_id("like-count")).to_have_text("1")
    # Bob's other tab fills its heart from the engagement stream; Alice's stays empty: the
    # stream carries each subscriber's own likedByViewer.
    await expect(card(bob_tab2, tweet_id).get_by_test_id("like-button")).to_have_attribute(
        "aria-pressed", "true", timeout=LIVE
    )
    await expect(card(alice, tweet_id).get_by_test_id("like-count")).to_have_text("1", timeout=LIVE)
    await expect(card(alice, tweet_id).get_by_test_id("like-button")).to_have_attribute(
        "aria-pressed", "false"
    )

    retweet = card(bob, tweet_id).get_by_test_id("retweet-button")
    await retweet.click()
    await expect(retweet).to_have_attribute("aria-pressed", "true")
    await expect(card(bob, tweet_id).get_by_test_id("retweet-count")).to_have_text("1")
    # The server has it before the reload (which would cancel a request still on its way: the
    # first use of a document on a server that is not locked takes two, src/lib/persisted.ts).
    await expect(card(alice, tweet_id).get_by_test_id("retweet-count")).to_have_text("1", timeout=LIVE)

    await reload_live(bob)
    heart = card(bob, tweet_id).get_by_test_id("like-button")
    retweet = card(bob, tweet_id).get_by_test_id("retweet-button")
    await expect(heart).to_have_attribute("aria-pressed", "true")
    await expect(retweet).to_have_attribute("aria-pressed", "true")
    await expect(card(bob, tweet_id).get_by_test_id("like-count")).to_have_text("1")

    await heart.click()  # unlike
    await retweet.click()  # unretweet
    await expect(heart).to_have_attribute("aria-pressed", "false")
    await expect(retweet).to_have_attribute("aria-pressed", "false")
    await expect(card(bob, tweet_id).get_by_test_id("like-count")).to_have_text("0")
    await expect(card(bob, tweet_id).get_by_test_id("retweet-count")).to_have_text("0")
    await expect(card(alice, tweet_id).get_by_test_id("like-count")).to_have_text("0", timeout=LIVE)
    await expect(card(alice, tweet_id).get_by_test_id("retweet-count")).to_have_text("0", timeout=LIVE)

    await reload_live(bob)
    await expect(card(bob, tweet_id).get_by_test_id("like-button")).to_have_attribute("aria-pressed", "false")
    await expect(card(bob, tweet_id).get_by_test_id("retweet-button")).to_have_attribute(
        "aria-pressed", "false"
    )
    state = demo_server.gql(
        "bob",
        "query($id: ID!) { tweet(id: $id) { likedByViewer retweetedByViewer metrics { likes retweets } } }",
        id=tweet_id,
    )["tweet"]
    assert state == {
        "likedByViewer": False,
        "retweetedByViewer": False,
        "metrics": {"likes": 0, "retweets": 0},
    }


async def test_following_from_a_profile_brings_the_next_tweet_into_the_feed_live(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    demo_server.gql("alice", 'mutation { unfollow(userId: "carol") }')
    try:
        # From a hashtag page to carol's profile, by links.
        alice = await open_as("alice", path="/tag/python")
        await expect(alice.get_by_test_id("page-title")).to_have_text("#python")
        carol_card = alice.locator('[data-testid="tweet"][data-author="carol"]').first
        await carol_card.get_by_test_id("author-link").click()
        await expect(alice).to_have_url(re.compile(r"/u/carol$"))
        await expect(alice.get_by_test_id("page-title")).to_have_text("Carol")
        await expect(alice.get_by_test_id("page-title")).to_be_focused()

        follow = alice.get_by_test_id("follow-button")
        await expect(follow).to_have_text("Follow")
        followers = alice.get_by_test_id("followers-count").locator("strong")
        before = int(await followers.inner_text())
        await follow.click()
        await expect(follow).to_have_text("Following", timeout=LIVE)
        await expect(follow).to_have_attribute("aria-pressed", "true")
        await expect(followers).to_have_text(str(before + 1), timeout=LIVE)

        tweet_id = demo_server.post_tweet("carol", "Hello to my newest follower")
        # Live on the profile being looked at...
        await expect(card(alice.get_by_test_id("profile-tweets"), tweet_id)).to_have_count(1, timeout=LIVE)
        # ...and waiting in the feed.
        await alice.get_by_test_id("home-link").click()
        await expect(alice.get_by_test_id("new-tweets-button")).to_have_text("1 new tweet")
        await alice.get_by_test_id("new-tweets-button").click()
        await expect(alice.get_by_test_id("tweet").first).to_have_attribute("data-tweet-id", tweet_id)

        # A reload of the profile keeps the state (followedByViewer from the server).
        await alice.goto(f"{demo_server.url}/u/carol")
        await expect(alice.get_by_test_id("follow-button")).to_have_text("Following", timeout=10_000)
    finally:
        demo_server.gql("alice", 'mutation { follow(userId: "carol") }')


async def test_a_reply_reaches_the_open_thread_live_with_whom_it_replies_to(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    tweet_id = demo_server.post_tweet("alice", "Open a thread under this #threads")
    alice, bob = await open_as("alice"), await open_as("bob")
    await card(alice, tweet_id).get_by_test_id("tweet-link").click()
    await expect(alice).to_have_url(re.compile(rf"/t/{tweet_id}$"))
    thread = alice.get_by_test_id("thread")
    await expect(thread).to_have_attribute("data-tweet-id", tweet_id)
    await expect(thread.get_by_test_id("replies").get_by_test_id("tweet")).to_have_count(0)

    await card(bob, tweet_id).get_by_test_id("reply-button").click()
    await wait_for_typing_watchers(demo_server, [alice, bob])
    await bob.get_by_test_id("reply-input").press_sequentially("Count me in", delay=30)
    # The thread's own reply box, open on alice's page, says who is typing.
    await expect(thread.get_by_test_id("typing-indicator")).to_have_text("Bob is typing…", timeout=LIVE)
    await bob.get_by_test_id("reply-submit").click()

    replies = thread.get_by_test_id("replies").get_by_test_id("tweet")
    await expect(replies).to_have_count(1, timeout=LIVE)
    reply = replies.first
    await expect(reply).to_have_attribute("data-author", "bob")
    await expect(reply.get_by_test_id("tweet-text")).to_have_text("Count me in")
    await expect(reply.get_by_test_id("replying-to")).to_have_text("Replying to @alice")
    await expect(card(thread, tweet_id).get_by_test_id("reply-count")).to_have_text("1", timeout=LIVE)
    await expect(thread.get_by_test_id("typing-indicator")).to_have_text("", timeout=LIVE)
    reply_id = await reply.get_attribute("data-tweet-id")

    # The replier is shown where the reply went.
    await bob.get_by_test_id("reply-sent").get_by_role("link", name="View the thread").click()
    await expect(bob.get_by_test_id("replies").get_by_test_id("tweet")).to_have_count(1)

    # Alice's REPLY notification opens the reply's own page, which says whom it replies to.
    notification = alice.locator(
        f'[data-testid="notification"][data-kind="REPLY"][data-tweet-id="{reply_id}"]'
    )
    await notification.get_by_test_id("notification-link").click()
    await expect(alice).to_have_url(re.compile(rf"/t/{reply_id}$"))
    await expect(alice.get_by_test_id("thread").get_by_test_id("replying-to").first).to_have_text(
        "Replying to @alice"
    )
    await expect(notification).to_have_attribute("data-read", "true", timeout=LIVE)

    # Back goes back.
    await alice.go_back()
    await expect(alice).to_have_url(re.compile(rf"/t/{tweet_id}$"))


async def test_mentions_hashtags_and_trending_link_to_their_pages(
    demo_server: DemoServer, open_as: OpenAs
) -> None:
    tweet_id = demo_server.post_tweet("dave", "Ask @erin about #LinkCheck")
    erin = await open_as("erin")
    text = card(erin, tweet_id).get_by_test_id("tweet-text")
    await text.get_by_role("link", name="#LinkCheck").click()
    await expect(erin).to_have_url(re.compile(r"/tag/linkcheck$"))
    await expect(card(erin.get_by_test_id("tag-tweets"), tweet_id)).to_have_count(1)

    await card(erin, tweet_id).get_by_test_id("tweet-text").get_by_role("link", name="@erin").click()
    await expect(erin).to_have_url(re.compile(r"/u/erin$"))
    await expect(erin.get_by_test_id("follow-button")).to_have_count(0)  # not oneself

    topic = erin.locator('[data-testid="trending-topic"][data-topic="linkcheck"]')
    await topic.get_by_test_id("trending-link").click(timeout=5_000)
    await expect(erin).to_have_url(re.compile(r"/tag/linkcheck$"))
    await expect(erin.get_by_test_id("page-title")).to_have_text("#linkcheck")

    # A page of the app loaded directly (the server answers index.html), and one that is not.
    await erin.goto(f"{demo_server.url}/t/{tweet_id}")
    await expect(erin.get_by_test_id("thread")).to_have_attribute("data-tweet-id", tweet_id, timeout=10_000)
    await erin.goto(f"{demo_server.url}/t/99999999")
    await expect(erin.get_by_test_id("thread-missing")).to_be_visible(timeout=10_000)
