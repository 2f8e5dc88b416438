"""uvicorn's Server, with SIGTERM as a clean stop (docs/PROTOCOL.md, "Shutdown").

uvicorn already shuts down in the order we want: it closes its listening sockets, closes every
WebSocket with 1012 (clients retry), lets HTTP requests in flight finish, waits up to
`timeout_graceful_shutdown` (TIDINGS_SHUTDOWN_DEADLINE) for the connection handlers (a
WebSocket's handler waits there for its in-flight mutations, ws.py), then runs the lifespan
shutdown. But once done, it raises the captured signal again, so a SIGTERM'd process dies of
SIGTERM (exit -15) even after a clean shutdown. Here a SIGTERM ends in exit 0; SIGINT keeps
uvicorn's behaviour (KeyboardInterrupt, exit 130 in cli.py).

uvicorn ends WebSockets itself, but it leaves an HTTP response under way to finish, and an SSE
or multipart stream never does: `ExitSignals` tells the app at the signal, so that it ends its
streams at once (transport/stream.py) instead of holding the shutdown until the deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import threading
from collections.abc import Callable
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


class ExitSignals:
    """Call `callback` in the event loop when the server that runs us is told to stop by SIGTERM
    or SIGINT, then hand the signal on to that server's own handler (uvicorn's, in every process
    it serves from). Installed at startup, removed at shutdown; off the main thread (where
    signals cannot be caught) and where nobody handles the signal, it does nothing."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self._previous: dict[int, Callable[[int, FrameType | None], Any]] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for sig in self.SIGNALS:
            previous = signal.getsignal(sig)
            if not callable(previous):
                continue

            def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
                with contextlib.suppress(RuntimeError):  # the loop is already closed
                    loop.call_soon_threadsafe(self.callback)
                previous(signum, frame)

            self._previous[sig] = previous
            signal.signal(sig, handler)
        self._installed = {sig: signal.getsignal(sig) for sig in self._previous}

    def uninstall(self) -> None:
        for sig, previous in self._previous.items():
            if signal.getsignal(sig) is self._installed.get(sig):
                signal.signal(sig, previous)
        self._previous.clear()


def settle_heap() -> None:
    """Once the app is built, before it serves: what import and start-up made stays for the life
    of the process, so the cyclic garbage collector stops walking it (`gc.freeze`).

    Without it every full collection walks those ~200,000 objects (the schema, graphql-core,
    SQLAlchemy, Starlette): 90-140 ms each, one every second or so under a burst of likes, during
    which nothing is delivered. Measured (S5, 4,000 likes): full collections of 117-136 ms
    during the run, ~15% of the process's CPU in the collector; after, 8-41 ms. Young
    collections still run, and everything made while serving is still collected."""
    gc.collect()
    gc.freeze()
