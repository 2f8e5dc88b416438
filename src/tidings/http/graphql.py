"""GraphQL over HTTP: POST JSON, GET for queries, GraphiQL for browsers. Errors are JSON."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html

from ..errors import AuthError
from ..execution.engine import Engine, RequestError
from ..execution.services import Services


def json_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def errors_response(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return json_response({"errors": [{"message": message}]}, status, headers)


# GraphiQL's WebSocket fetcher sends no headers, and our sockets authenticate in connection_init:
# take the token from `?token=` (kept in localStorage) and send it both ways.
_TOKEN_JS = """const tidingsToken = new URLSearchParams(window.location.search).get("token")
        || window.localStorage.getItem("tidings-token");
      if (tidingsToken) {
        window.localStorage.setItem("tidings-token", tidingsToken);
        defaultHeaders["Authorization"] = "Bearer " + tidingsToken;
      }
      const fetcher = GraphiQL.createFetcher({
        wsConnectionParams: tidingsToken ? { authorization: "Bearer " + tidingsToken } : {},"""


def graphiql_html() -> str:
    """Strawberry's GraphiQL page, with the token passed to subscriptions too."""
    html = get_graphql_ide_html("graphiql")
    return html.replace("const fetcher = GraphiQL.createFetcher({", _TOKEN_JS, 1)


class GraphQLHttp:
    def __init__(self, services: Services, engine: Engine) -> None:
        self.services = services
        self.engine = engine
        self.max_body = services.settings.max_body_bytes
        self._ide = graphiql_html()

    async def get(self, request: Request) -> Response:
        query = request.query_params.get("query")
        if query is None:
            if "text/html" in request.headers.get("accept", ""):
                return HTMLResponse(self._ide)
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
