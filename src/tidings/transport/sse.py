"""GraphQL over Server-Sent Events, "distinct connections mode" (graphql-sse's PROTOCOL.md): one
operation per `POST /graphql` (or `GET`) with `Accept: text/event-stream`.

    : (a comment)                   at once (some browsers show nothing before a first chunk),
                                    then every TIDINGS_STREAM_HEARTBEAT seconds
    event: next / data: <result>    each execution result
    event: complete / data:         the operation finished; the response ends
    : <why>                         the server ended it (restart, token expiry): the response
                                    ends WITHOUT `complete`, which graphql-sse's client takes
                                    as a network error and retries (a fresh token, another node)

Errors of the request itself (a document that does not parse or validate, an unknown persisted
query) come as a `next` with `errors`, then `complete`, as the protocol asks: an EventSource
could not read a 4xx body.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..execution.shared import dumps
from .stream import End, HttpStream

COMPLETE = "event: complete\ndata:\n\n"  # `data:` present, or an EventSource drops the event
COMMENT = ":\n\n"


class SseStream(HttpStream):
    transport: ClassVar[str] = "sse"
    content_type: ClassVar[str] = "text/event-stream; charset=utf-8"
    suffix: ClassVar[str] = "\n\n"

    @classmethod
    def opening(cls) -> str:
        return COMMENT

    @classmethod
    def next_prefix(cls, op_id: str) -> str:
        return "event: next\ndata: "

    @classmethod
    def completion(cls) -> str:
        return COMPLETE

    @classmethod
    def errors_frame(cls, errors: list[dict[str, Any]]) -> str:
        return f"event: next\ndata: {dumps({'errors': errors})}\n\n{COMPLETE}"

    @classmethod
    def heartbeat(cls) -> str:
        return COMMENT

    @classmethod
    def ending(cls, end: End) -> str:
        if end is End.EXPIRED:
            return ": token expired; reconnect with a fresh token\n\n"
        return ": server restarting; reconnect\n\n"
