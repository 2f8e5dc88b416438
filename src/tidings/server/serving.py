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

import signal
from types import FrameType

import uvicorn


class GracefulServer(uvicorn.Server):
    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if sig == signal.SIGTERM and sig in self._captured_signals:
            self._captured_signals.remove(sig)
