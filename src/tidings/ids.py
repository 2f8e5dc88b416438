"""The ids and cursors clients send, checked in one place before anything is read, allocated or
subscribed with them.

Tweet and notification ids are decimal strings of at most 20 ASCII digits (API.md). `str.isdigit`
alone is not that test: it also holds for "²" or "٣", which `int()` then refuses or reads as
another number, so every check here is `isascii() and isdigit()` on a bounded length. A
well-formed id beyond the stores' 64-bit keys names nothing (NOT_FOUND), rather than reaching
the database driver, which would raise. User ids are the `sub` of a token: any string of 1-64
characters.
"""

from __future__ import annotations

from .errors import InvalidInputError, NotFoundError

MAX_DIGITS = 20
MAX_KEY = 2**63 - 1  # BIGINT, the widest key either store has
MAX_USER_ID = 64  # as auth.py allows for `sub`
_SHOWN = 24  # characters of a refused value repeated in its error message


def shown(raw: str) -> str:
    """`raw` as an error message may quote it: short, whatever a client sent."""
    return repr(raw if len(raw) <= _SHOWN else raw[:_SHOWN] + "...")


def is_numeric(raw: object) -> bool:
    """True for a decimal string of 1-20 ASCII digits."""
    return isinstance(raw, str) and 0 < len(raw) <= MAX_DIGITS and raw.isascii() and raw.isdigit()


def numeric(raw: str, what: str = "tweet") -> int:
    """The key of a tweet or notification id. InvalidInputError (BAD_USER_INPUT) unless `raw`
    is 1-20 ASCII digits; NotFoundError when it is, but lies beyond every stored key."""
    if not is_numeric(raw):
        raise InvalidInputError(
            f"{shown(str(raw))} is not a {what} id: expected at most {MAX_DIGITS} digits 0-9."
        )
    key = int(raw)
    if key > MAX_KEY:
        raise NotFoundError(f"No {what} with id {raw!r}.")
    return key


def canonical(raw: str, what: str = "tweet") -> str:
    """`numeric`, as the string the store and the channels use ("007" is "7")."""
    return str(numeric(raw, what))


def user(raw: str) -> str:
    """A user id as given (a token's `sub`); InvalidInputError unless it has 1-64 characters."""
    if not isinstance(raw, str) or not 0 < len(raw) <= MAX_USER_ID or "\x00" in raw:
        raise InvalidInputError(
            f"{shown(str(raw))} is not a user id: expected 1-{MAX_USER_ID} characters, no NUL."
        )
    return raw


def cursor(raw: str) -> int:
    """The sequence number of a notification cursor; InvalidInputError for anything this
    server cannot have given out."""
    if not is_numeric(raw) or int(raw) > MAX_KEY:
        raise InvalidInputError(f"Cursor {shown(str(raw))} is not one this server gave out.")
    return int(raw)


__all__ = [
    "MAX_DIGITS",
    "MAX_KEY",
    "MAX_USER_ID",
    "canonical",
    "cursor",
    "is_numeric",
    "numeric",
    "shown",
    "user",
]
