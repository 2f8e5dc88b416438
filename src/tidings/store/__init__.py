"""The store: SQLAlchemy tables and domain verbs; SQLite or PostgreSQL by URL."""

from .rows import (
    Created,
    EngagementResult,
    FollowResult,
    MetricsRow,
    NotificationRow,
    PostResult,
    ReadAllResult,
    ReadResult,
    TopicRow,
    TrendingRow,
    TweetRow,
    UserRow,
    cursor_of,
)
from .store import Store, parse_id

__all__ = [
    "Created",
    "EngagementResult",
    "FollowResult",
    "MetricsRow",
    "NotificationRow",
    "PostResult",
    "ReadAllResult",
    "ReadResult",
    "Store",
    "TopicRow",
    "TrendingRow",
    "TweetRow",
    "UserRow",
    "cursor_of",
    "parse_id",
]
