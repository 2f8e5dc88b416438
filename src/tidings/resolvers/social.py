"""Follows and the viewer."""

from __future__ import annotations

from strawberry import ID
from strawberry.types import Info

from .. import ids
from ..types.social import User
from .context import Context

MAX_HANDLE = 64


async def viewer(info: Info[Context, None]) -> User | None:
    row = info.context.viewer
    return User.from_row(row) if row else None


async def user(info: Info[Context, None], handle: str) -> User | None:
    handle = handle.strip().removeprefix("@")
    if not handle or len(handle) > MAX_HANDLE:
        return None
    row = await info.context.store.user_by_handle(handle)
    return User.from_row(row) if row else None


async def follow(info: Info[Context, None], user_id: ID) -> bool:
    ctx = info.context
    me = ctx.require_viewer()
    followee = ids.user(user_id)
    result = await ctx.store.follow(me.id, followee)
    await ctx.publisher.followed(me.id, followee, result)
    return result.changed


async def unfollow(info: Info[Context, None], user_id: ID) -> bool:
    ctx = info.context
    me = ctx.require_viewer()
    followee = ids.user(user_id)
    changed = await ctx.store.unfollow(me.id, followee)
    await ctx.publisher.unfollowed(me.id, followee, changed)
    return changed
