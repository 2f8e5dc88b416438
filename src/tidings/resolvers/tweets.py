"""Tweets: post, read one, the home feed, and the live feed."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from .. import ids, messages
from ..bus import RESYNC, channels
from ..errors import NotFoundError
from ..types.social import Tweet
from . import events
from .context import Context, off_fanout
from .paging import clamp_first

# After a broker outage the feed re-reads tweets created since it was lost, less this slack: a
# tweet's created_at precedes its publish by its transaction, and noticing the loss takes <= 2 s.
RESYNC_SLACK = 10.0
SEEN = 512  # ids a feed stream remembers, so that a resync never repeats a tweet


async def tweet(info: Info[Context, None], id: strawberry.ID) -> Tweet | None:
    try:
        key = ids.canonical(id)
    except NotFoundError:  # well-formed, beyond every key
        return None
    row = await info.context.store.tweet(key)
    return Tweet.from_row(row) if row else None


async def feed(info: Info[Context, None], first: int | None = 20) -> list[Tweet]:
    ctx = info.context
    viewer = ctx.require_viewer()
    rows = await ctx.store.feed(viewer.id, clamp_first(first))
    return [Tweet.from_row(row) for row in rows]


async def post_tweet(info: Info[Context, None], content: str, reply_to: strawberry.ID | None = None) -> Tweet:
    ctx = info.context
    viewer = ctx.require_viewer()
    parent = ids.canonical(reply_to) if reply_to is not None else None
    result = await ctx.store.post(viewer.id, content, parent)
    await ctx.publisher.posted(result)
    return Tweet.from_row(result.tweet)


async def feed_stream(info: Info[Context, None]) -> AsyncGenerator[Tweet, None]:
    ctx = info.context
    viewer = ctx.require_viewer()
    # Visibility can change mid-stream: an unfollow reaches this stream as an event on the same
    # channel, and later tweets by that author are dropped until a follow says otherwise.
    hidden: set[str] = set()
    seen: dict[str, None] = {}
    started = time.time()
    async with ctx.bus.subscribe(channels.feed(viewer.id)) as mailbox:
        async for event in mailbox:
            if event.kind == messages.TWEET:
                if event.data["author"]["id"] not in hidden and _first_sight(seen, event.data["id"]):
                    yield events.tweet_of(event)
            elif event.kind == RESYNC:
                await off_fanout()
                since = datetime.fromtimestamp(max(event.data["since"] - RESYNC_SLACK, started), UTC)
                for row in await ctx.store.feed_since(
                    viewer.id, since=since, first=ctx.settings.backlog_size
                ):
                    if row.author.id not in hidden and _first_sight(seen, row.id):
                        yield Tweet.from_row(row)
            elif event.kind == messages.UNFOLLOWED:
                hidden.add(event.data["author_id"])
            elif event.kind == messages.FOLLOWED:
                hidden.discard(event.data["author_id"])


def _first_sight(seen: dict[str, None], tweet_id: str) -> bool:
    """Remember `tweet_id`; False when it was seen lately."""
    if tweet_id in seen:
        return False
    seen[tweet_id] = None
    if len(seen) > SEEN:
        del seen[next(iter(seen))]
    return True
