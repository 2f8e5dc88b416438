"""The `tidings` command: serve, token, export-schema, config, simulate."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import __version__
from .errors import ConfigError

if TYPE_CHECKING:
    from .config import Settings

DEFAULT_TTL = 24 * 3600.0  # `tidings token`: a day, unless --ttl says otherwise


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .config import Settings
    from .http import create_app
    from .http.serving import GracefulServer, settle_heap, uvicorn_options

    overrides: dict[str, object] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    if args.demo:
        overrides["demo"] = True
    settings = Settings.read(**overrides)
    _logging(settings)
    settings = settings.with_secret()
    from .http.factory import check_workers, serve_workers

    check_workers(settings, args.workers)
    if not args.no_migrate:
        _migrate_database(settings.database_url)
    if args.workers > 1:
        return serve_workers(settings, args.workers, **uvicorn_options(settings))
    app = create_app(settings)
    settle_heap()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # uvicorn's lines go through our handler: same format, secrets redacted
        **uvicorn_options(settings),
    )
    GracefulServer(config).run()
    return 0


def _duration(text: str) -> float:
    """`90`, `90s`, `30m`, `24h` or `7d` in seconds; argparse's error for anything else."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = (text[:-1], units[text[-1]]) if text[-1:] in units else (text, 1)
    try:
        seconds = float(number) * unit
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 3600, 90m, 24h or 30d")
    return seconds


def _token(args: argparse.Namespace) -> int:
    from .auth import issue
    from .config import Settings

    settings = Settings.read()
    if not settings.secret:
        raise ConfigError("TIDINGS_SECRET is not set; a token needs the secret the server verifies it with")
    print(
        issue(
            args.user_id,
            secret=settings.secret,
            name=args.name,
            handle=args.handle,
            role=args.role,
            ttl=args.ttl,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )
    )
    return 0


def _migrate_database(url: str) -> tuple[str | None, str]:
    import asyncio

    from .store.migration import migrate

    return asyncio.run(migrate(url))


def _migrate(args: argparse.Namespace) -> int:
    from .config import Settings

    settings = Settings()
    before, after = _migrate_database(settings.database_url)
    where = settings.database_url.split("@")[-1]
    print(f"{where}: at migration {after}" + ("" if before == after else f" (was {before or 'empty'})"))
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from .schema import schema

    print(schema.as_str())
    return 0


def _config(args: argparse.Namespace) -> int:
    from .config import Settings

    settings = Settings.read()
    print(json.dumps(settings.public_view(), indent=2, default=str))
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from . import simulator
    from .config import Settings

    settings = Settings.read()
    if not settings.secret:
        raise ConfigError(
            "TIDINGS_SECRET is not set; the simulator signs its users' tokens with the secret the server"
            " verifies"
        )
    url = args.url or f"http://{settings.host}:{settings.port}"
    return simulator.main(
        url, settings.secret, users=args.users, rate=args.rate, duration=args.duration, seed=args.seed
    )


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def parse(raw: str) -> int | float:
        try:
            value = kind(raw)
        except ValueError:
            value = 0
        if value <= 0:
            raise argparse.ArgumentTypeError(
                f"{raw!r} is not a positive {'integer' if kind is int else 'number'}"
            )
        return value

    return parse


def _logging(settings: Settings) -> None:
    from .logs import configure

    configure(settings.log_level, settings.log_format, secrets_=(settings.secret, settings.metrics_token))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tidings", description="Real-time GraphQL for a social feed.")
    p.add_argument("--version", action="version", version=f"tidings {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve GraphQL over HTTP and WebSocket")
    serve.add_argument("--host", help="bind address (TIDINGS_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="bind port (TIDINGS_PORT, default 8000)")
    serve.add_argument("--demo", action="store_true", help="load demo users and tweets; enable /demo/token")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (default 1; more need a redis:// or postgres:// bus)",
    )
    serve.add_argument("--no-migrate", action="store_true", help="do not run `tidings migrate` first")
    serve.set_defaults(run=_serve)
    migrate = sub.add_parser("migrate", help="bring the database to this version's schema (Alembic)")
    migrate.set_defaults(run=_migrate)
    token = sub.add_parser("token", help="print a token signed with TIDINGS_SECRET")
    token.add_argument("user_id")
    token.add_argument("--name", help="display name claim")
    token.add_argument("--handle", help="handle claim (default: the user id)")
    token.add_argument("--role", default="user", choices=["user", "service"])
    token.add_argument(
        "--ttl",
        type=_duration,
        default=DEFAULT_TTL,
        help="how long until it expires: seconds, or a number with s, m, h or d (default: 24h)",
    )
    token.set_defaults(run=_token)
    export = sub.add_parser("export-schema", help="print the GraphQL SDL")
    export.set_defaults(run=_export_schema)
    cfg = sub.add_parser("config", help="print the effective configuration, secrets hidden")
    cfg.set_defaults(run=_config)
    sim = sub.add_parser(
        "simulate", help="drive a running server with realistic activity (its dashboard comes alive)"
    )
    sim.add_argument("--users", type=_positive(int), default=20, help="simulated users (default 20)")
    sim.add_argument("--rate", type=_positive(float), default=10.0, help="actions a second (default 10)")
    sim.add_argument("--duration", type=_positive(float), default=60.0, help="seconds to run (default 60)")
    sim.add_argument("--url", help="the server (default http://TIDINGS_HOST:TIDINGS_PORT)")
    sim.add_argument("--seed", type=int, help="random seed, for a repeatable run")
    sim.set_defaults(run=_simulate)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(f"tidings: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: uvicorn has shut down cleanly and re-raised it
        return 130


if __name__ == "__main__":
    sys.exit(main())
