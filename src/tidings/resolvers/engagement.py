"""Likes, retweets and the live engagement counters of a tweet."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from .. import ids, messages
from ..bus import RESYNC, channels
from ..store import EngagementResult
from ..types.social import EngagementMetrics
from . import events
from .context import Context, off_fanout


async def _published(ctx: Context, result: EngagementResult) -> EngagementMetrics:
    await ctx.publisher.engagement_changed(result)
    return EngagementMetrics.from_row(result.metrics)


async def like_tweet(info: Info[Context, None], tweet_id: strawberry.ID) -> EngagementMetrics:
    ctx = info.context
    viewer = ctx.require_viewer()
    return await _published(ctx, await ctx.store.like(viewer.id, ids.canonical(tweet_id), actor=viewer))


async def unlike_tweet(info: Info[Context, None], tweet_id: strawberry.ID) -> EngagementMetrics:
    ctx = info.context
    viewer = ctx.require_viewer()
    return await _published(ctx, await ctx.store.unlike(viewer.id, ids.canonical(tweet_id)))


async def retweet(info: Info[Context, None], tweet_id: strawberry.ID) -> EngagementMetrics:
    ctx = info.context
    viewer = ctx.require_viewer()
    return await _published(ctx, await ctx.store.retweet(viewer.id, ids.canonical(tweet_id), actor=viewer))


async def unretweet(info: Info[Context, None], tweet_id: strawberry.ID) -> EngagementMetrics:
    ctx = info.context
    viewer = ctx.require_viewer()
    return await _published(ctx, await ctx.store.unretweet(viewer.id, ids.canonical(tweet_id)))


async def engagement_stream(
    info: Info[Context, None], tweet_id: strawberry.ID
) -> AsyncGenerator[EngagementMetrics, None]:
    ctx = info.context
    ctx.require_viewer()
    key = ids.canonical(tweet_id)  # before anything is subscribed: a malformed id holds nothing
    channel = channels.engagement(key)
    async with ctx.bus.subscribe(channel, latest_only=True) as mailbox:
        # Subscribed first, snapshot second: nothing slips between the two. The snapshot is the
        # newest state this process holds for the channel (kept by the Hub since it subscribed,
        # so every later change reaches us too), else read from the store and offered to the
        # next newcomer. An event not newer than the snapshot (published before, delivered
        # after) is skipped.
        held = ctx.bus.newest(channel)
        if held is None:
            held = messages.metrics_event(await ctx.store.metrics(key))
            ctx.bus.offer(channel, held)
        # The snapshot is the event's own value object, the one its fan-out executed: every
        # newcomer holding the same snapshot shares one execution and payload (server/shared.py).
        yield events.metrics_of(held)
        last = messages.metrics_row_of(held).version
        async for event in mailbox:
            if event.kind == RESYNC:  # the broker is back after an outage: re-read the counts
                await off_fanout()
                row = await ctx.store.metrics(key)
                if row.version > last:
                    last = row.version
                    yield EngagementMetrics.from_row(row)
                continue
            # Ordered by the tweet's version, which the store raises in the UPDATE that changes
            # the counts: an event at or below the last one sent is older (or the same) state.
            version = messages.version(event)
            if version <= last:
                continue
            last = version
            yield events.metrics_of(event)
