"""Settings: every `TIDINGS_*` variable, read once (in `cli`) and passed to `create_app(settings)`."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

from .errors import ConfigError

log = logging.getLogger("tidings.config")

_DEFAULT_STATIC = Path(__file__).resolve().parents[2] / "frontend" / "dist"
_SECRET_FIELDS = {"secret"}


class Settings(BaseSettings):
    """The server's configuration. Build it with `Settings.from_env()` or directly in tests."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", extra="ignore", frozen=True)

    broker_url: str = Field("memory://", description="broadcaster backend: memory://, redis://, postgres://")
    database_url: str = Field("sqlite+aiosqlite:///./tidings.db", description="SQLAlchemy async URL")
    secret: str = Field("", description="HS256 secret for JWTs; random per process when unset")
    host: str = Field("127.0.0.1", description="bind address")
    port: int = Field(8000, ge=1, le=65535, description="bind port")
    trending_interval: float = Field(5.0, gt=0, description="seconds between trending recomputations")
    trending_window: int = Field(900, gt=0, description="seconds of tweets that trending counts")
    init_timeout: float = Field(5.0, gt=0, description="seconds a WebSocket may wait before connection_init")
    keepalive_interval: float = Field(15.0, gt=0, description="seconds between legacy `ka` messages")
    max_query_bytes: int = Field(65536, gt=0, description="largest query document accepted")
    max_depth: int = Field(10, gt=0, description="deepest selection accepted")
    max_aliases: int = Field(30, gt=0, description="most aliases in one document")
    max_tokens: int = Field(2000, gt=0, description="most lexical tokens in one document")
    max_body_bytes: int = Field(1_048_576, gt=0, description="largest HTTP request body")
    max_frame_bytes: int = Field(65536, gt=0, description="largest WebSocket frame accepted")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="extra browser origins allowed to open a WebSocket (comma-separated)"
    )
    backlog_size: int = Field(256, gt=0, description="events a notifications/feed subscriber may fall behind")
    demo: bool = Field(False, description="load demo data and enable /demo/token")
    static_dir: Path = Field(_DEFAULT_STATIC, description="built dashboard served at /")
    log_format: Literal["text", "json"] = Field("text", description="log line format")
    log_level: str = Field("info", description="log level")
    ws_per_message_deflate: bool = Field(False, description="permessage-deflate on WebSockets")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Read `TIDINGS_*` from the environment; raise ConfigError naming the variable on a bad value."""
        try:
            settings = cls(**overrides)
        except ValidationError as exc:
            raise ConfigError(_describe(exc)) from None
        return settings.with_secret()

    def with_secret(self) -> Settings:
        """Return these settings with a secret: a random one, logged as a warning, when none is set."""
        if self.secret:
            return self
        log.warning("TIDINGS_SECRET is not set; using a random secret, so tokens die with this process")
        return self.model_copy(update={"secret": secrets.token_urlsafe(32)})

    def public_view(self) -> dict[str, Any]:
        """The effective configuration with secrets hidden, keyed by variable name."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in _SECRET_FIELDS:
                value = "***" if value else "(unset)"
            elif isinstance(value, Path):
                value = str(value)
            out[f"TIDINGS_{name.upper()}"] = value
        return out


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        name = "TIDINGS_" + "_".join(str(p) for p in err["loc"]).upper()
        lines.append(f"{name} is {err.get('input')!r}; expected {err['msg'].lower()}")
    return "; ".join(lines)
