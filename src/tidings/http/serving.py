"""uvicorn's Server, with SIGTERM as a clean stop (docs/PROTOCOL.md, "Shutdown").

uvicorn already shuts down in the order we want: it closes its listening sockets, closes every
WebSocket with 1012 (clients retry), lets HTTP requests in flight finish, waits up to
`timeout_graceful_shutdown` (TIDINGS_SHUTDOWN_DEADLINE) for the connection handlers (a
WebSocket's handler waits there for its in-flight mutations, ws.py), then runs the lifespan
shutdown. But once done, it raises the captured signal again, so a SIGTERM'd process dies of
SIGTERM (exit -15) even after a clean shutdown. Here a SIGTERM ends in exit 0; SIGINT keeps
uvicorn's behaviour (KeyboardInterrupt, exit 130 in cli.py).
"""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

import uvicorn

from ..config import Settings

log = logging.getLogger("tidings.server")

OUR_WEBSOCKET = "tidings.transport.websocket:WebSocketProtocol"
# uvicorn's httptools protocol with a deadline and a size limit on request heads (transport/heads.py).
OUR_HTTP = "tidings.transport.heads:HeadGuard"


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What every uvicorn we start (one process, workers, the tests' live server) is given."""
    ws = OUR_WEBSOCKET if settings.ws_impl == "tidings" else settings.ws_impl
    if settings.ws_per_message_deflate and ws == OUR_WEBSOCKET:
        log.info("permessage-deflate is on: WebSockets are served by uvicorn's websockets-sansio")
        ws = "websockets-sansio"
    return {
        "http": OUR_HTTP,
        "ws": ws,
        "ws_max_size": settings.max_frame_bytes,
        "ws_per_message_deflate": settings.ws_per_message_deflate,
        "log_level": settings.log_level,
        "lifespan": "on",
        "timeout_graceful_shutdown": settings.shutdown_deadline,
        # X-Forwarded-For is believed only from TIDINGS_TRUSTED_PROXIES (uvicorn's own default
        # trusts 127.0.0.1, or FORWARDED_ALLOW_IPS): a client that may set it picks its address,
        # and per-address limits count what uvicorn puts in the scope.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": list(settings.trusted_proxies),
    }


class GracefulServer(uvicorn.Server):
    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if sig == signal.SIGTERM and sig in self._captured_signals:
            self._captured_signals.remove(sig)
