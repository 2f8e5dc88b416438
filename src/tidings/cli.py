"""The `tidings` command: serve, token, export-schema, config."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from .errors import ConfigError


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .config import Settings
    from .server import create_app

    overrides: dict[str, object] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    if args.demo:
        overrides["demo"] = True
    settings = Settings.from_env(**overrides)
    _logging(settings.log_level)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ws="websockets-sansio",
        ws_max_size=settings.max_frame_bytes,
        ws_per_message_deflate=settings.ws_per_message_deflate,
        log_level=settings.log_level,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    uvicorn.Server(config).run()
    return 0


def _token(args: argparse.Namespace) -> int:
    from .auth import issue
    from .config import Settings

    settings = Settings.from_env()
    if not settings.secret:
        raise ConfigError("TIDINGS_SECRET is not set; a token needs the secret the server verifies it with")
    print(
        issue(args.user_id, secret=settings.secret, name=args.name, handle=args.handle, role=args.role, ttl=args.ttl)
    )
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from .schema import schema

    print(schema.as_str())
    return 0


def _config(args: argparse.Namespace) -> int:
    from .config import Settings

    settings = Settings(**{})
    print(json.dumps(settings.public_view(), indent=2, default=str))
    return 0


def _logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tidings", description="Real-time GraphQL for a social feed.")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve GraphQL over HTTP and WebSocket")
    serve.add_argument("--host", help="bind address (TIDINGS_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="bind port (TIDINGS_PORT, default 8000)")
    serve.add_argument("--demo", action="store_true", help="load demo users and tweets; enable /demo/token")
    serve.set_defaults(run=_serve)
    token = sub.add_parser("token", help="print a token signed with TIDINGS_SECRET")
    token.add_argument("user_id")
    token.add_argument("--name", help="display name claim")
    token.add_argument("--handle", help="handle claim (default: the user id)")
    token.add_argument("--role", default="user", choices=["user", "service"])
    token.add_argument("--ttl", type=float, help="seconds until it expires (default: never)")
    token.set_defaults(run=_token)
    export = sub.add_parser("export-schema", help="print the GraphQL SDL")
    export.set_defaults(run=_export_schema)
    cfg = sub.add_parser("config", help="print the effective configuration, secrets hidden")
    cfg.set_defaults(run=_config)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(f"tidings: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
