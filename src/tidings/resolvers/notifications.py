"""A viewer's notifications: list, unread count, mark read, and the exactly-once stream."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from strawberry import ID
from strawberry.types import Info

from .. import ids, messages
from ..bus import RESYNC, channels
from ..types.notifications import Notification, NotificationEvent
from . import events
from .context import Context, off_fanout
from .paging import clamp_first

REPLAY_PAGE = 500


async def notifications(
    info: Info[Context, None],
    first: int | None = 20,
    after: str | None = None,
    unread_only: bool | None = False,
    before: str | None = None,
) -> list[Notification]:
    ctx = info.context
    viewer = ctx.require_viewer()
    rows = await ctx.store.notifications(
        viewer.id,
        first=clamp_first(first),
        after_seq=ids.cursor(after) if after is not None else None,
        before_seq=ids.cursor(before) if before is not None else None,
        unread_only=bool(unread_only),
    )
    return [Notification.from_row(row) for row in rows]


async def unread_count(info: Info[Context, None]) -> int:
    ctx = info.context
    _, unread = await ctx.store.notification_state(ctx.require_viewer().id)
    return unread


async def mark_read(info: Info[Context, None], id: ID) -> Notification:
    ctx = info.context
    viewer = ctx.require_viewer()
    result = await ctx.store.mark_read(viewer.id, ids.canonical(id, "notification"))
    if result.changed:
        await ctx.publish(
            channels.notifications(viewer.id), messages.read_event(result.notification, result.unread)
        )
    return Notification.from_row(result.notification)


async def mark_all_read(info: Info[Context, None]) -> int:
    ctx = info.context
    viewer = ctx.require_viewer()
    result = await ctx.store.mark_all_read(viewer.id)
    if result.marked:
        await ctx.publish(
            channels.notifications(viewer.id), messages.all_read_event(result.last_seq, result.unread)
        )
    return result.marked


async def notifications_stream(
    info: Info[Context, None], after: str | None = None
) -> AsyncGenerator[NotificationEvent, None]:
    """Replay after `after`, then live: each notification once, in cursor order.

    The Mailbox opens before the store is read, so nothing created between the read and going
    live is lost; a live CREATED at or below what was yielded is skipped; one above the next
    expected sequence means events were lost on the way (a broker hiccup), and the gap is read
    from the store before it is yielded. A RESYNC (the broker is back after an outage) reads
    everything after the last yielded sequence, even when no further event arrives.
    """
    ctx = info.context
    viewer = ctx.require_viewer()
    after_seq = ids.cursor(after) if after is not None else None
    async with ctx.bus.subscribe(channels.notifications(viewer.id)) as mailbox:
        last_seq, unread = await ctx.store.notification_state(viewer.id)
        yielded = last_seq if after_seq is None else min(after_seq, last_seq)
        while yielded < last_seq:
            rows = await ctx.store.notifications(viewer.id, first=REPLAY_PAGE, after_seq=yielded)
            rows = [row for row in rows if row.seq <= last_seq]
            if not rows:
                break
            for row in rows:
                yield NotificationEvent.created(row, unread)
                yielded = row.seq
        async for event in mailbox:
            if event.kind == RESYNC:
                # The broker was lost and is back: read whatever was created meanwhile.
                await off_fanout()
                last_seq, unread = await ctx.store.notification_state(viewer.id)
                for row in await ctx.store.notifications_between(
                    viewer.id, after_seq=yielded, upto_seq=last_seq
                ):
                    yield NotificationEvent.created(row, unread)
                    yielded = row.seq
                continue
            if event.kind != messages.CREATED:
                yield events.notification_event_of(event)
                continue
            seq = event.data["n"]["seq"]
            if seq <= yielded:
                continue
            if seq > yielded + 1:
                await off_fanout()
                _, unread = await ctx.store.notification_state(viewer.id)
                for row in await ctx.store.notifications_between(
                    viewer.id, after_seq=yielded, upto_seq=seq - 1
                ):
                    yield NotificationEvent.created(row, unread)
            yielded = seq
            yield events.notification_event_of(event)


__all__ = ["mark_all_read", "mark_read", "notifications", "notifications_stream", "unread_count"]
