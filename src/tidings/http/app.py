"""create_app(settings): the FastAPI app with GraphQL over HTTP and WebSocket, health, metrics
and the dashboard."""

from __future__ import annotations

import contextlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from ..auth import bearer
from ..bus import BroadcastBus
from ..bus.cluster import deployment_of
from ..config import Settings
from ..errors import AuthError
from ..execution.engine import Engine
from ..execution.ratelimit import MutationLimiter
from ..execution.services import Services
from ..execution.stats import LiveStats
from ..schema import schema
from ..store import Store
from ..transport.endpoint import WsServer
from ..transport.heads import HEADS, HeadPolicy
from ..transport.stream import StreamServer
from ..trending import Trender
from . import demo
from .dashboard import DashboardFiles
from .graphiql_assets import ASSETS, PREFIX
from .graphql import GraphQLHttp, errors_response, json_response
from .metrics import Metrics, RequestTimer, observe_delivery
from .serving import ExitSignals

log = logging.getLogger("tidings.server")

NO_DASHBOARD = """<!doctype html><title>Tidings</title>
<h1>Tidings</h1><p>The dashboard is not built (run <code>./scripts/serve</code>, which builds it).
GraphiQL is at <a href="/graphql">/graphql</a>.</p>"""


class Tidings:
    """Every long-lived part of one server process, built from Settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings.database_url)
        self.bus = BroadcastBus(settings.broker_url, backlog_size=settings.backlog_size)
        self.stats = LiveStats(self.bus, settings.database_url)
        self.metrics = Metrics(self.stats, self.bus, settings.metrics_dir)
        self.bus.hub.on_fanout = observe_delivery
        self.trender = Trender(
            self.store, self.bus, interval=settings.trending_interval, window=settings.trending_window
        )
        self.services = Services(self.store, self.bus, settings, self.trender, self.stats)
        self.engine = Engine(schema, settings)
        self.engine.mutation_limiter = MutationLimiter(
            settings, lambda: self.bus.redis, f"tidings:{deployment_of(settings.database_url)}:mutations:"
        )
        self.ws = WsServer(self.services, self.engine, self.stats, settings)
        self.metrics.shared = self.ws.shared
        # SSE and multipart streams share the WebSocket endpoint's payloads and limits.
        self.streams = StreamServer(self.engine, self.stats, settings, self.ws.shared, self.ws.limits)
        self.http = GraphQLHttp(self.services, self.engine, self.streams)
        self.exit_signals = ExitSignals(self.streams.begin_shutdown)

    async def start(self) -> None:
        await self.store.open()
        await self.bus.connect()
        if self.services.keys is not None:
            await self.services.keys.start()
        if self.settings.demo:
            await demo.load(self.store)
        self.trender.start()
        self.stats.start()
        self.metrics.start()
        self.streams.start()
        self.exit_signals.install()

    async def stop(self) -> None:
        self.exit_signals.uninstall()
        await self.streams.shutdown()
        await self.ws.shutdown()
        await self.trender.stop()
        await self.stats.stop()
        await self.metrics.stop()
        if self.services.keys is not None:
            await self.services.keys.close()
        await self.bus.disconnect()
        await self.store.close()

    async def scrape(self, request: Request) -> Response:
        """GET /metrics: with TIDINGS_METRICS_TOKEN set, only for a request bearing it (401
        otherwise); without one, open in development and not there (404) in production."""
        token = self.settings.metrics_token
        if token:
            try:
                given = bearer(request.headers.get("authorization")) or ""
            except AuthError:
                given = ""
            if not hmac.compare_digest(given.encode(), token.encode()):
                return errors_response(
                    "Metrics need 'Authorization: Bearer <TIDINGS_METRICS_TOKEN>'.",
                    401,
                    {"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        elif self.settings.production:
            return errors_response("Not Found", 404)
        return await self.metrics.endpoint(request)

    async def healthz(self, request: Request) -> Response:
        return json_response({"status": "ok"})

    async def readyz(self, request: Request) -> Response:
        checks: dict[str, str] = {}
        for name, check in (("store", self.store.check), ("broker", self.bus.check)):
            try:
                await check()
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"unavailable: {exc}"
        ready = all(v == "ok" for v in checks.values())
        return json_response({"status": "ready" if ready else "unavailable", **checks}, 200 if ready else 503)


Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


class TidingsApp(FastAPI):
    """FastAPI, with GraphQL WebSockets taken straight to their handler: a long-lived socket
    gains nothing from the HTTP middleware stack, and each layer of it costs memory per socket.
    POST /graphql goes straight to its handler too, timed as every request is: FastAPI's eight
    middleware layers were ~17% of a like's CPU (py-spy, S5) and add nothing to it."""

    graphql_ws: Callable[[WebSocket], Awaitable[None]]
    graphql_post: Asgi

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan" and scope["path"] == "/graphql":
            if scope["type"] == "websocket":
                await self.graphql_ws(WebSocket(scope, receive, send))
                return
            if scope["type"] == "http" and scope["method"] == "POST":
                await self.graphql_post(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def _direct(handler: Callable[[Request], Awaitable[Response]]) -> Asgi:
    """An ASGI app of a request handler, answering 500 (logged) to what it raises, as the
    app's own error handler does. A client gone before its body was read is nobody's error."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except ClientDisconnect:
            log.debug(
                "%s %s: the client left before its request body was read", request.method, scope["path"]
            )
            return
        except Exception as exc:
            log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
            response = errors_response("Unexpected error.", 500)
        await response(scope, receive, send)

    return app


def create_app(settings: Settings) -> FastAPI:
    """The ASGI app for these settings. Nothing here reads the environment."""
    settings = settings.with_secret()
    tidings = Tidings(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, HeadPolicy]]:
        await tidings.start()
        try:
            # The lifespan state reaches the server's protocols too: the request-head guard
            # takes its timeout and the per-address counts from it (transport/heads.py).
            yield {HEADS: HeadPolicy(settings.header_timeout, tidings.ws.limits)}
        finally:
            await tidings.stop()

    app = TidingsApp(title="Tidings", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.tidings = tidings
    app.graphql_ws = tidings.ws.endpoint
    app.graphql_post = RequestTimer(_direct(tidings.http.post), metrics=tidings.metrics)
    routes: list[BaseRoute] = [
        Route("/graphql", tidings.http.get, methods=["GET"]),
        Route("/graphql", tidings.http.post, methods=["POST"]),
        Route("/healthz", tidings.healthz, methods=["GET"]),
        Route("/readyz", tidings.readyz, methods=["GET"]),
        Route("/metrics", tidings.scrape, methods=["GET"]),
    ]
    if settings.graphiql_enabled:  # GraphiQL's own files: the page needs no other host
        routes.append(Mount(PREFIX.rstrip("/"), StaticFiles(directory=ASSETS, check_dir=False)))
    if settings.demo:
        endpoints = demo.DemoEndpoints(settings.secret)
        routes.append(Route("/demo/users", endpoints.users, methods=["GET"]))
        routes.append(Route("/demo/token", endpoints.token, methods=["POST"]))
    app.router.routes.extend(routes)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return errors_response(str(exc.detail), exc.status_code, dict(exc.headers or {}))

    async def validation_error(request: Request, exc: Exception) -> Response:
        return errors_response("Malformed request.", 400)

    async def client_gone(request: Request, exc: Exception) -> Response:
        log.debug("%s %s: the client left before its request body was read", request.method, request.url.path)
        return Response(status_code=400)  # nobody reads it

    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return errors_response("Unexpected error.", 500)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ClientDisconnect, client_gone)
    app.add_middleware(RequestTimer, metrics=tidings.metrics)

    if (settings.static_dir / "index.html").is_file():
        app.mount("/", DashboardFiles(settings.static_dir), name="dashboard")
    else:

        async def no_dashboard(request: Request) -> Response:
            return HTMLResponse(NO_DASHBOARD)

        app.router.routes.append(Route("/", no_dashboard, methods=["GET"]))
    return app
