"""Finding 6 (issue 11): Unicode digits and other malformed ids or cursors crashed parsing.

`"²".isdigit()` is true and `int("²")` raises, so `likeTweet(tweetId: "²")` answered
"Unexpected error." and logged a traceback. Every id and cursor argument now goes through
`tidings.ids`: a malformed one is BAD_USER_INPUT (a well-formed one naming nothing, NOT_FOUND),
and nothing is logged above debug.
"""

from __future__ import annotations

import logging

import pytest

from .checks import code_of, nothing_above_debug, stream_error

# Other scripts' digits, superscripts, fullwidth digits, signs, spaces, and too many digits.
BAD_IDS = ["²", "٣", "１２", "1²", "-1", " 1", "1.0", "0x10", "1" * 21, "9" * 64, ""]
REFUSED = {"BAD_USER_INPUT", "NOT_FOUND"}

MUTATIONS = {
    "likeTweet": "mutation($id: ID!) { likeTweet(tweetId: $id) { likes } }",
    "unlikeTweet": "mutation($id: ID!) { unlikeTweet(tweetId: $id) { likes } }",
    "retweet": "mutation($id: ID!) { retweet(tweetId: $id) { retweets } }",
    "markNotificationRead": "mutation($id: ID!) { markNotificationRead(id: $id) { id } }",
    "postTweet": 'mutation($id: ID!) { postTweet(content: "hi", replyTo: $id) { id } }',
    "setTyping": "mutation($id: ID!) { setTyping(conversationId: $id, isTyping: true) }",
}
QUERIES = {
    "notifications(after)": "query($id: String!) { notifications(after: $id) { id } }",
    "notifications(before)": "query($id: String!) { notifications(before: $id) { id } }",
}
SUBSCRIPTIONS = {
    "engagement": "subscription($id: ID!) { engagement(tweetId: $id) { likes } }",
    "notifications": "subscription($id: String!) { notifications(after: $id) { cursor } }",
    "typing": "subscription($id: ID!) { typing(conversationId: $id) { isTyping } }",
}


@pytest.mark.parametrize("field", [*MUTATIONS, *QUERIES])
async def test_a_malformed_id_over_http_is_bad_user_input(api, field, caplog):
    alice = api("alice")
    await alice.post("a tweet, so that ids exist")
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for bad in BAD_IDS:
        body = await alice.raw({**MUTATIONS, **QUERIES}[field], {"id": bad})
        assert body.get("errors"), (bad, body)
        [error] = body["errors"]
        assert code_of(error) in REFUSED, (bad, error)
        assert error["message"] != "Unexpected error."
    nothing_above_debug(caplog)


async def test_the_tweet_query_answers_a_malformed_id_without_a_server_error(api, caplog):
    alice = api("alice")
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for bad in BAD_IDS:
        body = await alice.raw("query($id: ID!) { tweet(id: $id) { id } }", {"id": bad})
        if "errors" in body:
            assert code_of(body["errors"][0]) in REFUSED, (bad, body)
        else:
            assert body["data"] == {"tweet": None}, (bad, body)
    nothing_above_debug(caplog)


@pytest.mark.parametrize("field", ["follow", "unfollow"])
async def test_a_malformed_user_id_is_refused(api, field, caplog):
    alice = api("alice")
    await api("bob")("{ viewer { id } }")
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for bad in [*BAD_IDS, "b" * 65, "x" * 50_000, "bo\x00b"]:
        body = await alice.raw(f"mutation($id: ID!) {{ {field}(userId: $id) }}", {"id": bad})
        if field == "unfollow" and "errors" not in body:
            assert body["data"] == {"unfollow": False}, (bad, body)  # following nobody: nothing to undo
            continue
        assert body.get("errors"), (bad, body)
        assert code_of(body["errors"][0]) in REFUSED, (bad, body)
    nothing_above_debug(caplog)


@pytest.mark.parametrize("field", SUBSCRIPTIONS)
async def test_a_malformed_id_in_a_subscription_is_bad_user_input(ws_as, api, field, caplog):
    await api("alice").post("a tweet, so that ids exist")
    async with ws_as("alice") as alice:
        caplog.set_level(logging.DEBUG)
        caplog.clear()
        for bad in BAD_IDS:
            stream = await alice.subscribe(SUBSCRIPTIONS[field], {"id": bad})
            error = await stream_error(stream)
            assert code_of(error) in REFUSED, (bad, error)
        # The socket is still fine: a good subscription runs on it.
        ok = await alice.subscribe('subscription { engagement(tweetId: "1") { likes } }')
        assert (await ok.next())["likes"] == 0
    nothing_above_debug(caplog)


async def test_the_id_helper_accepts_exactly_ascii_decimal_ids():
    from tidings import ids
    from tidings.errors import InvalidInputError, NotFoundError

    assert ids.numeric("0") == 0
    assert ids.numeric("1" * 19) == int("1" * 19)
    assert ids.cursor("000000000042") == 42
    for bad in BAD_IDS:
        with pytest.raises(InvalidInputError):
            ids.numeric(bad)
        with pytest.raises(InvalidInputError):
            ids.cursor(bad)
    with pytest.raises(NotFoundError):  # well-formed, beyond every 64-bit key
        ids.numeric("9" * 20)
    with pytest.raises(InvalidInputError):
        ids.cursor("9" * 20)
    assert ids.user("alice") == "alice"
    for bad in ["", "u" * 65]:
        with pytest.raises(InvalidInputError):
            ids.user(bad)
