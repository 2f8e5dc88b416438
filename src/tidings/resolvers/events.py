"""Types back from bus events, built once per event however many subscribers read them."""

from __future__ import annotations

from typing import Any

from ..bus import Event
from ..messages import ALL_READ, CREATED, METRICS, TWEET
from ..store import MetricsRow, NotificationRow, TweetRow
from ..types.notifications import NotificationEvent
from ..types.social import EngagementMetrics, Tweet


def metrics_of(event: Event) -> EngagementMetrics:
    return event.memo(METRICS, lambda e: EngagementMetrics.from_row(MetricsRow.from_json(e.data)))


def tweet_of(event: Event) -> Tweet:
    return event.memo(TWEET, lambda e: Tweet.from_row(TweetRow.from_json(e.data)))


def notification_event_of(event: Event) -> NotificationEvent:
    def build(e: Event) -> NotificationEvent:
        data: dict[str, Any] = e.data
        if e.kind == ALL_READ:
            return NotificationEvent.all_read(data["last_seq"], data["unread"])
        row = NotificationRow.from_json(data["n"])
        if e.kind == CREATED:
            return NotificationEvent.created(row, data["unread"])
        return NotificationEvent.read(row, data["unread"])

    return event.memo("notification_event", build)
