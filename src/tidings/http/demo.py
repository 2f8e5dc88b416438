"""Demo mode (`tidings serve --demo`): a few users who follow each other, some tweets, and an
endpoint that mints their tokens. Nothing here is reachable without --demo."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response

from ..auth import Claims, issue
from ..store import Store
from .graphql import errors_response, json_response

log = logging.getLogger("tidings.demo")

USERS = ["alice", "bob", "carol", "dave", "erin"]
TWEETS = [
    ("alice", "Shipping the new real-time feed today #launch #graphql"),
    ("bob", "Anyone else watching the #graphql subscriptions talk? @alice"),
    ("carol", "Coffee first, then #python"),
    ("dave", "Loving the live counters #launch"),
    ("erin", "Hello everyone! #hello"),
]
TOKEN_TTL = 24 * 3600.0


def claims_of(user_id: str) -> Claims:
    return Claims(user_id=user_id, handle=user_id, name=user_id.capitalize(), role="user", expires_at=None)


async def load(store: Store) -> None:
    """Create the demo users, follows and tweets, once (an existing demo database is kept)."""
    for user_id in USERS:
        await store.upsert_user(claims_of(user_id))
    if await store.feed("alice", 1):
        return
    for follower in USERS:
        for followee in USERS:
            if follower != followee:
                await store.follow(follower, followee)
    for author, content in TWEETS:
        await store.post(author, content)
    log.info("demo data loaded: users %s", ", ".join(USERS))


class DemoEndpoints:
    def __init__(self, secret: str) -> None:
        self.secret = secret

    async def users(self, request: Request) -> Response:
        return json_response(
            {"users": [{"id": u, "handle": u, "displayName": u.capitalize()} for u in USERS]}
        )

    async def token(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return errors_response("Request body is not valid JSON.", 400)
        user_id = body.get("userId") if isinstance(body, dict) else None
        if user_id not in USERS:
            return errors_response(f"userId must be one of {', '.join(USERS)}.", 400)
        token = issue(user_id, secret=self.secret, name=user_id.capitalize(), handle=user_id, ttl=TOKEN_TTL)
        return json_response({"token": token})
