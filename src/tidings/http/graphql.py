"""GraphQL over HTTP: POST JSON, GET for queries, GraphiQL for browsers. Errors are JSON."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..errors import AuthError
from ..execution.engine import Engine, RequestError
from ..execution.services import Services
from .graphiql import graphiql_html, security_headers


def json_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def errors_response(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return json_response({"errors": [{"message": message}]}, status, headers)


class GraphQLHttp:
    def __init__(self, services: Services, engine: Engine) -> None:
        self.services = services
        self.engine = engine
        self.max_body = services.settings.max_body_bytes
        # GraphiQL: on unless TIDINGS_GRAPHIQL=false; off in production unless it is true.
        self._ide = graphiql_html() if services.settings.graphiql_enabled else None
        self._ide_headers = security_headers(self._ide) if self._ide is not None else {}

    async def get(self, request: Request) -> Response:
        query = request.query_params.get("query")
        if query is None:
            if self._ide is not None and "text/html" in request.headers.get("accept", ""):
                return HTMLResponse(self._ide, headers=self._ide_headers)
            return errors_response("Missing `query`: GET /graphql?query=...", 400)
        variables: Any = request.query_params.get("variables")
        if variables is not None:
            try:
                variables = orjson.loads(variables)
            except orjson.JSONDecodeError:
                return errors_response("`variables` is not valid JSON.", 400)
        return await self._run(
            request, query, variables, request.query_params.get("operationName"), via_get=True
        )

    async def post(self, request: Request) -> Response:
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
        if not isinstance(query, str):
            return errors_response("`query` must be a string.", 400)
        return await self._run(
            request, query, data.get("variables"), data.get("operationName"), via_get=False
        )

    async def _run(
        self, request: Request, query: str, variables: Any, op_name: Any, *, via_get: bool
    ) -> Response:
        if variables is not None and not isinstance(variables, dict):
            return errors_response("`variables` must be an object.", 400)
        if op_name is not None and not isinstance(op_name, str):
            return errors_response("`operationName` must be a string.", 400)
        try:
            context = await self._context(request)
        except AuthError as exc:
            return json_response(
                {"errors": [{"message": exc.message, "extensions": exc.extensions}]},
                401,
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        try:
            prepared = self.engine.prepare(query, op_name)
        except RequestError as exc:
            return json_response({"errors": exc.errors}, 400 if via_get else 200)
        if prepared.operation is OperationType.SUBSCRIPTION:
            return errors_response("Subscriptions run over WebSocket: ws://HOST:PORT/graphql.", 400)
        if via_get and prepared.operation is not OperationType.QUERY:
            return errors_response("Mutations are not allowed over GET; use POST.", 405, {"Allow": "POST"})
        return json_response(await self.engine.execute(prepared, context, variables, op_name))

    async def _context(self, request: Request) -> Any:
        header = request.headers.get("authorization")
        if not header:
            return self.services.context()
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Authorization must be 'Bearer <token>'.")
        claims, viewer = await self.services.authenticate(token.strip())
        return self.services.context(viewer, claims)
