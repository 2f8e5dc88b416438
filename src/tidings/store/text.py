"""A tweet's text: what it may hold, and what it mentions (#hashtags and @handles)."""

from __future__ import annotations

import re

from ..errors import InvalidInputError

_HASHTAG = re.compile(r"(?<![\w#])#(\w{1,139})")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,64})")
MAX_TWEET_CHARS = 280


def hashtags(content: str) -> list[str]:
    """Distinct hashtags, lower-cased, without the `#`, in order of first appearance."""
    return list(dict.fromkeys(tag.lower() for tag in _HASHTAG.findall(content)))


def mentions(content: str) -> list[str]:
    """Distinct @handles, without the `@`, in order of first appearance."""
    return list(dict.fromkeys(_MENTION.findall(content)))


def checked(content: str) -> str:
    """`content` without surrounding white space; InvalidInputError when it is empty, holds a NUL
    (PostgreSQL cannot store one), or has more than 280 characters. Characters are Unicode code
    points, as Python's `len` counts them: an emoji is one (two UTF-16 units in JavaScript), a
    letter with a combining accent two."""
    content = content.strip()
    if not content:
        raise InvalidInputError("A tweet needs some content.")
    if "\x00" in content:
        raise InvalidInputError("A tweet cannot contain NUL characters (U+0000).")
    if len(content) > MAX_TWEET_CHARS:
        raise InvalidInputError(f"A tweet has at most {MAX_TWEET_CHARS} characters; got {len(content)}.")
    return content
