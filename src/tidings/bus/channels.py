"""The only place that names channels. Elsewhere a channel is never a string literal."""

from __future__ import annotations

PREFIX = "tidings"


def engagement(tweet_id: str) -> str:
    return f"{PREFIX}.engagement.{tweet_id}"


def notifications(user_id: str) -> str:
    return f"{PREFIX}.notifications.{user_id}"


def feed(user_id: str) -> str:
    return f"{PREFIX}.feed.{user_id}"


def timeline() -> str:
    """Every tweet and every follow change, once (bus/timeline.py routes them to feeds)."""
    return f"{PREFIX}.timeline"


def trending() -> str:
    return f"{PREFIX}.trending"


def typing(conversation_id: str) -> str:
    return f"{PREFIX}.typing.{conversation_id}"


def kind_of(channel: str) -> str:
    """The stream a channel belongs to (`engagement`, `notifications`, ...), for metrics."""
    return channel.split(".", 2)[1] if channel.startswith(PREFIX + ".") else "other"
