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


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """Non-browser clients send no Origin; browsers may come from the same host, localhost, or a
    listed origin."""
    if not origin:
        return True
    if "*" in allowed or origin.rstrip("/") in allowed:
        return True
    parts = urlsplit(origin)
    if parts.hostname in LOCAL_HOSTS:
        return True
    return host is not None and parts.netloc == host


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
        if not origin_allowed(headers.get("origin"), headers.get("host"), self.settings.allowed_origins):
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
