"""What several store modules share: the tweet query with its author, row mapping, and ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, literal_column, select
from sqlalchemy.engine import Row

from .. import ids
from . import tables as t
from .rows import MetricsRow, TweetRow, UserRow

author = t.users.alias("author")


def parse_id(raw: str, what: str) -> int:
    """A numeric id given by a client (`ids.numeric`): InvalidInputError when malformed,
    NotFoundError when it cannot name anything."""
    return ids.numeric(raw, what)


def tweets_query() -> Any:
    """Tweets with their author's handle and display name."""
    return select(t.tweets, author.c.handle, author.c.display_name).join(
        author, author.c.id == t.tweets.c.author_id
    )


def metrics_of(row: Any, prefix: str = "") -> MetricsRow:
    m = row._mapping
    return MetricsRow(
        tweet_id=str(m[f"{prefix}id"]),
        likes=m[f"{prefix}likes"],
        replies=m[f"{prefix}replies"],
        retweets=m[f"{prefix}retweets"],
        updated_at=m[f"{prefix}updated_at"],
        version=m[f"{prefix}version"],
    )


def bumped(now: datetime, *, sqlite: bool) -> dict[str, Any]:
    """The columns of any UPDATE that changes a tweet's counts: `version` one up (what
    subscribers order states by: under the row lock, so in commit order) and `updated_at` later
    than it was (on SQLite, not earlier: its dates are text), as the hot writes in writes.py do."""
    at = literal(now, t.tweets.c.updated_at.type)
    latest = (
        func.max(at, t.tweets.c.updated_at)
        if sqlite
        else func.greatest(at, t.tweets.c.updated_at + literal_column("interval '1 microsecond'"))
    )
    return {"version": t.tweets.c.version + 1, "updated_at": latest}


def tweet_of(row: Row[Any]) -> TweetRow:
    m = row._mapping
    return TweetRow(
        id=str(m["id"]),
        author=UserRow(id=m["author_id"], handle=m["handle"], display_name=m["display_name"]),
        content=m["content"],
        hashtags=m["hashtags"].split() if m["hashtags"] else [],
        created_at=m["created_at"],
        reply_to=str(m["reply_to"]) if m["reply_to"] is not None else None,
        metrics=metrics_of(row),
    )
