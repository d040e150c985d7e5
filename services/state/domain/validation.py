"""Validation of new bookings and transition requests against a venue's rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo

from shared.domain_errors import FieldViolation, InvalidArgument

MAX_ID = 64
MAX_GUEST_REFERENCE = 128
MAX_TEXT = 500
MAX_ADVANCE_STEPS = 8  # the automated path has seven moves at most
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


@dataclass(frozen=True)
class ServicePeriod:
    """Bookings may start on `weekday` (0 = Monday) from start_local to end_local, both included."""

    weekday: int
    start_local: time
    end_local: time


@dataclass(frozen=True)
class TurnTime:
    """How long a party of min_party..max_party keeps its tables."""

    min_party: int
    max_party: int
    minutes: int


@dataclass(frozen=True)
class VenueRules:
    """What the state service needs to know of a venue to accept a booking."""

    venue_id: str
    timezone: tzinfo
    max_party_size: int
    zone_ids: frozenset[str]
    service_periods: tuple[ServicePeriod, ...]
    turn_times: tuple[TurnTime, ...]

    def turn_time(self, party_size: int) -> timedelta | None:
        for band in self.turn_times:
            if band.min_party <= party_size <= band.max_party:
                return timedelta(minutes=band.minutes)
        return None

    def is_open_at(self, instant: datetime) -> bool:
        local = instant.astimezone(self.timezone)
        return any(
            period.weekday == local.weekday()
            and period.start_local <= local.time().replace(tzinfo=None) <= period.end_local
            for period in self.service_periods
        )


@dataclass(frozen=True)
class NewBooking:
    """A create request, as the domain sees it."""

    request_id: str
    venue_id: str
    party_size: int
    start_time: datetime | None
    guest_reference: str
    notes: str
    preferred_zone_id: str | None
    pinned: bool


def _length(violations: list[FieldViolation], name: str, value: str, maximum: int) -> None:
    if len(value) > maximum:
        violations.append(FieldViolation(name, "field.too_long", {"max": maximum}))


def validate_new_booking(new: NewBooking, rules: VenueRules | None, *, now: datetime) -> datetime:
    """The booking's end time; raises InvalidArgument listing every invalid field."""
    violations: list[FieldViolation] = []
    if not new.request_id:
        violations.append(FieldViolation("request_id", "field.required"))
    elif not REQUEST_ID.match(new.request_id):
        violations.append(
            FieldViolation("request_id", "field.bad_format", {"format": "1-64 of [A-Za-z0-9._:-]"})
        )
    if not new.venue_id:
        violations.append(FieldViolation("venue_id", "field.required"))
    elif rules is None:
        violations.append(FieldViolation("venue_id", "field.unknown_venue"))
    _length(violations, "booking.guest_reference", new.guest_reference, MAX_GUEST_REFERENCE)
    _length(violations, "booking.notes", new.notes, MAX_TEXT)
    maximum = rules.max_party_size if rules else 100
    if not 1 <= new.party_size <= maximum:
        violations.append(
            FieldViolation("booking.party_size", "field.out_of_range", {"min": 1, "max": maximum})
        )
    if new.start_time is None:
        violations.append(FieldViolation("booking.start_time", "field.required"))
    elif new.start_time <= now:
        violations.append(FieldViolation("booking.start_time", "field.in_past"))
    elif rules is not None and not rules.is_open_at(new.start_time):
        violations.append(FieldViolation("booking.start_time", "field.outside_service_period"))
    turn = rules.turn_time(new.party_size) if rules else None
    if rules is not None and 1 <= new.party_size <= maximum and turn is None:
        violations.append(
            FieldViolation(
                "booking.party_size", "field.no_turn_time", {"party_size": new.party_size}
            )
        )
    if new.preferred_zone_id is not None:
        if len(new.preferred_zone_id) > MAX_ID:
            _length(violations, "booking.preferred_zone_id", new.preferred_zone_id, MAX_ID)
        elif rules is not None and new.preferred_zone_id not in rules.zone_ids:
            violations.append(FieldViolation("booking.preferred_zone_id", "field.unknown_zone"))
    if violations:
        raise InvalidArgument(violations)
    assert new.start_time is not None and turn is not None
    return new.start_time + turn


def validate_move_request(
    *, venue_id: str, booking_id: str, reason: str, table_ids: tuple[str, ...]
) -> None:
    """Checks the fields every transition request shares."""
    violations = _move_violations(venue_id, booking_id, reason, table_ids)
    if violations:
        raise InvalidArgument(violations)


def validate_table_change_request(
    *, venue_id: str, booking_id: str, reason: str, table_ids: tuple[str, ...]
) -> None:
    """Checks a table change: the shared fields, and at least one table, each named once."""
    violations = _move_violations(venue_id, booking_id, reason, table_ids)
    if not table_ids:
        violations.append(FieldViolation("table_ids", "field.required"))
    seen: set[str] = set()
    for index, table_id in enumerate(table_ids):
        if table_id and table_id in seen:
            violations.append(FieldViolation(f"table_ids[{index}]", "field.duplicate"))
        seen.add(table_id)
    if violations:
        raise InvalidArgument(violations)


def validate_advance_request(
    *, venue_id: str, booking_id: str, steps: list[tuple[int, str, tuple[str, ...]]]
) -> None:
    """Checks an advance: the shared fields, and one to eight steps, each well formed.

    `steps` holds each step's target state (its proto number), reason and tables.
    """
    violations = _move_violations(venue_id, booking_id, "", ())
    if not steps:
        violations.append(FieldViolation("steps", "field.required"))
    if len(steps) > MAX_ADVANCE_STEPS:
        violations.append(FieldViolation("steps", "field.too_large", {"max": MAX_ADVANCE_STEPS}))
    for index, (target, reason, table_ids) in enumerate(steps):
        if not target:
            violations.append(FieldViolation(f"steps[{index}].target_state", "field.required"))
        for found in _move_violations("v", "b", reason, table_ids):
            violations.append(replace(found, field=f"steps[{index}].{found.field}"))
    if violations:
        raise InvalidArgument(violations)


def _move_violations(
    venue_id: str, booking_id: str, reason: str, table_ids: tuple[str, ...]
) -> list[FieldViolation]:
    violations: list[FieldViolation] = []
    if not venue_id:
        violations.append(FieldViolation("venue_id", "field.required"))
    _length(violations, "venue_id", venue_id, MAX_ID)
    if not booking_id:
        violations.append(FieldViolation("booking_id", "field.required"))
    _length(violations, "reason", reason, MAX_TEXT)
    for index, table_id in enumerate(table_ids):
        if not table_id or len(table_id) > MAX_ID:
            violations.append(
                FieldViolation(f"table_ids[{index}]", "field.bad_format", {"format": "1-64 chars"})
            )
    return violations
