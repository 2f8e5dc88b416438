"""Lists of tweets: the home feed, a user's tweets, a thread, a hashtag. Pages by tweet id.

Tweet ids increase with time, so a page is `id < before` newest first, or `id > after` oldest
first; the indexes (author_id, id), (reply_to, id) and hashtags (tag, tweet_id) serve each one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from . import tables as t
from ._select import tweet_of, tweets_query
from .rows import TweetRow


class Timelines:
    """The list queries of the Store (a mixin: the Store provides the engine)."""

    engine: AsyncEngine

    async def _tweets(self, query: Any) -> list[TweetRow]:
        async with self.engine.connect() as conn:
            return [tweet_of(row) for row in await conn.execute(query)]

    @staticmethod
    def _followed(user_id: str) -> Any:
        return select(t.follows.c.followee_id).where(t.follows.c.follower_id == user_id)

    async def feed(self, user_id: str, first: int, *, before: int | None = None) -> list[TweetRow]:
        """Newest first: tweets by the people `user_id` follows, and their own; with `before`,
        only those with a smaller id (the next page back)."""
        query = tweets_query().where(
            (t.tweets.c.author_id == user_id) | t.tweets.c.author_id.in_(self._followed(user_id))
        )
        if before is not None:
            query = query.where(t.tweets.c.id < before)
        return await self._tweets(query.order_by(t.tweets.c.id.desc()).limit(first))

    async def feed_after(self, user_id: str, *, after: int, first: int) -> list[TweetRow]:
        """Oldest first: tweets with an id above `after` by the people `user_id` follows (not
        their own): what the live feed carries, for a feed stream resuming with `after:`."""
        query = (
            tweets_query()
            .where(t.tweets.c.author_id.in_(self._followed(user_id)), t.tweets.c.id > after)
            .order_by(t.tweets.c.id.asc())
            .limit(first)
        )
        return await self._tweets(query)

    async def feed_since(self, user_id: str, *, since: datetime, first: int) -> list[TweetRow]:
        """Oldest first: tweets created at or after `since` by the people `user_id` follows (what
        the live feed would have carried; a feed stream reads it after a broker outage)."""
        query = (
            tweets_query()
            .where(t.tweets.c.author_id.in_(self._followed(user_id)), t.tweets.c.created_at >= since)
            .order_by(t.tweets.c.id.asc())
            .limit(first)
        )
        return await self._tweets(query)

    async def user_tweets(self, user_id: str, *, first: int, before: int | None = None) -> list[TweetRow]:
        """Newest first: the tweets (replies included) by `user_id`; empty for an unknown user."""
        query = tweets_query().where(t.tweets.c.author_id == user_id)
        if before is not None:
            query = query.where(t.tweets.c.id < before)
        return await self._tweets(query.order_by(t.tweets.c.id.desc()).limit(first))

    async def replies(self, tweet_key: int, *, first: int, after: int | None = None) -> list[TweetRow]:
        """Oldest first: the replies to one tweet (the thread under it)."""
        query = tweets_query().where(t.tweets.c.reply_to == tweet_key)
        if after is not None:
            query = query.where(t.tweets.c.id > after)
        return await self._tweets(query.order_by(t.tweets.c.id.asc()).limit(first))

    async def hashtag(self, tag: str, *, first: int, before: int | None = None) -> list[TweetRow]:
        """Newest first: tweets carrying `#tag` (as stored: lower case, without `#`)."""
        tagged = select(t.hashtags.c.tweet_id).where(t.hashtags.c.tag == tag)
        if before is not None:
            tagged = tagged.where(t.hashtags.c.tweet_id < before)
        tagged = tagged.order_by(t.hashtags.c.tweet_id.desc()).limit(first)
        query = tweets_query().where(t.tweets.c.id.in_(tagged)).order_by(t.tweets.c.id.desc())
        return await self._tweets(query)
