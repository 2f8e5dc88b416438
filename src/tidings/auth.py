"""Verify and issue JWTs. Tidings owns no accounts: an auth service or identity provider signs tokens.

Two kinds of token are accepted, told apart by the `alg` of their header:
- HS256, signed with the shared `TIDINGS_SECRET` (what `tidings token` and the demo issue);
- RS256 or ES256, signed by an identity provider whose public keys `TIDINGS_JWKS_URL` serves
  (`jwks.KeySet`), when that is set.
Every other `alg` (`none` included) is refused. `TIDINGS_JWT_ISSUER` / `TIDINGS_JWT_AUDIENCE`,
when set, must match `iss` / `aud`; a token naming an audience is refused unless the audience
is configured. `exp`, `nbf` and `iat` must be JSON numbers from 0 to the end of year 9999: a
string or a huge integer is refused here rather than crashing whoever reads the time later.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jwt

from .errors import AuthError

if TYPE_CHECKING:
    from .config import Settings
    from .jwks import KeySet

ALGORITHM = "HS256"
ASYMMETRIC = ("RS256", "ES256")
ROLES = ("user", "service")
TIME_CLAIMS = ("exp", "nbf", "iat")
LATEST_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z
MAX_SUB = 64
DEFAULT_TTL = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Claims:
    """Who a valid token speaks for."""

    user_id: str
    handle: str
    name: str | None  # None: the token names nobody, and the stored display name stays
    role: str
    expires_at: float | None


def claims_of(payload: dict[str, Any]) -> Claims:
    """The Claims of a verified payload; AuthError when a claim has the wrong shape."""
    for claim in TIME_CLAIMS:
        if claim in payload:
            value = payload[claim]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise AuthError(f"Token claim '{claim}' must be a number (seconds since 1970).")
            if not (isinstance(value, int) or math.isfinite(value)) or not 0 <= value <= LATEST_TIME:
                raise AuthError(f"Token claim '{claim}' is out of range: expected 0-{LATEST_TIME}.")
    sub = payload.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > MAX_SUB:
        raise AuthError(f"Token claim 'sub' must be a non-empty string of at most {MAX_SUB} characters.")
    role = payload.get("role", "user")
    if role not in ROLES:
        raise AuthError(f"Token claim 'role' must be one of {', '.join(ROLES)}.")
    # Identity providers name the handle differently: Keycloak and Cognito send preferred_username.
    handle = payload.get("handle") or payload.get("preferred_username") or sub
    name = payload.get("name") or None
    if not isinstance(handle, str) or not isinstance(name, str | None):
        raise AuthError("Token claims 'handle' and 'name' must be strings.")
    if "\x00" in sub + handle + (name or ""):
        raise AuthError("Token claims 'sub', 'handle' and 'name' cannot contain NUL characters.")
    exp = payload.get("exp")
    return Claims(
        user_id=sub,
        handle=handle[:64],
        name=name[:128] if name else None,
        role=role,
        expires_at=float(exp) if exp is not None else None,
    )


def decode(
    token: str,
    key: Any,
    algorithm: str,
    *,
    require_exp: bool = False,
    issuer: str | None = None,
    audience: str | None = None,
) -> Claims:
    """Verify `token` with `key` under exactly `algorithm`; its Claims, or AuthError saying why not."""
    required = ["sub", "exp"] if require_exp else ["sub"]
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=issuer,
            audience=audience,
            options={"require": required},
        )
    except jwt.MissingRequiredClaimError as exc:
        if exc.claim == "exp":
            raise AuthError("Token has no 'exp': this server (TIDINGS_ENV=production) needs one.") from None
        raise AuthError(f"Token has no '{exc.claim}' claim.") from None
    except jwt.ExpiredSignatureError:
        raise AuthError("Token expired.") from None
    except jwt.InvalidSignatureError:
        raise AuthError("Token signature is invalid.") from None
    except jwt.InvalidIssuerError:
        raise AuthError("Token issuer ('iss') is not the one this server trusts.") from None
    except jwt.InvalidAudienceError:
        raise AuthError("Token audience ('aud') is not this server's.") from None
    except jwt.PyJWTError as exc:
        raise AuthError(f"Token is invalid: {exc}.") from None
    except (TypeError, ValueError, OverflowError):  # a claim PyJWT could not even compare
        raise AuthError("Token is invalid: a claim has the wrong type.") from None
    return claims_of(payload)


def verify(
    token: str,
    *,
    secret: str,
    require_exp: bool = False,
    issuer: str | None = None,
    audience: str | None = None,
) -> Claims:
    """The Claims of a valid HS256 token signed with `secret`; AuthError saying why a token is refused."""
    return decode(token, secret, ALGORITHM, require_exp=require_exp, issuer=issuer, audience=audience)


class Verifier:
    """Every token the server sees goes through `verify`: HS256 with the secret, or RS256/ES256
    with a key of the identity provider's JWKS (fetched without blocking the event loop)."""

    def __init__(self, settings: Settings, keys: KeySet | None = None) -> None:
        self.secret = settings.secret
        self.require_exp = settings.env == "production"
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.keys = keys

    async def verify(self, token: str) -> Claims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError(f"Token is invalid: {exc}.") from None
        alg = header.get("alg")
        checks: dict[str, Any] = {
            "require_exp": self.require_exp,
            "issuer": self.issuer,
            "audience": self.audience,
        }
        if alg == ALGORITHM:
            if not self.secret:
                raise AuthError("Token algorithm HS256 is not accepted here: no TIDINGS_SECRET is set.")
            return decode(token, self.secret, ALGORITHM, **checks)
        if alg in ASYMMETRIC and self.keys is not None:
            kid = header.get("kid")
            if kid is not None and (not isinstance(kid, str) or len(kid) > 256):
                raise AuthError("Token header 'kid' must be a string of at most 256 characters.")
            key = await self.keys.key(kid, alg)
            if key is None:
                raise AuthError("Token signing key is unknown: no key of the JWKS has its 'kid'.")
            return decode(token, key, alg, **checks)
        accepted = [ALGORITHM, *(ASYMMETRIC if self.keys is not None else ())]
        raise AuthError(f"Token algorithm is not accepted: expected {' or '.join(accepted)}.")


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
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """Sign an HS256 token for `user_id`; `ttl` seconds until it expires (never, when None)."""
    claims: dict[str, object] = {"sub": user_id, "role": role, "iat": int(time.time())}
    if name:
        claims["name"] = name
    if handle:
        claims["handle"] = handle
    if ttl is not None:
        claims["exp"] = time.time() + ttl
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm=ALGORITHM)
