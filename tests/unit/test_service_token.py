"""A service's own token: minted with the service role for all venues, renewed before expiry."""

from __future__ import annotations

import time

import jwt

from shared.auth import Role, verify_token
from shared.service_token import ServiceToken

SECRET = "s" * 40


def token_of(metadata: list[tuple[str, str]]) -> str:
    (name, value), *_ = metadata
    assert name == "authorization"
    return value.removeprefix("Bearer ")


def test_the_token_names_the_service_and_is_renewed_shortly_before_it_expires():
    clock = [time.time()]
    token = ServiceToken(SECRET, issuer="maitred", subject="availability", clock=lambda: clock[0])
    first = token.metadata()
    caller = verify_token(token_of(first), SECRET, issuer="maitred")
    assert (caller.subject, caller.roles, caller.venues) == (
        "availability", frozenset({Role.SERVICE}), frozenset({"*"}),
    )  # fmt: skip
    clock[0] += 200  # 100 s left of 300: still good to send
    assert token.metadata() == first
    clock[0] += 41  # 59 s left: too close to expiry
    renewed = jwt.decode(token_of(token.metadata()), options={"verify_signature": False})
    assert renewed["exp"] == int(clock[0]) + 300
