"""GraphQL over HTTP (POST JSON, GET for queries), over SSE and multipart HTTP when the client's
`Accept` prefers them, and GraphiQL for browsers. Errors are JSON."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from ..auth import bearer
from ..errors import AuthError
from ..execution.engine import Engine, RequestError
from ..execution.services import Services
from ..transport.multipart import MultipartStream
from ..transport.sse import SseStream
from ..transport.stream import HttpStream, StreamServer
from .graphiql import graphiql_html, security_headers
from .graphiql_assets import MISSING, built
from .mediatypes import Media, choose, preferences


def json_response(
    body: dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    # JSON is UTF-8 by definition (RFC 8259): no charset parameter.
    return Response(orjson.dumps(body), status_code=status, media_type=media_type, headers=headers)


def errors_response(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return json_response({"errors": [{"message": message}]}, status, headers)


class GraphQLHttp:
    """`POST /graphql` and `GET /graphql`: the request's parameters, then the media type its
    `Accept` prefers (mediatypes.py): a JSON response, or a stream (SSE, multipart) that runs
    the operation on the operation machinery every transport shares (transport/stream.py)."""

    def __init__(self, services: Services, engine: Engine, streams: StreamServer) -> None:
        self.services = services
        self.engine = engine
        self.streams = streams
        self.max_body = services.settings.max_body_bytes
        # GraphiQL: on unless TIDINGS_GRAPHIQL=false; off in production unless it is true.
        self._ide = (graphiql_html() if built() else MISSING) if services.settings.graphiql_enabled else None
        self._ide_headers = security_headers(self._ide) if self._ide is not None else {}

    async def get(self, request: Request) -> Response:
        params = request.query_params
        if "query" not in params and "extensions" not in params and "documentId" not in params:
            if self._ide is not None and "text/html" in request.headers.get("accept", ""):
                return HTMLResponse(self._ide, headers=self._ide_headers)
            return errors_response("Missing `query`: GET /graphql?query=...", 400)
        decoded: dict[str, Any] = {}
        for name in ("variables", "extensions"):
            raw = params.get(name)
            if raw is not None:
                try:
                    decoded[name] = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    return errors_response(f"`{name}` is not valid JSON.", 400)
        return await self._run(
            request,
            params.get("query"),
            decoded.get("variables"),
            params.get("operationName"),
            decoded.get("extensions"),
            params.get("documentId"),
            via_get=True,
        )

    async def post(self, request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            return errors_response(
                "POST /graphql needs `Content-Type: application/json`"
                + (f"; got {content_type[:60]!r}." if content_type else "."),
                415,
            )
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return errors_response(f"Request body is over the limit of {self.max_body} bytes.", 413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_body:
                return errors_response(f"Request body is over the limit of {self.max_body} bytes.", 413)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return errors_response("Request body is not valid JSON.", 400)
        if not isinstance(data, dict):
            return errors_response(
                "Request body must be a JSON object with `query` (batches are not supported).", 400
            )
        query = data.get("query")
        if query is None and data.get("extensions") is None and data.get("documentId") is None:
            return errors_response("`query` must be a string.", 400)
        if query is not None and not isinstance(query, str):
            return errors_response("`query` must be a string.", 400)
        return await self._run(
            request,
            query,
            data.get("variables"),
            data.get("operationName"),
            data.get("extensions"),
            data.get("documentId"),
            via_get=False,
        )

    async def _run(
        self,
        request: Request,
        query: str | None,
        variables: Any,
        op_name: Any,
        extensions: Any,
        document_id: Any,
        *,
        via_get: bool,
    ) -> Response:
        if variables is not None and not isinstance(variables, dict):
            return errors_response("`variables` must be an object.", 400)
        if op_name is not None and not isinstance(op_name, str):
            return errors_response("`operationName` must be a string.", 400)
        if extensions is not None and not isinstance(extensions, dict):
            return errors_response("`extensions` must be an object.", 400)
        preferred = preferences(request.headers.get("accept"))
        if not preferred:
            return errors_response(
                "Not acceptable: this endpoint answers application/graphql-response+json, "
                "application/json, text/event-stream or multipart/mixed;subscriptionSpec=1.0.",
                406,
            )
        try:
            context = await self._context(request)
        except AuthError as exc:
            return json_response(
                {"errors": [{"message": exc.message, "extensions": exc.extensions}]},
                401,
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        try:
            prepared = self.engine.prepare_request(query, op_name, extensions, document_id)
        except RequestError as exc:
            return request_errors(preferred[0], exc.errors)
        subscription = prepared.operation is OperationType.SUBSCRIPTION
        if via_get and prepared.operation is OperationType.MUTATION:
            return errors_response("Mutations are not allowed over GET; use POST.", 405, {"Allow": "POST"})
        media = choose(preferred, subscription=subscription)
        if media is None:
            return errors_response(
                "A subscription needs a stream: send `Accept: text/event-stream` (GraphQL over SSE) or "
                '`Accept: multipart/mixed;subscriptionSpec="1.0"`, or use ws://HOST:PORT/graphql.',
                406,
            )
        if media.streams:
            viewer = context.viewer
            host = request.client.host if request.client else ""
            refusal = self.streams.admit(host, viewer.id if viewer else None)
            if refusal is not None:
                return json_response(
                    {"errors": [{"message": refusal, "extensions": {"code": "LIMIT_EXCEEDED"}}]},
                    429 if self.streams.accepting else 503,
                    {"Retry-After": "1"},
                )
            cls = SseStream if media is Media.SSE else MultipartStream
            admitted = (host, viewer.id if viewer else None)
            return StreamResponse(cls(self.streams, context, prepared, variables, op_name, admitted))
        result = await self.engine.execute(prepared, context, variables, op_name)
        status = 400 if media is Media.GRAPHQL_JSON and "data" not in result else 200
        return json_response(result, status, media_type=media.value)

    async def _context(self, request: Request) -> Any:
        token = bearer(request.headers.get("authorization"))
        if token is None:
            return self.services.context()
        claims, viewer = await self.services.authenticate(token)
        return self.services.context(viewer, claims)


class StreamResponse(Response):
    """A Starlette Response that runs an HTTP stream (transport/stream.py) as its body."""

    def __init__(self, stream: HttpStream) -> None:
        self.stream = stream
        self.status_code = 200
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream(scope, receive, send)


def request_errors(media: Media, errors: list[dict[str, Any]]) -> Response:
    """A request that cannot run (a document that does not parse or validate, an unknown
    persisted query), answered in the client's preferred media type: 200 for application/json,
    400 for application/graphql-response+json (GraphQL over HTTP), a short stream for SSE and
    multipart (their protocols report these in the stream)."""
    if media is Media.SSE:
        return Response(SseStream.errors_body(errors), media_type=SseStream.content_type)
    if media is Media.MULTIPART:
        return Response(MultipartStream.errors_body(errors), media_type=MultipartStream.content_type)
    status = 400 if media is Media.GRAPHQL_JSON else 200
    return json_response({"errors": errors}, status, media_type=media.value)
