"""Finding 3 (issue 11): the mutation rate limit counts mutation fields, not requests. 30 aliased
`postTweet` in one request are 30 against the burst, however the fields are spelt (aliases, named
and inline fragments), and fields that `@skip`/`@include` leave out are not counted."""

from __future__ import annotations

import pytest

from ..clients import ApiFactory
from ..factories import make_settings

BURST = 60


@pytest.fixture
def settings(tmp_path):
    # A rate so slow that nothing refills during the test: the burst is all there is.
    return make_settings(tmp_path, mutation_rate=0.001, mutation_burst=BURST)


def _posts(count: int, prefix: str = "p") -> str:
    return " ".join(f'{prefix}{i}: postTweet(content: "{prefix}{i}") {{ id }}' for i in range(count))


async def _tweets(api: ApiFactory) -> int:
    return len((await api("alice")("{ feed(first: 100) { id } }"))["feed"])


async def test_thirty_aliased_mutations_in_one_request_count_thirty(live_server, api):
    alice = api("alice")
    for _ in range(BURST // 30):
        data = await alice(f"mutation {{ {_posts(30)} }}")
        assert len(data) == 30
    body = await alice.raw('mutation { postTweet(content: "one too many") { id } }')
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert await _tweets(api) == BURST


async def test_a_request_with_more_mutations_than_the_tokens_left_is_refused_whole(live_server, api):
    alice = api("alice")
    assert len(await alice(f"mutation {{ {_posts(30)} }}")) == 30
    assert len(await alice(f"mutation {{ {_posts(20)} }}")) == 20
    body = await alice.raw(f"mutation {{ {_posts(11)} }}")  # 10 tokens left
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert await _tweets(api) == 50
    assert len(await alice(f"mutation {{ {_posts(10)} }}")) == 10  # nothing was taken by the refusal
    assert await _tweets(api) == BURST


async def test_fragments_count_and_skipped_fields_do_not(live_server, api):
    alice = api("alice")
    document = (
        "mutation($yes: Boolean!, $no: Boolean!) { ...Ten ... on Mutation { "
        + _posts(10, "i")
        + ' } skipped: postTweet(content: "s") @skip(if: $yes) { id }'
        + ' included: postTweet(content: "c") @include(if: $yes) { id }'
        + ' excluded: postTweet(content: "e") @include(if: $no) { id } }'
        + " fragment Ten on Mutation { "
        + _posts(10, "f")
        + " }"
    )
    for _ in range(2):
        assert len(await alice(document, {"yes": True, "no": False})) == 21
    body = await alice.raw(document, {"yes": True, "no": False})  # 21 more than the 18 left
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert await _tweets(api) == 42
    body = await alice.raw(document, {"yes": False, "no": False})  # 20 without `included`: still over
    assert body["data"] is None
    document = "mutation { ...Ten } fragment Ten on Mutation { " + _posts(10, "f") + " }"
    assert len(await alice(document)) == 10
    assert await _tweets(api) == 52


async def test_aliased_mutations_over_a_websocket_count_the_same(live_server, api, ws_as, protocol):
    async with ws_as("alice") as alice:
        for _ in range(BURST // 30):
            stream = await alice.subscribe(f"mutation {{ {_posts(30)} }}")
            assert len((await stream.message())["payload"]["data"]) == 30
        stream = await alice.subscribe('mutation { postTweet(content: "one too many") { id } }')
        message = await stream.message()
        assert message["payload"]["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert await _tweets(api) == BURST
