"""Apollo's multipart HTTP protocol for subscriptions: `POST /graphql` with
`Accept: multipart/mixed;subscriptionSpec="1.0"` (Apollo Client's `HttpLink`, Apollo Kotlin and
iOS; urql reads it too). The response is `multipart/mixed; boundary="graphql"`:

    --graphql / content-type: application/json / {}              a heartbeat, at least every
                                                                 TIDINGS_STREAM_HEARTBEAT s (10)
    ... {"payload": <result>}                                    each execution result; GraphQL
                                                                 errors inside the payload
    ... {"payload": null, "errors": [...]}                       a transport error (restart, token
                                                                 expiry): the stream then ends
    --graphql--                                                  the end

Every part is followed at once by the next delimiter: clients hand a part on when they see the
delimiter after it, so a part written without one would wait for the next event.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..execution.shared import dumps
from .stream import End, HttpStream

DELIMITER = "\r\n--graphql"
PART = "\r\ncontent-type: application/json; charset=utf-8\r\n\r\n"
RESTART = {"message": "The server is restarting; resubscribe.", "extensions": {"code": "SERVICE_RESTART"}}
EXPIRED = {"message": "Token expired.", "extensions": {"code": "UNAUTHENTICATED"}}


def part(body: str) -> str:
    return PART + body + DELIMITER


class MultipartStream(HttpStream):
    transport: ClassVar[str] = "multipart"
    content_type: ClassVar[str] = 'multipart/mixed; boundary="graphql"; subscriptionSpec="1.0"'
    suffix: ClassVar[str] = "}" + DELIMITER

    @classmethod
    def opening(cls) -> str:
        return DELIMITER

    @classmethod
    def next_prefix(cls, op_id: str) -> str:
        return PART + '{"payload":'

    @classmethod
    def completion(cls) -> str:
        return ""  # the closing delimiter says it

    @classmethod
    def errors_frame(cls, errors: list[dict[str, Any]]) -> str:
        return part(dumps({"payload": {"errors": errors}}))

    @classmethod
    def heartbeat(cls) -> str:
        return part("{}")

    @classmethod
    def ending(cls, end: End) -> str:
        return part(dumps({"payload": None, "errors": [EXPIRED if end is End.EXPIRED else RESTART]}))

    @classmethod
    def closing(cls) -> str:
        return "--\r\n"
