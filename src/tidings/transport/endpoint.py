"""The GraphQL WebSocket endpoint: origin and sub-protocol checks, admission per address, and the
open connections of this process (closed together on shutdown). The sub-protocols are
`subprotocols.py`; what they share is `connection.py`. Close codes: `closecodes.py`.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

from starlette.websockets import WebSocket

from .. import logs
from ..config import Settings
from ..execution.engine import Engine
from ..execution.services import Services
from ..execution.shared import SharedPayloads
from ..execution.stats import LiveStats
from . import closecodes as cc
from .admission import ConnectionLimits
from .connection import MAX_REASON, Connection
from .subprotocols import LegacyWsConnection, TransportWsConnection

log = logging.getLogger("tidings.ws")

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def origin_allowed(
    origin: str | None, host: str | None, allowed: list[str], *, localhost: bool = True
) -> bool:
    """Whether a WebSocket handshake's Origin may open a socket. Non-browser clients send none.
    A browser's may be the server's own (its host and port, as in the Host header), one listed
    in TIDINGS_ALLOWED_ORIGINS, or, when `localhost` (outside production), any on this machine.
    An origin that no browser sends (userinfo as in `http://evil@localhost`, a path, another
    scheme, a bad port) is refused whatever the list says."""
    if not origin:
        return True
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 (a bad port raises ValueError)
    except ValueError:
        return False
    if (
        parts.scheme not in ("http", "https")
        or "@" in parts.netloc
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        return False
    if "*" in allowed or origin.rstrip("/") in allowed:
        return True
    if localhost and parts.hostname in LOCAL_HOSTS:
        return True
    return host is not None and parts.netloc.lower() == host.lower()


class WsServer:
    """Owns the open connections of this process and the shared payload cache."""

    def __init__(self, services: Services, engine: Engine, stats: LiveStats, settings: Settings) -> None:
        self.services = services
        self.engine = engine
        self.stats = stats
        self.settings = settings
        self.shared = SharedPayloads()
        self.connections: set[Connection] = set()
        self.accepting = True
        self.limits = ConnectionLimits(settings)

    async def endpoint(self, websocket: WebSocket) -> None:
        headers = websocket.headers
        if not self.accepting:
            await websocket.close(cc.WS_1012_SERVICE_RESTART)
            return
        if not origin_allowed(
            headers.get("origin"),
            headers.get("host"),
            self.settings.allowed_origins,
            localhost=not self.settings.production,
        ):
            self.stats.close_codes[cc.WS_1008_POLICY_VIOLATION] += 1
            await websocket.close(cc.WS_1008_POLICY_VIOLATION)
            return
        offered = websocket.scope.get("subprotocols") or []
        cls: type[Connection]
        if cc.GRAPHQL_TRANSPORT_WS in offered:
            cls = TransportWsConnection
        elif cc.GRAPHQL_WS in offered:
            cls = LegacyWsConnection
        else:
            await websocket.accept()
            self.stats.close_codes[cc.WS_4406_SUBPROTOCOL_NOT_ACCEPTABLE] += 1
            await websocket.close(cc.WS_4406_SUBPROTOCOL_NOT_ACCEPTABLE, "Subprotocol not acceptable")
            return
        host = websocket.client.host if websocket.client else ""
        refusal = self.limits.admit_address(host)
        await websocket.accept(subprotocol=cls.protocol)
        if refusal is not None:  # accepted only to say why, with a close code the client can read
            self.stats.close_codes[refusal[0]] += 1
            await websocket.close(refusal[0], refusal[1][:MAX_REASON])
            return
        connection = cls(self, websocket)
        entry = logs.ConnectionLog(cls.protocol, websocket.client)
        self.connections.add(connection)
        self.stats.connections += 1
        try:
            await connection.run()
        finally:
            self.connections.discard(connection)
            entry.closed(connection)
            self.stats.connections -= 1
            self.limits.release_address(host)
            if connection.user_id is not None:
                self.limits.release_user(connection.user_id)

    async def shutdown(
        self, code: int = cc.WS_1012_SERVICE_RESTART, reason: str = "Server restarting"
    ) -> None:
        """Stop accepting and close every open socket with `code` (1012: clients retry)."""
        self.accepting = False
        await asyncio.gather(*(c.close(code, reason) for c in list(self.connections)), return_exceptions=True)
