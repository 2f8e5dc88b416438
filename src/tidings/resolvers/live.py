"""Trending, typing and connection statistics."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

from strawberry import ID
from strawberry.types import Info

from .. import messages
from ..bus import RESYNC, Event, channels
from ..errors import InvalidInputError
from ..store import TopicRow, UserRow
from ..types.live import (
    ConnectionStats,
    FieldCount,
    TransportCount,
    TrendingTopic,
    TrendingUpdate,
    TypingEvent,
)
from ..types.social import User
from .context import Context, off_fanout

MAX_TRENDING = 50


def trending_update(event: Event) -> TrendingUpdate:
    data = event.data
    return TrendingUpdate(
        topics=TrendingTopic.ranked([TopicRow(topic, count) for topic, count in data["topics"]]),
        window_seconds=data["window"],
        computed_at=datetime.fromisoformat(data["at"]),
    )


async def trending(info: Info[Context, None], limit: int | None = 10) -> list[TrendingTopic]:
    ctx = info.context
    limit = 10 if limit is None else limit
    if limit < 1 or limit > MAX_TRENDING:
        raise InvalidInputError(f"`limit` is {limit}; expected 1-{MAX_TRENDING}.")
    rows = await ctx.store.trending(window_seconds=ctx.settings.trending_window, limit=limit)
    return TrendingTopic.ranked(rows)


async def trending_stream(info: Info[Context, None]) -> AsyncGenerator[TrendingUpdate, None]:
    ctx = info.context
    ctx.require_viewer()
    async with ctx.bus.subscribe(channels.trending(), latest_only=True) as mailbox:
        current = await ctx.trending.current()
        yield current.memo(TrendingUpdate, trending_update)
        last = current.data["topics"]
        async for event in mailbox:
            if event.kind == RESYNC:  # the broker is back after an outage: re-read the ranking
                await off_fanout()
                event = await ctx.trending.current()
            if event.data["topics"] == last:
                continue
            last = event.data["topics"]
            yield event.memo(TrendingUpdate, trending_update)


async def set_typing(info: Info[Context, None], conversation_id: ID, is_typing: bool) -> bool:
    ctx = info.context
    viewer = ctx.require_viewer()
    conversation = await ctx.publisher.conversation(conversation_id)
    await ctx.publish(channels.typing(conversation), messages.typing_event(conversation, viewer, is_typing))
    return True


def _typing(event: Event) -> TypingEvent:
    data = event.data
    return TypingEvent(
        conversation_id=ID(data["conversation_id"]),
        user=User.from_row(UserRow.from_json(data["user"])),
        is_typing=data["is_typing"],
        at=datetime.fromisoformat(data["at"]),
    )


async def typing_stream(info: Info[Context, None], conversation_id: ID) -> AsyncGenerator[TypingEvent, None]:
    ctx = info.context
    viewer = ctx.require_viewer()
    conversation = await ctx.publisher.conversation(conversation_id)  # before anything is subscribed
    async with ctx.bus.subscribe(channels.typing(conversation), latest_only=True) as mailbox:
        async for event in mailbox:
            # The others in the conversation, not oneself. Typing is ephemeral: a RESYNC has nothing
            # to catch up.
            if event.kind != RESYNC and event.data["user"]["id"] != viewer.id:
                yield event.memo(TypingEvent, _typing)


async def stats(info: Info[Context, None]) -> ConnectionStats:
    info.context.require_viewer()  # figures about everyone: not for anonymous callers (issue 11)
    snap = info.context.stats.snapshot()
    return ConnectionStats(
        connections=snap["connections"],
        subscriptions=snap["subscriptions"],
        live_subscriptions=snap["live"],
        by_field=[FieldCount(field=name, subscriptions=n) for name, n in sorted(snap["by_field"].items())],
        events_published=snap["events_published"],
        messages_delivered=snap["messages_delivered"],
        cluster_connections=snap["cluster_connections"],
        instances=snap["instances"],
        bus_channels=snap["bus_channels"],
        coalesced=snap["coalesced"],
        overflowed=snap["overflowed"],
        by_transport=[
            TransportCount(
                transport=name,
                connections=row["connections"],
                subscriptions=row["subscriptions"],
                messages_delivered=row["delivered"],
            )
            for name, row in snap["by_transport"].items()
        ],
    )
