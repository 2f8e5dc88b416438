"""What a tweet's text mentions: #hashtags and @handles."""

from __future__ import annotations

import re

_HASHTAG = re.compile(r"(?<![\w#])#(\w{1,139})")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,64})")
MAX_TWEET_CHARS = 280


def hashtags(content: str) -> list[str]:
    """Distinct hashtags, lower-cased, without the `#`, in order of first appearance."""
    return list(dict.fromkeys(tag.lower() for tag in _HASHTAG.findall(content)))


def mentions(content: str) -> list[str]:
    """Distinct @handles, without the `@`, in order of first appearance."""
    return list(dict.fromkeys(_MENTION.findall(content)))
