"""Generated frames thrown at a live socket, on both sub-protocols: the server never crashes,
logs no error, and leaks nothing (operations, generators, mailboxes and bus channels back to
their baseline); a normal client is served afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..clients import LEGACY_WS, PROTOCOLS, TRANSPORT_WS, WsClient
from ..conftest import eventually
from ..factories import token

QUERIES = [
    "subscription { trending { windowSeconds } }",
    "subscription { notifications { kind cursor } }",
    'subscription { notifications(after: "0") { kind } }',
    "subscription { feed { id } }",
    'subscription { engagement(tweetId: "1") { likes } }',
    'subscription { typing(conversationId: "1") { isTyping } }',
    'subscription { typing(conversationId: "c") { isTyping } }',
    "{ viewer { id } }",
    'mutation { setTyping(conversationId: "1", isTyping: true) }',
    'mutation { setTyping(conversationId: "²", isTyping: true) }',
    "subscription { trending { windowSeconds } } subscription B { feed { id } }",
    "subscription {",
    "{ nope }",
]
TYPES = [
    "connection_init", "subscribe", "complete", "ping", "pong", "start", "stop",
    "connection_terminate", "next", "error", "ka",
]  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
ids = st.one_of(
    st.sampled_from(["1", "2", "a"]), st.text(max_size=140), st.integers(), st.none(), json_values
)
payloads = st.one_of(
    st.fixed_dictionaries(
        {"query": st.one_of(st.sampled_from(QUERIES), st.text(max_size=60), st.integers())},
        optional={"variables": json_values, "operationName": st.one_of(st.text(max_size=5), st.integers())},
    ),
    json_values,
)
messages = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(TYPES), st.text(max_size=12), st.integers(), st.none())},
    optional={"id": ids, "payload": payloads},
).map(json.dumps)
frames = st.one_of(
    messages,
    json_values.map(json.dumps),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.just(json.dumps({"type": "subscribe", "id": "big", "payload": {"query": "{" + " " * 70_000 + "}"}})),
)


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def error_log():
    handler = Errors()
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "tidings", "asyncio")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


async def test_generated_frames_neither_crash_nor_leak(live_server):
    baseline = live_server.stats()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        protocol=st.sampled_from(PROTOCOLS),
        init=st.booleans(),
        batch=st.lists(frames, min_size=1, max_size=5),
        abort=st.booleans(),
    )
    def run(protocol: str, init: bool, batch: list[str | bytes], abort: bool) -> None:
        async def one() -> None:
            client = await WsClient(live_server.ws_url, protocol).open()
            try:
                if init:
                    await client.init(token("fuzz"))
                for frame in batch:
                    if client.is_closed:
                        break
                    with contextlib.suppress(Exception):
                        await client.send(frame)
                with contextlib.suppress(TimeoutError):  # let the server act on them
                    await client.wait_closed(timeout=0.05)
            finally:
                if abort:
                    client.abort()
                await client.close()
                WsClient.OPEN.remove(client)  # closed here, in this loop

        runner.run_until_complete(one())

    with error_log() as errors:
        runner = asyncio.new_event_loop()
        try:
            await asyncio.to_thread(run)
        finally:
            runner.close()
        await eventually(lambda: live_server.stats()["connections"] == 0, timeout=10)
        await eventually(lambda: live_server.stats()["mailboxes"] == baseline["mailboxes"], timeout=10)
        after = live_server.stats()
        assert (after["subscriptions"], after["streams"], after["by_field"]) == (0, 0, {})
        assert after["bus_channels"] == baseline["bus_channels"]
        assert live_server.thread.is_alive()
        for protocol in (TRANSPORT_WS, LEGACY_WS):
            client = await WsClient(live_server.ws_url, protocol).open()
            await client.init(token("normal"))
            stream = await client.subscribe("trending { windowSeconds }")
            assert await stream.next() == {"windowSeconds": 900}
            await client.close()
    assert [r.getMessage() for r in errors] == []
