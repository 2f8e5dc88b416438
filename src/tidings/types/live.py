"""Trending topics, typing indicators and connection statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from ..store import TopicRow
from .social import User


@strawberry.type(description="A hashtag and how many tweets in the window used it.")
class TrendingTopic:
    topic: str
    tweet_count: int
    rank: int

    @classmethod
    def ranked(cls, rows: list[TopicRow]) -> list[Self]:
        return [cls(topic=row.topic, tweet_count=row.tweet_count, rank=i) for i, row in enumerate(rows, 1)]


@strawberry.type(description="The trending ranking, whenever it changes.")
class TrendingUpdate:
    topics: list[TrendingTopic]
    window_seconds: int
    computed_at: datetime


@strawberry.type(description="Someone started or stopped typing in a conversation.")
class TypingEvent:
    conversation_id: strawberry.ID
    user: User
    is_typing: bool
    at: datetime


@strawberry.type(description="Active subscriptions of one root field.")
class FieldCount:
    field: str
    subscriptions: int


@strawberry.type(description="Open connections, active subscriptions and deliveries of one transport.")
class TransportCount:
    transport: str = strawberry.field(description="websocket, sse or multipart.")
    connections: int = strawberry.field(description="Open connections (a stream is one), this instance.")
    subscriptions: int
    messages_delivered: int


@strawberry.type(description="Live figures of this instance and of the cluster.")
class ConnectionStats:
    connections: int = strawberry.field(description="Open WebSocket connections, this instance.")
    subscriptions: int = strawberry.field(description="Active subscription operations, this instance.")
    live_subscriptions: int = strawberry.field(
        description="Of those, the ones set up and waiting for events: every event from now on reaches them."
    )
    by_field: list[FieldCount]
    events_published: int
    messages_delivered: int
    cluster_connections: int = strawberry.field(description="Summed over all live instances.")
    instances: int
    bus_channels: int = strawberry.field(
        description="Broker subscriptions this instance holds (one per channel)."
    )
    coalesced: int = strawberry.field(description="Latest-only updates a slow subscriber skipped.")
    overflowed: int = strawberry.field(description="Backlog subscriptions ended for falling too far behind.")
    by_transport: list[TransportCount] = strawberry.field(
        description="The same figures for each transport: WebSocket, SSE and multipart HTTP."
    )
