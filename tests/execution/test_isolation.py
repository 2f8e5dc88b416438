"""Target 5 of issue 15: no subscriber code runs inside the Hub's task, and a generator that
raises, times out or is cancelled while an event is delivered ends only its own operation.

Real parts: the memory:// bus and its Hub, the Engine over a schema of misbehaving
subscriptions, LiveSubscription; the Connection is a small recorder of what would be sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import orjson
import strawberry
from strawberry.types import Info

from tidings.bus import BroadcastBus, Event
from tidings.execution.engine import Engine
from tidings.execution.operations import Operation
from tidings.execution.shared import SharedPayloads
from tidings.execution.stats import LiveStats

from ..conftest import eventually
from ..factories import make_settings

CHANNEL = "tidings.test.isolation"
HUB_TASKS: list[asyncio.Task[Any] | None] = []  # the task each step of `spy` ran in


async def _events(info: Info[Any, None]) -> AsyncGenerator[int, None]:
    async with info.context.bus.subscribe(CHANNEL) as mailbox:
        yield 0
        async for event in mailbox:
            yield event.data["n"]


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def good(self, info: Info[Any, None]) -> AsyncGenerator[int, None]:
        async for n in _events(info):
            yield n

    @strawberry.subscription
    async def spy(self, info: Info[Any, None]) -> AsyncGenerator[int, None]:
        async for n in _events(info):
            HUB_TASKS.append(asyncio.current_task())
            yield n

    @strawberry.subscription
    async def raises(self, info: Info[Any, None]) -> AsyncGenerator[int, None]:
        async for n in _events(info):
            if n == 1:
                raise ValueError("broken generator")
            yield n

    @strawberry.subscription
    async def times_out(self, info: Info[Any, None]) -> AsyncGenerator[int, None]:
        async for n in _events(info):
            if n == 1:
                await asyncio.wait_for(asyncio.Event().wait(), 0.01)
            yield n

    @strawberry.subscription
    async def scoped_timeout(self, info: Info[Any, None]) -> AsyncGenerator[int, None]:
        async for n in _events(info):
            if n == 1:
                async with asyncio.timeout(0.01):
                    await asyncio.Event().wait()
            yield n

    @strawberry.subscription
    async def cancels(self, info: Info[Any, None]) -> AsyncGenerator[int, None]:
        async for n in _events(info):
            if n == 1:
                raise asyncio.CancelledError()
            yield n


schema = strawberry.Schema(query=Query, subscription=Subscription)


class Recorder:
    """The Connection protocol (execution/operations.py), recording frames instead of sending."""

    def __init__(self, bus: BroadcastBus, engine: Engine) -> None:
        self.ops: dict[str, Operation] = {}
        self.context: Any = _Context(bus)  # what the test resolvers read: the bus, no viewer
        self.stats = LiveStats(bus)
        self.engine = engine
        self.shared = SharedPayloads()
        self.frames: dict[str, list[Any]] = {}

    @property
    def server(self) -> Recorder:
        return self

    def next_prefix(self, op_id: str) -> str:
        return op_id + "|"

    async def send_result(self, prefix: str, payload: str) -> None:
        op_id, _, _ = prefix.partition("|")
        self.frames.setdefault(op_id, []).append(orjson.loads(payload))

    async def send_next(self, op_id: str, payload: str) -> None:
        await self.send_result(self.next_prefix(op_id), payload)

    async def send_complete(self, op_id: str) -> None:
        self.frames.setdefault(op_id, []).append("complete")

    async def send_errors(self, op_id: str, errors: list[dict[str, Any]]) -> None:
        self.frames.setdefault(op_id, []).append({"errors": errors})


class _Context:
    def __init__(self, bus: BroadcastBus) -> None:
        self.bus = bus
        self.viewer = None


def _values(frames: list[Any]) -> list[int]:
    return [next(iter(f["data"].values())) for f in frames if isinstance(f, dict) and "data" in f]


async def test_a_generator_that_fails_during_delivery_ends_only_its_own_operation(tmp_path: Path) -> None:
    bus = BroadcastBus("memory://")
    await bus.connect()
    try:
        engine = Engine(schema, make_settings(tmp_path))
        conn = Recorder(bus, engine)
        fields = ["good", "spy", "raises", "timesOut", "scopedTimeout", "cancels", "good"]
        for i, field in enumerate(fields):
            op = Operation.create(conn, str(i), engine.prepare(f"subscription {{ {field} }}"), None, None)
            conn.ops[op.id] = op
            op.start()
        await eventually(lambda: conn.stats.live == len(fields))
        (pump,) = [t for t in asyncio.all_tasks() if t.get_name() == f"hub:{CHANNEL}"]

        for n in (1, 2, 3):
            await bus.publish(CHANNEL, Event("n", {"n": n}))
            await eventually(lambda: _values(conn.frames["0"])[-1:] == [n])  # noqa: B023

        # The well-behaved ones got every event; the hub's task never ran subscriber code
        for good in ("0", "1", "6"):
            assert _values(conn.frames[good]) == [0, 1, 2, 3]
        assert HUB_TASKS and pump not in HUB_TASKS
        assert not pump.done()
        # each misbehaving one ended with its own error, after what it had sent
        raised, timed_out, scoped, cancelled = (conn.frames[i] for i in ("2", "3", "4", "5"))
        assert raised[0]["data"] == {"raises": 0}
        assert raised[-1]["errors"][0]["message"] == "Unexpected error."
        assert timed_out[0]["data"] == {"timesOut": 0} and "errors" in timed_out[-1]
        assert scoped[0]["data"] == {"scopedTimeout": 0} and "errors" in scoped[-1]
        assert cancelled == [{"data": {"cancels": 0}}]  # cancelled: ends quietly, as a closed op does
        assert set(conn.ops) == {"0", "1", "6"}
        await eventually(lambda: bus.hub.mailbox_count == 3)

        # An operation cancelled while its step is queued (the client completed it) ends alone
        await bus.publish(CHANNEL, Event("n", {"n": 4}))
        await conn.ops["1"].aclose()
        await eventually(lambda: _values(conn.frames["6"])[-1:] == [4])
        assert _values(conn.frames["0"]) == [0, 1, 2, 3, 4]
        assert bus.hub.mailbox_count == 2 and not pump.done()
    finally:
        for op in list(conn.ops.values()):
            await op.aclose()
        await bus.disconnect()
