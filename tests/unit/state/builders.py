"""Builders of domain objects for the state service's unit tests."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from services.state.domain.model import Booking
from services.state.domain.states import BookingState
from services.state.domain.validation import NewBooking, ServicePeriod, TurnTime, VenueRules
from shared.auth import Caller, Role

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# A Friday evening in London, well inside the dinner service below.
FRIDAY_1930 = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)

OPS = Caller("ops-user", frozenset({Role.OPS}), frozenset({"*"}))
BACKEND = Caller("booking-site", frozenset({Role.BACKEND}), frozenset({"venue-a"}))
SERVICE = Caller("assigner", frozenset({Role.SERVICE}), frozenset({"*"}))


def venue_rules(venue_id: str = "venue-a") -> VenueRules:
    return VenueRules(
        venue_id=venue_id,
        timezone=ZoneInfo("Europe/London"),
        max_party_size=12,
        zone_ids=frozenset({"main", "terrace"}),
        service_periods=tuple(ServicePeriod(day, time(17, 30), time(23, 0)) for day in range(7)),
        turn_times=(TurnTime(1, 2, 90), TurnTime(3, 4, 105), TurnTime(5, 12, 150)),
    )


def new_booking(**changes: object) -> NewBooking:
    base = NewBooking(
        request_id="req-1",
        venue_id="venue-a",
        party_size=4,
        start_time=FRIDAY_1930,
        guest_reference="guest-42",
        notes="window please",
        preferred_zone_id="main",
        pinned=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def booking(
    state: BookingState = BookingState.CREATED, version: int = 1, **changes: object
) -> Booking:
    base = Booking(
        booking_id=UUID(int=7),
        venue_id="venue-a",
        party_size=4,
        start_time=FRIDAY_1930,
        end_time=FRIDAY_1930 + timedelta(minutes=105),
        state=state,
        version=version,
        guest_reference="",
        notes="",
        preferred_zone_id=None,
        pinned=False,
        table_ids=(),
        state_reason="",
        request_id="req-1",
        create_time=NOW,
        update_time=NOW,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def fresh_id() -> UUID:
    return uuid4()
