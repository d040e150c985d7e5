"""Unit tests of the state-service client's own token: minted once, re-minted before expiry."""

from __future__ import annotations

import time

import grpc
import jwt

from services.availability.adapters.state_client import GrpcBookingStates
from shared.auth import Role, verify_token

SECRET = "s" * 40


def token_of(metadata: list[tuple[str, str]]) -> str:
    (name, value), *_ = metadata
    assert name == "authorization"
    return value.removeprefix("Bearer ")


async def test_the_client_calls_as_the_availability_service_and_renews_its_token_before_expiry():
    clock = [time.time()]
    channel = grpc.aio.insecure_channel("127.0.0.1:9")
    client = GrpcBookingStates(channel, secret=SECRET, issuer="maitred", clock=lambda: clock[0])
    first = client.call_metadata()
    caller = verify_token(token_of(first), SECRET, issuer="maitred")
    assert (caller.subject, caller.roles, caller.venues) == (
        "availability", frozenset({Role.SERVICE}), frozenset({"*"}),
    )  # fmt: skip
    clock[0] += 200  # 100 s left of 300: still good to send
    assert client.call_metadata() == first
    clock[0] += 41  # 59 s left: too close to expiry
    renewed = jwt.decode(token_of(client.call_metadata()), options={"verify_signature": False})
    assert renewed["exp"] == int(clock[0]) + 300
    await channel.close()
