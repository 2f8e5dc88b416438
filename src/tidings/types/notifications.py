"""Notifications and the events of a viewer's notification stream."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Self

import strawberry

from ..store import NotificationRow, cursor_of
from .social import Tweet, User


@strawberry.enum(description="Why a notification was made.")
class NotificationKind(Enum):
    LIKE = "LIKE"
    REPLY = "REPLY"
    RETWEET = "RETWEET"
    FOLLOW = "FOLLOW"
    MENTION = "MENTION"


@strawberry.enum(description="What happened on a notification stream.")
class NotificationEventKind(Enum):
    CREATED = "CREATED"
    READ = "READ"
    ALL_READ = "ALL_READ"


@strawberry.type(description="Something another user did that concerns the viewer.")
class Notification:
    id: strawberry.ID
    kind: NotificationKind
    actor: User
    tweet: Tweet | None
    read: bool
    created_at: datetime
    cursor: str = strawberry.field(description="Opaque, strictly increasing per user; pass it as `after:`.")

    @classmethod
    def from_row(cls, row: NotificationRow) -> Self:
        return cls(
            id=strawberry.ID(row.id),
            kind=NotificationKind(row.kind),
            actor=User.from_row(row.actor),
            tweet=Tweet.from_row(row.tweet) if row.tweet else None,
            read=row.read,
            created_at=row.created_at,
            cursor=row.cursor,
        )


@strawberry.type(description="One change on the viewer's notification stream.")
class NotificationEvent:
    kind: NotificationEventKind
    notification: Notification | None = strawberry.field(description="Null for ALL_READ.")
    unread_count: int
    cursor: str = strawberry.field(
        description="CREATED, READ: that notification's cursor; ALL_READ: the viewer's latest."
    )

    @classmethod
    def created(cls, row: NotificationRow, unread: int) -> Self:
        return cls(
            kind=NotificationEventKind.CREATED,
            notification=Notification.from_row(row),
            unread_count=unread,
            cursor=row.cursor,
        )

    @classmethod
    def read(cls, row: NotificationRow, unread: int) -> Self:
        return cls(
            kind=NotificationEventKind.READ,
            notification=Notification.from_row(row),
            unread_count=unread,
            cursor=row.cursor,
        )

    @classmethod
    def all_read(cls, last_seq: int, unread: int) -> Self:
        return cls(
            kind=NotificationEventKind.ALL_READ,
            notification=None,
            unread_count=unread,
            cursor=cursor_of(last_seq),
        )
