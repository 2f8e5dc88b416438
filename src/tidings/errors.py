"""Our exception tree. Clients see the messages of `TidingsError` subclasses word for word;
everything else is masked as "Unexpected error." and logged.

    TidingsError
    ├── ConfigError                 a TIDINGS_* variable has a bad value (raised at start)
    ├── AuthError                   a token is missing, malformed, wrongly signed or expired
    │   └── NotAuthenticatedError   a field needs a viewer and the request has none
    ├── ForbiddenError              the viewer may not see or do this
    ├── NotFoundError               no such tweet, user or notification
    ├── InvalidInputError           an argument is out of range or malformed
    ├── LimitError                  a rate or size limit refused the request
    ├── ResubscribeError            a subscriber fell too far behind; resubscribe with `after:`
    └── BrokerUnavailableError      the event broker cannot be reached
"""

from __future__ import annotations

from typing import Any


class TidingsError(Exception):
    """Base of every error whose message may be shown to clients."""

    code = "TIDINGS_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class ConfigError(TidingsError):
    code = "BAD_CONFIG"


class AuthError(TidingsError):
    code = "UNAUTHENTICATED"


class NotAuthenticatedError(AuthError):
    def __init__(self, message: str = "This field needs a signed-in viewer: send a Bearer token.") -> None:
        super().__init__(message)


class ForbiddenError(TidingsError):
    code = "FORBIDDEN"


class NotFoundError(TidingsError):
    code = "NOT_FOUND"


class InvalidInputError(TidingsError):
    code = "BAD_USER_INPUT"


class LimitError(TidingsError):
    code = "LIMIT_EXCEEDED"


class ResubscribeError(TidingsError):
    code = "RESUBSCRIBE"


class BrokerUnavailableError(TidingsError):
    code = "BROKER_UNAVAILABLE"
