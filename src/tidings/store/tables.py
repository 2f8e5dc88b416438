"""SQLAlchemy Core tables. Works on SQLite (aiosqlite) and PostgreSQL (asyncpg) alike."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql.expression import true
from sqlalchemy.types import TypeDecorator

metadata = MetaData()

# SQLite has no 64-bit autoincrement of its own beyond INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("handle", String(64), nullable=False, unique=True),
    Column("display_name", String(128), nullable=False),
    Column("role", String(16), nullable=False, default="user"),
    # The last notification sequence given to this user, and how many are unread; both change
    # only under this row's lock, in the transaction that creates or reads notifications.
    Column("last_seq", BigInteger, nullable=False, default=0),
    Column("unread", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
)

tweets = Table(
    "tweets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("author_id", String(64), ForeignKey("users.id"), nullable=False),
    Column("content", Text, nullable=False),
    Column("reply_to", Id, ForeignKey("tweets.id"), nullable=True),
    Column("hashtags", Text, nullable=False, default=""),
    Column("likes", Integer, nullable=False, default=0),
    Column("replies", Integer, nullable=False, default=0),
    Column("retweets", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # The order of the counts: +1 in the UPDATE that changes them, under the row lock (0003).
    Column("version", BigInteger, nullable=False, default=0, server_default="0"),
    # A user's tweets and a tweet's replies, each paged by id (store/timelines.py).
    Index("ix_tweets_author_id_id", "author_id", "id"),
    Index("ix_tweets_reply_to_id", "reply_to", "id"),
)

hashtags = Table(
    "hashtags",
    metadata,
    Column("tweet_id", Id, ForeignKey("tweets.id"), primary_key=True),
    Column("tag", String(140), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Index("ix_hashtags_tag_tweet_id", "tag", "tweet_id"),
)

likes = Table(
    "likes",
    metadata,
    Column("user_id", String(64), ForeignKey("users.id"), primary_key=True),
    Column("tweet_id", Id, ForeignKey("tweets.id"), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    # False once taken back. The row stays, so that doing it again notifies nobody (API.md).
    Column("active", Boolean, nullable=False, default=True, server_default=true()),
)

retweets = Table(
    "retweets",
    metadata,
    Column("user_id", String(64), ForeignKey("users.id"), primary_key=True),
    Column("tweet_id", Id, ForeignKey("tweets.id"), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    # False once taken back. The row stays, so that doing it again notifies nobody (API.md).
    Column("active", Boolean, nullable=False, default=True, server_default=true()),
)

follows = Table(
    "follows",
    metadata,
    Column("follower_id", String(64), ForeignKey("users.id"), primary_key=True),
    Column("followee_id", String(64), ForeignKey("users.id"), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_follows_followee", "followee_id"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("actor_id", String(64), ForeignKey("users.id"), nullable=False),
    Column("tweet_id", Id, ForeignKey("tweets.id"), nullable=True),
    Column("read", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("user_id", "seq", name="uq_notifications_user_seq"),
)

# The cluster's trending ranking, one row (id 1), so that every process serves the same one and
# only one computes it per interval: a process recomputes only after claiming the row (moving
# `claimed_at` forward when it is an interval old), and keeps the ranking it published in
# `topics` (JSON [[topic, count], ...]). `held_until`: a ranking service's ranking stands until then.
trending = Table(
    "trending",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("computed_at", UtcDateTime, nullable=True),
    Column("held_until", UtcDateTime, nullable=True),
    Column("topics", Text, nullable=False, default="[]"),
)
