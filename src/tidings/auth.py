"""Verify and issue JWTs (HS256). Tidings owns no accounts: the engine's auth service signs tokens."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from .errors import AuthError

ALGORITHM = "HS256"
ROLES = ("user", "service")


@dataclass(frozen=True, slots=True)
class Claims:
    """Who a valid token speaks for."""

    user_id: str
    handle: str
    name: str | None  # None: the token names nobody, and the stored display name stays
    role: str
    expires_at: float | None


def verify(token: str, *, secret: str) -> Claims:
    """Return the claims of a valid token; raise AuthError saying why a token is refused."""
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub"]})
    except jwt.ExpiredSignatureError:
        raise AuthError("Token expired.") from None
    except jwt.InvalidSignatureError:
        raise AuthError("Token signature is invalid.") from None
    except jwt.PyJWTError as exc:
        raise AuthError(f"Token is invalid: {exc}.") from None
    sub = payload["sub"]
    if not isinstance(sub, str) or not sub or len(sub) > 64:
        raise AuthError("Token claim 'sub' must be a non-empty string of at most 64 characters.")
    role = payload.get("role", "user")
    if role not in ROLES:
        raise AuthError(f"Token claim 'role' is {role!r}; expected one of {', '.join(ROLES)}.")
    handle = payload.get("handle") or sub
    name = payload.get("name") or None
    if not isinstance(handle, str) or not isinstance(name, str | None):
        raise AuthError("Token claims 'handle' and 'name' must be strings.")
    exp = payload.get("exp")
    return Claims(
        user_id=sub, handle=handle[:64], name=name[:128] if name else None, role=role, expires_at=exp
    )


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, or None when there is none."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("Authorization must be 'Bearer <token>'.")
    return token.strip()


def issue(
    user_id: str,
    *,
    secret: str,
    name: str | None = None,
    handle: str | None = None,
    role: str = "user",
    ttl: float | None = None,
) -> str:
    """Sign a token for `user_id`; `ttl` seconds until it expires (never, when None)."""
    claims: dict[str, object] = {"sub": user_id, "role": role, "iat": int(time.time())}
    if name:
        claims["name"] = name
    if handle:
        claims["handle"] = handle
    if ttl is not None:
        claims["exp"] = time.time() + ttl
    return jwt.encode(claims, secret, algorithm=ALGORITHM)
