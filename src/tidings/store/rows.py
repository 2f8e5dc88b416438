"""Plain rows the store returns, and their JSON form for the event bus."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

CURSOR_DIGITS = 12


def cursor_of(seq: int) -> str:
    """The opaque cursor of a sequence number; cursors of one user sort as strings too."""
    return f"{seq:0{CURSOR_DIGITS}d}"


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


class Identity(Protocol):
    """Who a valid token names, as the store needs it (auth.Claims is one; the store knows
    nothing of tokens)."""

    @property
    def user_id(self) -> str: ...
    @property
    def handle(self) -> str: ...
    @property
    def name(self) -> str | None: ...  # None: keep the stored display name
    @property
    def role(self) -> str: ...


@dataclass(frozen=True, slots=True)
class UserRow:
    id: str
    handle: str
    display_name: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "handle": self.handle, "display_name": self.display_name}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UserRow:
        return cls(id=data["id"], handle=data["handle"], display_name=data["display_name"])


@dataclass(frozen=True, slots=True)
class MetricsRow:
    tweet_id: str
    likes: int
    replies: int
    retweets: int
    updated_at: datetime
    # Strictly increasing per tweet in commit order (+1 by each UPDATE of the counts): what
    # orders two states of one tweet; `updated_at` is only shown.
    version: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "tweet_id": self.tweet_id,
            "likes": self.likes,
            "replies": self.replies,
            "retweets": self.retweets,
            "updated_at": self.updated_at.isoformat(),
            "version": self.version,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MetricsRow:
        return cls(
            tweet_id=data["tweet_id"],
            likes=data["likes"],
            replies=data["replies"],
            retweets=data["retweets"],
            updated_at=_dt(data["updated_at"]),
            version=data.get("version", 0),
        )


@dataclass(frozen=True, slots=True)
class TweetRow:
    id: str
    author: UserRow
    content: str
    hashtags: list[str]
    created_at: datetime
    reply_to: str | None
    metrics: MetricsRow

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "author": self.author.to_json(),
            "content": self.content,
            "hashtags": self.hashtags,
            "created_at": self.created_at.isoformat(),
            "reply_to": self.reply_to,
            "metrics": self.metrics.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TweetRow:
        return cls(
            id=data["id"],
            author=UserRow.from_json(data["author"]),
            content=data["content"],
            hashtags=list(data["hashtags"]),
            created_at=_dt(data["created_at"]),
            reply_to=data["reply_to"],
            metrics=MetricsRow.from_json(data["metrics"]),
        )


@dataclass(frozen=True, slots=True)
class NotificationRow:
    id: str
    user_id: str
    seq: int
    kind: str
    actor: UserRow
    tweet: TweetRow | None
    read: bool
    created_at: datetime

    @property
    def cursor(self) -> str:
        return cursor_of(self.seq)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "seq": self.seq,
            "kind": self.kind,
            "actor": self.actor.to_json(),
            "tweet": self.tweet.to_json() if self.tweet else None,
            "read": self.read,
            "created_at": self.created_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NotificationRow:
        return cls(
            id=data["id"],
            user_id=data["user_id"],
            seq=data["seq"],
            kind=data["kind"],
            actor=UserRow.from_json(data["actor"]),
            tweet=TweetRow.from_json(data["tweet"]) if data["tweet"] else None,
            read=data["read"],
            created_at=_dt(data["created_at"]),
        )


@dataclass(frozen=True, slots=True)
class Created:
    """A notification made by a verb, with its owner's unread count right after it."""

    notification: NotificationRow
    unread: int


@dataclass(frozen=True, slots=True)
class EngagementResult:
    metrics: MetricsRow
    changed: bool
    created: Created | None = None


@dataclass(frozen=True, slots=True)
class PostResult:
    tweet: TweetRow
    parent_metrics: MetricsRow | None
    created: list[Created] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FollowResult:
    changed: bool
    created: Created | None = None


@dataclass(frozen=True, slots=True)
class ReadResult:
    notification: NotificationRow
    unread: int
    changed: bool


@dataclass(frozen=True, slots=True)
class ReadAllResult:
    marked: int
    unread: int
    last_seq: int


@dataclass(frozen=True, slots=True)
class TopicRow:
    topic: str
    tweet_count: int


@dataclass(frozen=True, slots=True)
class TrendingRow:
    """The cluster's last published ranking, most trending first."""

    topics: list[TopicRow]
    computed_at: datetime  # when the ranking last changed
    claimed_at: datetime  # when a process last recomputed it
    held_until: datetime | None  # a ranking service's ranking stands until then
