"""Bounds on list arguments."""

from __future__ import annotations

from ..errors import InvalidInputError

MAX_FIRST = 100
DEFAULT_FIRST = 20


def clamp_first(first: int | None) -> int:
    """`first` as given (20 when null); InvalidInputError outside 1-100."""
    if first is None:
        return DEFAULT_FIRST
    if first < 1 or first > MAX_FIRST:
        raise InvalidInputError(f"`first` is {first}; expected 1-{MAX_FIRST}.")
    return first
