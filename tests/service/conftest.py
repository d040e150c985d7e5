"""Service tier: the state service on a real grpc.aio server (port 0) over the test database."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.availability.adapters.tables import service_periods, turn_times, venues, zones
from services.state.main import start
from services.state.settings import StateSettings
from shared.auth import Role, mint_token
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc

VENUES = ("venue-a", "venue-b")
SECRET = secrets.token_urlsafe(32)


async def _seed_venues(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        await db.execute(delete(venues).where(venues.c.venue_id.in_(VENUES)))
        for venue_id in VENUES:
            await db.execute(
                insert(venues).values(
                    venue_id=venue_id, name=venue_id, timezone="Europe/London", max_party_size=10
                )
            )
            await db.execute(
                insert(zones).values(zone_id=f"{venue_id}-main", venue_id=venue_id, name="Main")
            )
            await db.execute(
                insert(turn_times),
                [
                    {"venue_id": venue_id, "min_party": 1, "max_party": 4, "minutes": 90},
                    {"venue_id": venue_id, "min_party": 5, "max_party": 10, "minutes": 120},
                ],
            )
            await db.execute(
                insert(service_periods),
                [
                    {
                        "venue_id": venue_id,
                        "weekday": day,
                        "name": "all day",
                        "start_local": time(0, 0),
                        "end_local": time(23, 59),
                    }
                    for day in range(7)
                ],
            )


@pytest.fixture(scope="session")
async def state_address(database_url: str, engine: AsyncEngine) -> AsyncIterator[str]:
    await _seed_venues(engine)
    # redis_url=None: no outbox relay here; the relay's own tests must be the only ones
    # publishing this session's outbox.
    settings = StateSettings(
        database_url=database_url,
        redis_url=None,
        jwt_secret=SECRET,
        host="127.0.0.1",
        grace_period_seconds=2,
    )
    running = await start(settings, port=0)
    yield f"127.0.0.1:{running.port}"
    await running.stop(1)


@pytest.fixture(scope="session")
async def channel(state_address: str) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(state_address) as opened:
        yield opened


@pytest.fixture(scope="session")
def bookings(channel: grpc.aio.Channel) -> state_service_pb2_grpc.BookingServiceStub:
    return state_service_pb2_grpc.BookingServiceStub(channel)


def token(*roles: Role, venues: tuple[str, ...] = ("*",), ttl: int = 600) -> str:
    return mint_token(
        SECRET, subject="tester", roles=list(roles), venues=list(venues), ttl_seconds=ttl,
        issuer="maitred",
    )  # fmt: skip


def auth(*roles: Role, venues: tuple[str, ...] = ("*",), locale: str = "") -> list[tuple[str, str]]:
    metadata = [("authorization", f"Bearer {token(*roles, venues=venues)}")]
    if locale:
        metadata.append(("accept-language", locale))
    return metadata


OPS = auth(Role.OPS)
BACKEND = auth(Role.BACKEND, venues=("venue-a",))
SERVICE = auth(Role.SERVICE)


def evening_in_three_days() -> datetime:
    """19:30 London time, three days from now."""
    day = datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).date() + timedelta(days=3)
    return datetime.combine(day, time(19, 30), ZoneInfo("Europe/London")).astimezone(UTC)


def details_of(error: grpc.aio.AioRpcError) -> dict[str, Any]:
    """The google.rpc details of a failed call, by type name."""
    found: dict[str, Any] = {}
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, "the error carries no google.rpc.Status"
    for packed in status.details:
        for klass in (
            error_details_pb2.ErrorInfo,
            error_details_pb2.BadRequest,
            error_details_pb2.LocalizedMessage,
            error_details_pb2.PreconditionFailure,
        ):
            if packed.Is(klass.DESCRIPTOR):
                message = klass()
                packed.Unpack(message)
                found[klass.DESCRIPTOR.name] = message
    assert isinstance(status, status_pb2.Status)
    return found


@pytest.fixture
def unique() -> Callable[[str], str]:
    def make(prefix: str) -> str:
        return f"{prefix}-{secrets.token_hex(6)}"

    return make
