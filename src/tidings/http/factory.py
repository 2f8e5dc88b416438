"""Serving with uvicorn workers: `tidings serve --workers N`.

uvicorn starts each worker process from an import string, so the settings travel through the
environment: the parent checks them, writes what its command line overrode, and gives every
worker the same secret (made up once when unset: otherwise each worker would sign and verify
with its own, and a token from one would fail on the next). Each worker builds its app with
`app()`, which reads them back.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from fastapi import FastAPI

from ..bus.bus import SHARED_SCHEMES
from ..config import Settings
from ..errors import ConfigError

WORKER_APP = "tidings.http.factory:app"


def check_workers(settings: Settings, workers: int) -> None:
    """ConfigError when `workers` processes could not share events on these settings."""
    if workers < 1:
        raise ConfigError(f"--workers is {workers}; expected 1 or more")
    scheme = settings.broker_url.split("://", 1)[0]
    if workers > 1 and scheme not in SHARED_SCHEMES:
        raise ConfigError(
            f"--workers {workers} needs an event bus the workers share, and TIDINGS_BROKER_URL is "
            f"{settings.broker_url!r}: each worker would see only its own events, so a like served by one "
            "would never reach a subscriber on another. Set TIDINGS_BROKER_URL=redis://HOST:6379 "
            "(or postgres://USER@HOST/DB), or run one process."
        )


def worker_environment(settings: Settings) -> dict[str, str]:
    """The TIDINGS_* values a worker must read as the parent has them."""
    return {
        "TIDINGS_HOST": settings.host,
        "TIDINGS_PORT": str(settings.port),
        "TIDINGS_DEMO": "true" if settings.demo else "false",
        "TIDINGS_SECRET": settings.secret,
    }


def serve_workers(settings: Settings, workers: int, **uvicorn_options: Any) -> int:
    """Run `workers` uvicorn worker processes on these settings (blocks until they stop)."""
    import uvicorn

    check_workers(settings, workers)
    os.environ.update(worker_environment(settings))
    uvicorn.run(
        WORKER_APP, factory=True, workers=workers, host=settings.host, port=settings.port, **uvicorn_options
    )
    return 0


def app() -> FastAPI:
    """The app of one worker process, from the environment its parent prepared."""
    from . import create_app
    from .serving import settle_heap

    settings = Settings.from_env()
    if not logging.getLogger().handlers:
        line = "%(asctime)s %(levelname)s %(name)s: %(message)s"
        logging.basicConfig(level=settings.log_level.upper(), format=line)
    built = create_app(settings)
    settle_heap()
    return built
