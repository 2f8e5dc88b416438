"""The one parser of `Authorization: Bearer <token>` (auth.bearer), which HTTP GraphQL, the
WebSocket's connection_init and /metrics all use."""

from __future__ import annotations

import pytest

from tidings.auth import bearer
from tidings.errors import AuthError


def test_a_bearer_header_gives_its_token() -> None:
    assert bearer("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer("bearer   abc ") == "abc"  # the scheme is case-insensitive; spaces around go
    assert bearer(None) is None
    assert bearer("") is None


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "abc.def.ghi", "Token abc"])
def test_anything_else_is_refused_saying_what_is_expected(header: str) -> None:
    with pytest.raises(AuthError) as refused:
        bearer(header)
    assert refused.value.message == "Authorization must be 'Bearer <token>'."
