"""A token verified once is not verified again until it expires; its verdict never changes."""

from __future__ import annotations

import time

import pytest

from shared import auth
from shared.auth import Role, mint_token, verify_token
from shared.domain_errors import Unauthenticated

SECRET = "a-secret-of-at-least-thirty-two-bytes!!"


def _token(ttl_seconds: int, *, now: float | None = None) -> str:
    return mint_token(SECRET, subject="svc", roles=[Role.SERVICE], venues=["*"],
                      ttl_seconds=ttl_seconds, issuer="maitred", now=now)  # fmt: skip


def test_a_cached_token_is_verified_again_once_it_expired(monkeypatch):
    token = _token(60)
    assert verify_token(token, SECRET, issuer="maitred").subject == "svc"
    later = time.time() + 120
    monkeypatch.setattr(auth.time, "time", lambda: later)

    def expired(*_: object) -> None:
        raise Unauthenticated(problem="the token has expired")

    monkeypatch.setattr(auth, "_verify", expired)  # PyJWT reads its own clock, not ours
    with pytest.raises(Unauthenticated, match="expired"):
        verify_token(token, SECRET, issuer="maitred")


def test_a_cached_token_is_not_taken_with_another_secret_or_issuer():
    token = _token(60)
    verify_token(token, SECRET, issuer="maitred")
    with pytest.raises(Unauthenticated, match="signature"):
        verify_token(token, SECRET + "-rotated", issuer="maitred")
    with pytest.raises(Unauthenticated, match="issuer"):
        verify_token(token, SECRET, issuer="someone-else")


def test_the_second_verification_does_not_decode_again(monkeypatch):
    token = _token(60)
    first = verify_token(token, SECRET, issuer="maitred")
    monkeypatch.setattr(auth, "_verify", lambda *_: pytest.fail("decoded again"))
    assert verify_token(token, SECRET, issuer="maitred") is first
