"""Bearer tokens: who the caller is (roles, venue scope), how tokens are minted and verified."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeGuard

import jwt

from shared.domain_errors import Unauthenticated, VenueNotAllowed

ALL_VENUES = "*"
ALGORITHM = "HS256"
AUDIENCE = "maitred"


class Role(StrEnum):
    """The roles a token can carry."""

    SERVICE = "service"
    BACKEND = "backend"
    OPS = "ops"


@dataclass(frozen=True)
class Caller:
    """The verified identity behind a call."""

    subject: str
    roles: frozenset[Role]
    venues: frozenset[str]

    def covers(self, venue_id: str) -> bool:
        return ALL_VENUES in self.venues or venue_id in self.venues

    def require_venue(self, venue_id: str) -> None:
        if not self.covers(venue_id):
            raise VenueNotAllowed(venue_id=venue_id)

    @property
    def is_ops(self) -> bool:
        return Role.OPS in self.roles


def mint_token(
    secret: str,
    *,
    subject: str,
    roles: list[Role],
    venues: list[str],
    ttl_seconds: int,
    issuer: str,
    now: float | None = None,
) -> str:
    """A signed token for development and service-to-service calls."""
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": subject,
        "roles": [str(role) for role in roles],
        "venues": venues,
        "iss": issuer,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


# Tokens verified lately, by (token, secret, issuer): the caller and the token's expiry. A
# service token is presented on every call for an hour; checking its signature and claims once
# is enough, as only its expiry can change its verdict.
_VERIFIED: dict[tuple[str, str, str], tuple[Caller, float]] = {}
_VERIFIED_MAX = 1024


def verify_token(token: str, secret: str, *, issuer: str) -> Caller:
    """The caller a token names; `Unauthenticated` when it does not verify."""
    key = (token, secret, issuer)
    known = _VERIFIED.get(key)
    if known is not None and time.time() < known[1]:
        return known[0]
    caller, expires = _verify(token, secret, issuer)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = (caller, expires)
    return caller


def _verify(token: str, secret: str, issuer: str) -> tuple[Caller, float]:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=issuer,
            options={"require": ["sub", "exp", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise Unauthenticated(problem="the token has expired") from error
    except jwt.InvalidSignatureError as error:
        raise Unauthenticated(problem="the token's signature does not verify") from error
    except (jwt.InvalidIssuerError, jwt.InvalidAudienceError) as error:
        raise Unauthenticated(problem="the token is for another issuer or audience") from error
    except jwt.PyJWTError as error:
        raise Unauthenticated(problem="the token is malformed or misses a claim") from error
    return _caller_of(claims), float(claims["exp"])


def _caller_of(claims: dict[str, Any]) -> Caller:
    """The caller named by verified claims; `Unauthenticated` when a claim has the wrong shape."""
    subject, names, venues = claims["sub"], claims.get("roles"), claims.get("venues")
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated(problem="the token's subject must be a non-empty string")
    if not _is_list_of_strings(names) or not _is_list_of_strings(venues):
        raise Unauthenticated(problem="the token's roles and venues must be lists of strings")
    try:
        roles = frozenset(Role(name) for name in names)
    except ValueError as error:
        raise Unauthenticated(problem="the token names an unknown role") from error
    if not roles or not venues:
        raise Unauthenticated(problem="the token carries no roles or no venues")
    return Caller(subject=subject, roles=roles, venues=frozenset(venues))


def _is_list_of_strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def bearer_token(authorization: str | None) -> str:
    """The token of an `authorization: Bearer <token>` header."""
    if not authorization:
        raise Unauthenticated(problem="no authorization metadata")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(problem="authorization must be 'Bearer <token>'")
    return token.strip()
