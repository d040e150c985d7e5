"""Tokens: a correctly signed token whose claims have the wrong shape is refused, never a crash."""

from __future__ import annotations

import time

import jwt
import pytest

from shared.auth import AUDIENCE, Role, verify_token
from shared.domain_errors import Unauthenticated

SECRET = "s" * 40


def signed(**claims: object) -> str:
    now = int(time.time())
    base: dict[str, object] = {
        "sub": "someone",
        "roles": ["ops"],
        "venues": ["venue-a"],
        "iss": "maitred",
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 60,
    }
    base.update(claims)
    return jwt.encode(base, SECRET, algorithm="HS256")


def test_a_well_formed_token_names_its_caller():
    caller = verify_token(signed(), SECRET, issuer="maitred")
    assert (caller.subject, caller.roles, caller.venues) == (
        "someone", frozenset({Role.OPS}), frozenset({"venue-a"}),
    )  # fmt: skip


@pytest.mark.parametrize(
    "claims",
    [
        {"roles": 5},
        {"roles": "ops"},
        {"roles": [5]},
        {"roles": [["ops"]]},
        {"roles": {"ops": True}},
        {"roles": None},
        {"roles": []},
        {"roles": ["chef"]},
        {"venues": "x"},
        {"venues": 7},
        {"venues": [1, 2]},
        {"venues": [{"id": "venue-a"}]},
        {"venues": []},
        {"venues": None},
    ],
)
def test_a_signed_token_whose_roles_or_venues_have_the_wrong_type_is_unauthenticated(claims):
    with pytest.raises(Unauthenticated):
        verify_token(signed(**claims), SECRET, issuer="maitred")


def test_a_token_that_does_not_verify_names_no_library_class():
    with pytest.raises(Unauthenticated) as raised:
        verify_token(signed(), "t" * 40, issuer="maitred")
    assert "Error" not in str(raised.value.params["problem"])
