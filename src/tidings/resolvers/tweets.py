"""Tweets: post, read one, the lists (home feed, a user's, a thread, a hashtag), and the live feed."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from .. import ids, messages
from ..bus import RESYNC, channels
from ..errors import NotFoundError
from ..store import TweetRow
from ..types.social import Tweet
from . import events
from .context import Context, off_fanout
from .paging import clamp_first

# After a broker outage the feed re-reads tweets created since it was lost, less this slack: a
# tweet's created_at precedes its publish by its transaction, and noticing the loss takes <= 2 s.
RESYNC_SLACK = 10.0
SEEN = 512  # ids a feed stream remembers, so that a resync or a replay never repeats a tweet
REPLAY_PAGE = 500


def _bound(raw: strawberry.ID | None) -> int | None:
    """A paging bound (`before:` / `after:`), a tweet id: `ids.numeric`, or None when absent."""
    return None if raw is None else ids.numeric(raw)


def _tweets(rows: list[TweetRow]) -> list[Tweet]:
    return [Tweet.from_row(row) for row in rows]


async def tweet(info: Info[Context, None], id: strawberry.ID) -> Tweet | None:
    try:
        key = ids.canonical(id)
    except NotFoundError:  # well-formed, beyond every key
        return None
    row = await info.context.store.tweet(key)
    return Tweet.from_row(row) if row else None


async def feed(
    info: Info[Context, None], first: int | None = 20, before: strawberry.ID | None = None
) -> list[Tweet]:
    ctx = info.context
    viewer = ctx.require_viewer()
    return _tweets(await ctx.store.feed(viewer.id, clamp_first(first), before=_bound(before)))


async def user_tweets(
    info: Info[Context, None],
    user_id: strawberry.ID,
    first: int | None = 20,
    before: strawberry.ID | None = None,
) -> list[Tweet]:
    rows = await info.context.store.user_tweets(
        ids.user(user_id), first=clamp_first(first), before=_bound(before)
    )
    return _tweets(rows)


async def replies(
    info: Info[Context, None],
    tweet_id: strawberry.ID,
    first: int | None = 50,
    after: strawberry.ID | None = None,
) -> list[Tweet]:
    rows = await info.context.store.replies(
        ids.numeric(tweet_id),
        first=clamp_first(50 if first is None else first),
        after=_bound(after),
    )
    return _tweets(rows)


async def hashtag(
    info: Info[Context, None], tag: str, first: int | None = 20, before: strawberry.ID | None = None
) -> list[Tweet]:
    rows = await info.context.store.hashtag(
        tag.strip().lstrip("#").lower(), first=clamp_first(first), before=_bound(before)
    )
    return _tweets(rows)


async def post_tweet(info: Info[Context, None], content: str, reply_to: strawberry.ID | None = None) -> Tweet:
    ctx = info.context
    viewer = ctx.require_viewer()
    parent = ids.canonical(reply_to) if reply_to is not None else None
    result = await ctx.store.post(viewer.id, content, parent)
    await ctx.publisher.posted(result)
    return Tweet.from_row(result.tweet)


async def feed_stream(
    info: Info[Context, None], after: strawberry.ID | None = None
) -> AsyncGenerator[Tweet, None]:
    """New tweets by the authors the viewer follows; with `after:`, first those after that id,
    oldest first, then live ones: each once, in order.

    The Mailbox opens before the store is read, so a tweet posted meanwhile is in the replay,
    live, or both; a live one already yielded is skipped (`seen`, and the replay's floor below
    it). One not yet yielded is delivered even below the last id yielded: on PostgreSQL two
    concurrent posts can commit and publish out of id order, and late beats lost.
    """
    ctx = info.context
    viewer = ctx.require_viewer()
    after_key = _bound(after)
    seen: dict[int, None] = {}
    # Ids at or below the floor are the client's already (`after`) or were replayed before the
    # last SEEN replayed ones: never again.
    floor = after_key or 0
    started = time.time()
    # Tweets reach the feed channel from the Timeline, which routes each one to the local
    # followers of its author as of the follow changes published before it (an unfollow stops
    # them at once); joined after the Mailbox opened, so nothing routed meanwhile is lost.
    async with (
        ctx.bus.subscribe(channels.feed(viewer.id)) as mailbox,
        ctx.bus.timeline.joined(viewer.id, lambda: ctx.store.following(viewer.id)),
    ):
        while after_key is not None:
            rows = await ctx.store.feed_after(viewer.id, after=after_key, first=REPLAY_PAGE)
            for row in rows:
                _first_sight(seen, int(row.id))
                yield Tweet.from_row(row)
            if len(rows) < REPLAY_PAGE:
                break
            after_key = int(rows[-1].id)
        if seen:
            floor = max(floor, min(seen) - 1)
        async for event in mailbox:
            if event.kind == messages.TWEET:
                key = int(event.data["id"])
                if key > floor and _first_sight(seen, key):
                    yield events.tweet_of(event)
            elif event.kind == RESYNC:
                await off_fanout()
                since = datetime.fromtimestamp(max(event.data["since"] - RESYNC_SLACK, started), UTC)
                for row in await ctx.store.feed_since(
                    viewer.id, since=since, first=ctx.settings.backlog_size
                ):
                    if int(row.id) > floor and _first_sight(seen, int(row.id)):
                        yield Tweet.from_row(row)


def _first_sight(seen: dict[int, None], tweet_key: int) -> bool:
    """Remember `tweet_key`; False when it was seen lately."""
    if tweet_key in seen:
        return False
    seen[tweet_key] = None
    if len(seen) > SEEN:
        del seen[next(iter(seen))]
    return True
