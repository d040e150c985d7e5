"""Tokens for the fuzz: valid ones of each role and venue scope, and every kind of bad one."""

from __future__ import annotations

import random
import time
import warnings
from dataclasses import dataclass
from typing import Any

import jwt

from services.availability.adapters.demo_venue import DEMO_VENUE_ID
from shared.auth import AUDIENCE, Role

OTHER_VENUE = "fuzz-other-venue"


@dataclass(frozen=True)
class Credentials:
    """The authorization metadata of one call, and what it should let through."""

    label: str  # printed on failure: "ops@demo-bistro", "expired", "roles=5", ...
    authorization: str | None  # the metadata value; None sends no authorization at all
    valid: bool  # a verifiable token: its roles and venues decide
    venues: tuple[str, ...] = ()

    def covers(self, venue_id: str) -> bool:
        return self.valid and ("*" in self.venues or venue_id in self.venues)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "fuzzer", "roles": ["ops"], "venues": [DEMO_VENUE_ID], "iss": "maitred",
        "aud": AUDIENCE, "iat": now, "exp": now + 3600,
    }  # fmt: skip
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not _DROP}


_DROP = object()


def _signed(secret: str, **overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), secret, algorithm="HS256")


def bad_credentials(secret: str) -> list[Credentials]:
    """Every kind of token the services must refuse with UNAUTHENTICATED."""
    now = int(time.time())
    wrong_claims: dict[str, dict[str, Any]] = {
        "roles=5": {"roles": 5}, "roles='ops'": {"roles": "ops"}, "roles=[5]": {"roles": [5]},
        "roles=[null]": {"roles": [None]}, "roles=[]": {"roles": []},
        "roles={}": {"roles": {"ops": True}}, "roles=[[ops]]": {"roles": [["ops"]]},
        "roles=[root]": {"roles": ["root"]}, "venues=5": {"venues": 5},
        "venues='x'": {"venues": DEMO_VENUE_ID}, "venues=[]": {"venues": []},
        "venues=[{}]": {"venues": [{}]}, "venues=null": {"venues": None},
        "sub=5": {"sub": 5}, "sub=[]": {"sub": []}, "no sub": {"sub": _DROP},
        "exp='soon'": {"exp": "soon"}, "no exp": {"exp": _DROP}, "iat='x'": {"iat": "x"},
        "expired": {"exp": now - 60, "iat": now - 3660}, "not yet valid": {"nbf": now + 3600},
        "wrong issuer": {"iss": "someone-else"}, "wrong audience": {"aud": "other"},
        "no roles claim": {"roles": _DROP}, "no venues claim": {"venues": _DROP},
    }  # fmt: skip
    bad = [
        Credentials(label, f"Bearer {_signed(secret, **claims)}", valid=False)
        for label, claims in wrong_claims.items()
    ]
    unsigned = jwt.encode(_claims(), key=None, algorithm="none")
    with warnings.catch_warnings():  # the right secret, the wrong algorithm: its key is short
        warnings.simplefilter("ignore")
        hs512 = jwt.encode(_claims(), secret, algorithm="HS512")
    return [
        *bad,
        Credentials("no token", None, valid=False),
        Credentials("empty header", "", valid=False),
        Credentials("Bearer only", "Bearer", valid=False),
        Credentials("Basic scheme", "Basic dXNlcjpwYXNz", valid=False),
        Credentials("not a jwt", "Bearer not.a.jwt", valid=False),
        Credentials("garbage", "Bearer " + "A" * 5000, valid=False),
        Credentials("alg none", f"Bearer {unsigned}", valid=False),
        Credentials("wrong key", f"Bearer {_signed('x' * 40)}", valid=False),
        Credentials("HS512", f"Bearer {hs512}", valid=False),
    ]


def good_credentials(secret: str) -> list[Credentials]:
    """A valid token per role (and two together): for the demo venue, for all, for another."""
    role_sets = [[Role.SERVICE], [Role.BACKEND], [Role.OPS], [Role.BACKEND, Role.OPS]]
    scopes = [(DEMO_VENUE_ID,), ("*",), (OTHER_VENUE,)]
    found = []
    for roles in role_sets:
        for venues in scopes:
            token = _signed(secret, roles=[str(r) for r in roles], venues=list(venues))
            label = f"{'+'.join(str(r) for r in roles)}@{','.join(venues)}"
            found.append(Credentials(label, f"Bearer {token}", valid=True, venues=venues))
    return found


def pick_credentials(
    rng: random.Random, good: list[Credentials], bad: list[Credentials]
) -> Credentials:
    """A bad token one call in five, another venue's one in ten; else one for the demo venue."""
    roll = rng.random()
    if roll < 0.2:
        return rng.choice(bad)
    elsewhere = [c for c in good if OTHER_VENUE in c.venues]
    return rng.choice(elsewhere if roll < 0.3 else [c for c in good if c not in elsewhere])
