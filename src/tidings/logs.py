"""Log lines: one JSON object a line (`TIDINGS_LOG_FORMAT=json`) or readable text, each with
the connection and operation it belongs to, and never a token or a secret.

    {"ts": "2025-01-01T12:00:00.123Z", "level": "info", "logger": "tidings.ws",
     "msg": "websocket closed", "conn": "c7f3a9e1", "code": 1000, "duration_s": 12.5}

Which connection and operation a line belongs to travels in context variables: the WebSocket
endpoint sets `conn` before the connection runs, and each operation's task sets `op`, so every
line logged on their behalf (by us, Strawberry or SQLAlchemy) carries them. Secrets are removed
where lines are written, not where they are made: whatever a library puts in a message (a URL
with `?token=`, an `Authorization` header, a JWT) is redacted by `Redactor` before it is written.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

connection_id: ContextVar[str | None] = ContextVar("tidings_connection_id", default=None)
operation_id: ContextVar[str | None] = ContextVar("tidings_operation_id", default=None)

REDACTED = "[redacted]"
# A JWT (three base64url parts, the first two JSON objects, so starting `eyJ`; its dots may be
# percent-encoded, `%2E`), any `eyJ...` value with percent-escapes in it (a token inside an
# encoded URL), a bearer credential (`Bearer x`, `Bearer%20x`), a `token=`/`jwt=`/`secret=`/
# `password=` parameter (its `=` maybe `%3D`), and a password in a URL.
_PATTERNS = [
    re.compile(r"eyJ[A-Za-z0-9_-]+(?:\.|%2[Ee])eyJ[A-Za-z0-9_-]+(?:\.|%2[Ee])[A-Za-z0-9_-]*"),
    re.compile(r"(?i)(bearer(?:\s+|%20|\+))[^\s\"',;&]+"),
    re.compile(r"(?i)((?:token|jwt|secret|password|authorization)(?:=|%3D))[^&\s\"']+"),
    re.compile(r"(://[^:/@\s]*:)[^@/\s]+(@)"),
    re.compile(r"eyJ[A-Za-z0-9_.-]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9_.-]*)+"),
]
# LogRecord's own attributes; anything else on a record came from `extra=` and is a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName", "color_message"}


def redact(text: str, secrets_: tuple[str, ...] = ()) -> str:
    """`text` without tokens, bearer credentials, password parameters or the given secrets."""
    for secret in secrets_:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _PATTERNS[0].sub(REDACTED, text)
    text = _PATTERNS[1].sub(r"\1" + REDACTED, text)
    text = _PATTERNS[2].sub(r"\1" + REDACTED, text)
    text = _PATTERNS[3].sub(r"\1" + REDACTED + r"\2", text)
    return _PATTERNS[4].sub(REDACTED, text)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    conn = getattr(record, "conn", None) or connection_id.get()
    op = getattr(record, "op", None) or operation_id.get()
    if conn:
        fields["conn"] = conn
    if op:
        fields["op"] = op
    for key, value in record.__dict__.items():
        if key not in _STANDARD and key not in ("conn", "op") and not key.startswith("_"):
            fields[key] = value
    return fields


class Redactor:
    """Formats a record's message and its exception with secrets removed."""

    def __init__(self, secrets_: tuple[str, ...] = ()) -> None:
        self.secrets = secrets_

    def message(self, record: logging.LogRecord, formatter: logging.Formatter) -> str:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + formatter.formatException(record.exc_info)
        elif record.exc_text:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + formatter.formatStack(record.stack_info)
        return redact(text, self.secrets)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, msg, conn, op, then any `extra=` fields."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": self.redactor.message(record, self),
        }
        for key, value in _fields(record).items():
            line.setdefault(key, value if isinstance(value, str | int | float | bool | None) else str(value))
        text = orjson.dumps(line, default=str).decode()
        return redact(text, self.redactor.secrets)  # `extra=` values too


class TextFormatter(logging.Formatter):
    """`2025-01-01 12:00:00,123 INFO tidings.ws [conn=c7f3a9e1] websocket closed code=1000`."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        ids = " ".join(f"{k}={fields.pop(k)}" for k in ("conn", "op") if k in fields)
        head = f"{self.formatTime(record)} {record.levelname} {record.name}"
        if ids:
            head += f" [{ids}]"
        tail = "".join(f" {k}={v}" for k, v in fields.items())
        return redact(f"{head}: {self.redactor.message(record, self)}{tail}", self.redactor.secrets)


def configure(level: str, fmt: str, *, secrets_: tuple[str, ...] = (), stream: TextIO | None = None) -> None:
    """Send every logger's records (ours, uvicorn's, libraries') to one handler on stderr in
    `fmt` ("json" or "text") at `level`, with `secrets_` and tokens redacted."""
    redactor = Redactor(tuple(s for s in secrets_ if s))
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(redactor) if fmt == "json" else TextFormatter(redactor))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def new_id() -> str:
    return secrets.token_hex(4)


class ConnectionLog:
    """What the WebSocket layer tells the log about one connection: `opened` when the socket is
    accepted (and the connection id is set for everything logged on its behalf), `closed` at the
    end with the close code and how long it was open."""

    log = logging.getLogger("tidings.ws")

    def __init__(self, protocol: str, client: Any) -> None:
        self.id = new_id()
        self.protocol = protocol
        self.client = f"{client.host}:{client.port}" if client is not None else "-"
        self.started = time.monotonic()
        connection_id.set(self.id)
        self.log.info("websocket opened", extra={"protocol": protocol, "client": self.client})

    def closed(self, connection: Any) -> None:
        """Log the end of `connection`: its `close_code` (sent by us, or the client's) and viewer."""
        extra: dict[str, Any] = {
            "code": getattr(connection, "close_code", None),
            "duration_s": round(time.monotonic() - self.started, 3),
        }
        context = getattr(connection, "context", None)
        if context is not None and context.viewer is not None:
            extra["user"] = context.viewer.id
        self.log.info("websocket closed", extra=extra)
