"""Bus events built from store results: the one place that says what each event carries.

Publishing (publish.py) builds them; resolvers/events.py turns them back into types."""

from __future__ import annotations

from datetime import UTC, datetime

from .bus import Event
from .store import Created, MetricsRow, NotificationRow, TweetRow, UserRow

METRICS = "metrics"
CREATED = "created"
READ = "read"
ALL_READ = "all_read"
TWEET = "tweet"
FOLLOWED = "followed"
UNFOLLOWED = "unfollowed"
TRENDING = "trending"
TYPING = "typing"


def metrics_event(row: MetricsRow) -> Event:
    return Event(METRICS, row.to_json(), order=row.version)


def metrics_row_of(event: Event) -> MetricsRow:
    return event.memo(MetricsRow, lambda e: MetricsRow.from_json(e.data))


def created_event(created: Created) -> Event:
    return Event(CREATED, {"n": created.notification.to_json(), "unread": created.unread})


def read_event(row: NotificationRow, unread: int) -> Event:
    return Event(READ, {"n": row.to_json(), "unread": unread})


def all_read_event(last_seq: int, unread: int) -> Event:
    return Event(ALL_READ, {"last_seq": last_seq, "unread": unread})


def tweet_event(row: TweetRow) -> Event:
    return Event(TWEET, row.to_json())


def follow_event(kind: str, author_id: str) -> Event:
    return Event(kind, {"author_id": author_id})


def graph_event(kind: str, follower_id: str, author_id: str) -> Event:
    """FOLLOWED or UNFOLLOWED on the timeline channel: who follows whom now."""
    return Event(kind, {"author_id": author_id, "follower_id": follower_id})


def typing_event(conversation_id: str, user: UserRow, is_typing: bool) -> Event:
    return Event(
        TYPING,
        {
            "conversation_id": conversation_id,
            "user": user.to_json(),
            "is_typing": is_typing,
            "at": datetime.now(UTC).isoformat(),
        },
    )


def version(event: Event) -> int:
    """The order of a metrics event among the states of its tweet (rows.MetricsRow.version)."""
    return event.memo("version", lambda e: int(e.data.get("version", 0)))
