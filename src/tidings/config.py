"""Settings: every `TIDINGS_*` variable, read once (in `cli`) and passed to `create_app(settings)`."""

from __future__ import annotations

import difflib
import ipaddress
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

import annotated_types
from pydantic import Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .errors import ConfigError
from .logs import redact

log = logging.getLogger("tidings.config")

# The brokers the bus can open (bus/bus.py picks the backend by scheme); checked here so that a
# wrong TIDINGS_BROKER_URL stops the start with the other configuration errors.
SUPPORTED_SCHEMES = ("memory", "redis", "rediss", "postgres", "postgresql")
KAFKA_REFUSAL = (
    "redis://HOST:6379 (or postgres://USER@HOST/DB without Redis): Kafka is not supported, "
    "Tidings cannot supervise it or fill the gaps of an outage"
)

_DEFAULT_STATIC = Path(__file__).resolve().parents[2] / "frontend" / "dist"
_SECRET_FIELDS = {"secret", "metrics_token"}
_URL_FIELDS = {"broker_url", "database_url"}
DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
MIN_PRODUCTION_SECRET = 32


class Settings(BaseSettings):
    """The server's configuration. Build it with `Settings.from_env()` or directly in tests."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", extra="ignore", frozen=True)

    broker_url: str = Field("memory://", description="broadcaster backend: memory://, redis://, postgres://")
    database_url: str = Field("sqlite+aiosqlite:///./tidings.db", description="SQLAlchemy async URL")
    secret: str = Field(
        "", description="HS256 secret for JWTs; random per process when unset (not in production)"
    )
    env: Literal["development", "production"] = Field(
        "development",
        description="production: refuses to start without TIDINGS_SECRET or with demo mode",
    )
    jwks_url: str | None = Field(
        None, description="an identity provider's JSON Web Key Set: RS256/ES256 tokens are verified with it"
    )
    jwks_refresh_interval: float = Field(
        30.0, ge=1, description="fewest seconds between JWKS fetches caused by a token of an unknown `kid`"
    )
    jwt_issuer: str | None = Field(None, description="when set, every token's `iss` must equal it")
    jwt_audience: str | None = Field(None, description="when set, every token's `aud` must name it")
    host: str = Field("127.0.0.1", description="bind address")
    port: int = Field(8000, ge=1, le=65535, description="bind port")
    trending_interval: float = Field(5.0, gt=0, description="seconds between trending recomputations")
    trending_window: int = Field(900, gt=0, description="seconds of tweets that trending counts")
    init_timeout: float = Field(5.0, gt=0, description="seconds a WebSocket may wait before connection_init")
    header_timeout: float = Field(
        10.0, gt=0, description="seconds a request head (or handshake), then its body, may take; then dropped"
    )
    keepalive_interval: float = Field(15.0, gt=0, description="seconds between legacy `ka` messages")
    stream_heartbeat: float = Field(
        10.0, gt=0, description="seconds between heartbeats on SSE and multipart HTTP streams"
    )
    max_query_bytes: int = Field(65536, gt=0, description="largest query document accepted")
    max_depth: int = Field(10, gt=0, description="deepest selection accepted")
    max_aliases: int = Field(30, gt=0, description="most aliases in one document")
    max_tokens: int = Field(2000, gt=0, description="most lexical tokens in one document")
    max_body_bytes: int = Field(1_048_576, gt=0, description="largest HTTP request body")
    apq_cache_bytes: int = Field(
        8 * 1_048_576, ge=0, description="bytes of automatic persisted queries remembered (an LRU)"
    )
    trusted_documents: Path | None = Field(
        None, description="a persisted-documents JSON file (hash -> document): only those documents run"
    )
    max_frame_bytes: int = Field(65536, gt=0, description="largest WebSocket frame accepted")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="extra browser origins allowed to open a WebSocket (comma-separated)",
    )
    backlog_size: int = Field(256, gt=0, description="events a notifications/feed subscriber may fall behind")
    # Abuse limits (docs/PROTOCOL.md): 0 turns one off. Per-IP limits are per process, and skip
    # `limit_exempt` (loopback by default: a reverse proxy on the same host would otherwise put
    # every client in one bucket). X-Forwarded-For is believed only from `trusted_proxies`.
    max_subscriptions_per_connection: int = Field(
        100, ge=0, description="active operations on one WebSocket; the next `subscribe` gets an `error`"
    )
    max_connections_per_user: int = Field(50, ge=0, description="open WebSockets of one user (close 4430)")
    max_connections_per_ip: int = Field(
        500, ge=0, description="open WebSockets from one address (close 4431)"
    )
    connect_rate_per_ip: float = Field(
        50.0, ge=0, description="new WebSockets a second from one address, burst twice that (close 4432)"
    )
    mutation_rate: float = Field(
        20.0,
        ge=0,
        description="mutations a second per user, burst `mutation_burst` (Redis-shared on redis://)",
    )
    mutation_burst: int = Field(
        60, gt=0, description="mutations a user may send at once before the rate applies"
    )
    limit_exempt: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"],
        description="addresses or networks the per-IP limits skip (comma-separated)",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="addresses or networks whose X-Forwarded-For is believed (comma-separated; none)",
    )
    shutdown_deadline: int = Field(
        10, gt=0, description="seconds SIGTERM waits for in-flight requests before closing the rest"
    )
    demo: bool = Field(False, description="load demo data and enable /demo/token")
    graphiql: bool | None = Field(
        None, description="serve GraphiQL at GET /graphql (default: true, false in production)"
    )
    metrics_token: str = Field(
        "", description="bearer token /metrics requires (in production /metrics is 404 without one)"
    )
    static_dir: Path = Field(_DEFAULT_STATIC, description="built dashboard served at /")
    log_format: Literal["text", "json"] = Field("text", description="log line format")
    log_level: str = Field("info", description="log level: debug, info, warning, error or critical")
    metrics_dir: Path | None = Field(
        None,
        description="a directory shared by the worker processes of one host; /metrics then sums them all",
    )
    ws_per_message_deflate: bool = Field(
        False, description="permessage-deflate on WebSockets (served by uvicorn's websockets-sansio then)"
    )
    ws_impl: Literal["tidings", "websockets-sansio", "websockets", "wsproto"] = Field(
        "tidings",
        description="WebSocket implementation under uvicorn: ours (server/websocket.py) or one of uvicorn's",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    @field_validator("limit_exempt", "trusted_proxies", mode="before")
    @classmethod
    def _split_exempt(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("limit_exempt", "trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError("comma-separated addresses or networks such as 10.0.0.0/8, ::1") from None
        return value

    @field_validator("jwks_url")
    @classmethod
    def _jwks_url(cls, value: str | None) -> str | None:
        parts = urlsplit(value or "")
        if value is not None and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise ValueError(
                "an https:// (or http://) URL such as https://example.auth0.com/.well-known/jwks.json"
            )
        return value

    @field_validator("broker_url")
    @classmethod
    def _broker_scheme(cls, value: str) -> str:
        if urlsplit(value).scheme == "kafka":
            raise ValueError(KAFKA_REFUSAL)
        if urlsplit(value).scheme not in SUPPORTED_SCHEMES:
            raise ValueError(f"a URL starting with one of {', '.join(s + '://' for s in SUPPORTED_SCHEMES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str) -> str:
        if urlsplit(value).scheme not in DATABASE_SCHEMES:
            raise ValueError("sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DATABASE")
        return value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not value.strip() or any(ch.isspace() for ch in value):
            raise ValueError("an address to bind, such as 127.0.0.1, 0.0.0.0 or ::")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> Any:
        if isinstance(value, str) and value.lower() in LOG_LEVELS:
            return value.lower()
        raise ValueError(f"one of {', '.join(LOG_LEVELS)}")

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            parts = urlsplit(origin)
            if origin != "*" and (parts.scheme not in ("http", "https") or not parts.netloc or parts.path):
                raise ValueError("comma-separated origins such as https://app.example.com:8443, or *")
        return value

    @classmethod
    def read(cls, **overrides: Any) -> Settings:
        """Read and check `TIDINGS_*` from the environment, leaving an unset secret unset.
        ConfigError names the variable, its bad value and what is expected."""
        try:
            settings = cls(**overrides)
        except ValidationError as exc:
            raise ConfigError(_describe(exc)) from None
        settings.check_production()
        if settings.env == "production" and settings.secret and len(settings.secret) < MIN_PRODUCTION_SECRET:
            raise ConfigError(
                f"TIDINGS_SECRET is {len(settings.secret)} characters long; expected at least "
                f"{MIN_PRODUCTION_SECRET} in production (TIDINGS_ENV=production)"
            )
        _warn_unknown(os.environ)
        return settings

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """`read()`, then `with_secret()`: what `tidings serve` runs with."""
        return cls.read(**overrides).with_secret()

    def with_secret(self) -> Settings:
        """Return these settings with a secret: a random one, logged as a warning, when none is set
        in development or demo mode; ConfigError in production."""
        self.check_production()
        if self.secret:
            return self
        if self.env == "production" and self.jwks_url:
            return self  # the identity provider's tokens only: HS256 is refused without a secret
        if self.env == "production":
            raise ConfigError(
                "TIDINGS_SECRET is not set; expected the HS256 secret your auth service signs tokens with "
                "(TIDINGS_ENV=production never makes one up)"
            )
        log.warning("TIDINGS_SECRET is not set; using a random secret, so tokens die with this process")
        return self.model_copy(update={"secret": secrets.token_urlsafe(32)})

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def graphiql_enabled(self) -> bool:
        """TIDINGS_GRAPHIQL when set; otherwise on, except in production."""
        return self.graphiql if self.graphiql is not None else not self.production

    def check_production(self) -> None:
        """ConfigError for what production must never run with: demo mode mints a token for
        anyone who asks (POST /demo/token), signed with the production secret."""
        if self.env == "production" and self.demo:
            raise ConfigError(
                "demo mode (--demo or TIDINGS_DEMO=true) is on with TIDINGS_ENV=production; refusing to "
                "start: POST /demo/token would sign tokens for anyone with your secret. Turn one of them off"
            )

    def public_view(self) -> dict[str, Any]:
        """The effective configuration with secrets hidden, keyed by variable name."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in _SECRET_FIELDS:
                value = "***" if value else "(unset)"
            elif name in _URL_FIELDS:
                value = redact(value)
            elif isinstance(value, Path):
                value = str(value)
            out[f"TIDINGS_{name.upper()}"] = value
        return out


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        name = f"TIDINGS_{field.upper()}"
        shown = "(hidden)" if field in _SECRET_FIELDS else repr(err.get("input"))
        lines.append(f"{name} is {shown}; expected {_expected(Settings.model_fields.get(field), err)}")
    return "; ".join(lines)


def _expected(field: FieldInfo | None, err: ErrorDetails) -> str:
    """What a field accepts, in words: from our validators' messages, or the field's type and bounds."""
    ctx = err.get("ctx") or {}
    if err["type"] == "value_error":
        return str(ctx.get("error", err["msg"]))
    if field is None:
        return err["msg"].lower()
    annotation = field.annotation
    if annotation is bool:
        return "true or false (also 1/0, yes/no, on/off)"
    if annotation in (int, float):
        kind = "an integer" if annotation is int else "a number"
        low: object = None
        high: object = None
        positive = False
        for bound in field.metadata:
            if isinstance(bound, annotated_types.Gt):
                low, positive = bound.gt, bound.gt == 0
            elif isinstance(bound, annotated_types.Ge):
                low = bound.ge
            elif isinstance(bound, annotated_types.Le):
                high = bound.le
        if low is not None and high is not None:
            return f"{kind} {low}-{high}"
        if positive:
            return f"{kind} greater than 0"
        return kind
    choices = get_args(annotation)
    if err["type"] == "literal_error" and choices:
        return "one of " + ", ".join(str(c) for c in choices)
    return err["msg"].lower()


def _warn_unknown(environ: Mapping[str, str]) -> None:
    """A `TIDINGS_*` variable that looks like a misspelt setting is named in a warning (other
    tools use the prefix too, so unrelated names pass)."""
    known = [f"TIDINGS_{name.upper()}" for name in Settings.model_fields]
    for key in environ:
        if key.startswith("TIDINGS_") and key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
            if close:
                log.warning("%s is not a setting and is ignored; did you mean %s?", key, close[0])
