"""Log lines: JSON or text, with connection and operation ids, never a token or a secret."""

from __future__ import annotations

import io
import json
import logging

from tidings import logs

from .factories import token


def test_redact_removes_tokens_credentials_and_url_passwords():
    jwt = token("alice")
    text = (
        f"GET /graphql?token={jwt}&x=1 Authorization: Bearer abc.def secret=s3cr3t "
        "redis://:pw@cache:6379 postgresql+asyncpg://u:pa55@db/t raw " + jwt + " and the-secret"
    )
    assert logs.redact(text, ("the-secret",)) == (
        "GET /graphql?token=[redacted]&x=1 Authorization: Bearer [redacted] secret=[redacted] "
        "redis://:[redacted]@cache:6379 postgresql+asyncpg://u:[redacted]@db/t raw [redacted] and [redacted]"
    )


def _capture(fmt: str) -> tuple[logging.Logger, io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    redactor = logs.Redactor(("hunter2-secret",))
    handler.setFormatter(logs.JsonFormatter(redactor) if fmt == "json" else logs.TextFormatter(redactor))
    logger = logging.getLogger(f"tidings.test.{fmt}")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger, stream, handler


def test_json_lines_carry_the_connection_and_operation_and_extra_fields():
    logger, stream, handler = _capture("json")
    conn = logs.connection_id.set("c0ffee00")
    op = logs.operation_id.set("7")
    try:
        logger.info("sent %s with hunter2-secret", token("bob"), extra={"code": 1000, "duration_s": 1.5})
    finally:
        logs.operation_id.reset(op)
        logs.connection_id.reset(conn)
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert {k: v for k, v in line.items() if k != "ts"} == {
        "level": "info",
        "logger": "tidings.test.json",
        "msg": "sent [redacted] with [redacted]",
        "conn": "c0ffee00",
        "op": "7",
        "code": 1000,
        "duration_s": 1.5,
    }
    assert line["ts"].endswith("Z")


def test_text_lines_are_readable_and_redacted():
    logger, stream, handler = _capture("text")
    conn = logs.connection_id.set("c0ffee00")
    try:
        logger.warning("refused Bearer %s", token("eve"), extra={"code": 4403})
    finally:
        logs.connection_id.reset(conn)
        logger.removeHandler(handler)
    line = stream.getvalue().split(" ", 2)[2]
    assert line == "WARNING tidings.test.text [conn=c0ffee00]: refused Bearer [redacted] code=4403\n"
