"""Checks of the assigner's request fields, each failure naming its field (INVALID_ARGUMENT)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from services.assigner.domain.moves import MoveOrder
from services.assigner.domain.plans import TableInfo
from shared.domain_errors import FieldViolation, InvalidArgument

MAX_PARTY = 100
MAX_TTL = timedelta(minutes=30)
MAX_WINDOW_HOURS = 24  # a party's window (quotes, holds); listings may span more
MAX_REASON = 500
MAX_REQUEST_ID = 64


def fail(field: str, key: str, **params: object) -> InvalidArgument:
    return InvalidArgument([FieldViolation(field, key, params)])


def venue_id_of(venue_id: str) -> str:
    if not venue_id:
        raise fail("venue_id", "field.required")
    return venue_id


def uuid_of(text: str, field: str) -> UUID:
    """The UUID in a required field."""
    if not text:
        raise fail(field, "field.required")
    try:
        return UUID(text)
    except ValueError as error:
        raise fail(field, "field.bad_format", format="a UUID") from error


def optional_uuid(text: str, field: str) -> UUID | None:
    return uuid_of(text, field) if text else None


def party_size_of(size: int, field: str = "party_size") -> int:
    if not 1 <= size <= MAX_PARTY:
        raise fail(field, "field.out_of_range", min=1, max=MAX_PARTY)
    return size


def check_window(start: datetime, end: datetime, field: str, *, capped: bool = True) -> None:
    """A non-empty window; at most MAX_WINDOW_HOURS long when `capped`."""
    if capped and not timedelta(0) < end - start <= timedelta(hours=MAX_WINDOW_HOURS):
        raise fail(field, "field.bad_window", hours=MAX_WINDOW_HOURS)
    if start >= end:
        raise fail(field, "field.empty_window")


def ttl_of(ttl: timedelta | None, venue_ttl: timedelta) -> timedelta:
    """The hold lifetime to use: the venue's when unset, and never longer than the venue's."""
    if ttl is None:
        return venue_ttl
    return min(ttl, venue_ttl)


def check_ttl(ttl: timedelta | None, field: str = "ttl") -> None:
    if ttl is not None and not timedelta(0) < ttl <= MAX_TTL:
        raise fail(field, "field.out_of_range", min="1 second", max="30 minutes")


def reason_of(reason: str) -> str:
    if not reason.strip():
        raise fail("reason", "field.required")
    if len(reason) > MAX_REASON:
        raise fail("reason", "field.too_long", max=MAX_REASON)
    return reason


def check_request_id(request_id: str) -> None:
    if len(request_id) > MAX_REQUEST_ID:
        raise fail("request_id", "field.too_long", max=MAX_REQUEST_ID)


def table_ids_of(table_ids: Sequence[str], *, required: bool) -> tuple[str, ...]:
    """The named tables, each named once; INVALID_ARGUMENT naming `table_ids[i]` otherwise."""
    if required and not table_ids:
        raise fail("table_ids", "field.required")
    violations = []
    seen: set[str] = set()
    for index, table_id in enumerate(table_ids):
        if not table_id:
            violations.append(FieldViolation(f"table_ids[{index}]", "field.required"))
        elif table_id in seen:
            violations.append(FieldViolation(f"table_ids[{index}]", "field.duplicate"))
        seen.add(table_id)
    if violations:
        raise InvalidArgument(violations)
    return tuple(table_ids)


def check_tables_fit(
    table_ids: Sequence[str],
    active: Mapping[str, TableInfo],
    party_size: int | None,
    covers: Callable[[Sequence[str]], int],
) -> None:
    """Every table is an active table of the venue and, together, they seat the party:
    `covers` says how many the set seats as the venue defines it (its candidate for the set,
    or the combination rule's seats for a set ops join by hand)."""
    violations = [
        FieldViolation(f"table_ids[{index}]", "field.no_active_table")
        for index, table_id in enumerate(table_ids)
        if table_id not in active
    ]
    if violations:
        raise InvalidArgument(violations)
    seats = covers(table_ids)
    if party_size is not None and seats < party_size:
        raise fail("table_ids", "field.too_few_seats", seats=seats, party_size=party_size)


def version_of(version: int) -> int:
    """The booking version a write expects; versions start at 1, so 0 means it was not sent."""
    if version < 1:
        raise fail("expected_version", "field.required")
    return version


def plan_limit(requested: int, *, default: int = 5, maximum: int = 20) -> int:
    if requested < 0:
        raise fail("max_plans", "field.out_of_range", min=0, max=maximum)
    return min(requested or default, maximum)


def request_id_of(request_id: str) -> str:
    """A required request id of 1 to MAX_REQUEST_ID characters."""
    if not request_id:
        raise fail("request_id", "field.required")
    check_request_id(request_id)
    return request_id


def within(path: str, check: Callable[..., Any], *args: Any, **kwargs: Any) -> list[FieldViolation]:
    """The violations of `check`, their fields under `path` (e.g. `moves[2].table_ids[0]`)."""
    try:
        check(*args, **kwargs)
    except InvalidArgument as bad:
        return [FieldViolation(f"{path}.{v.field}", v.key, v.params) for v in bad.violations]
    return []


def move_orders_of(moves: Sequence[tuple[str, int, Sequence[str]]]) -> tuple[MoveOrder, ...]:
    """The (booking id, expected version, tables) of each move, each booking once; otherwise
    INVALID_ARGUMENT naming every bad `moves[i]` field."""
    if not moves:
        raise fail("moves", "field.required")
    violations: list[FieldViolation] = []
    orders: list[MoveOrder] = []
    seen: set[str] = set()
    for index, (booking_id, version, table_ids) in enumerate(moves):
        path = f"moves[{index}]"
        found = within(path, uuid_of, booking_id, "booking_id")
        if not found:
            if str(UUID(booking_id)) in seen:
                found = [FieldViolation(f"{path}.booking_id", "field.duplicate")]
            seen.add(str(UUID(booking_id)))
        found += within(path, version_of, version)
        found += within(path, table_ids_of, table_ids, required=True)
        violations += found
        if not found:
            orders.append(MoveOrder(UUID(booking_id), version, tuple(table_ids)))
    if violations:
        raise InvalidArgument(violations)
    return tuple(orders)


def check_moves_fit(
    orders: Sequence[MoveOrder],
    active: Mapping[str, TableInfo],
    parties: Mapping[UUID, int],
    covers: Callable[[Sequence[str]], int],
) -> None:
    """Every move names active tables that seat its party (when the booking is known)."""
    violations: list[FieldViolation] = []
    for index, order in enumerate(orders):
        party = parties.get(order.booking_id)
        violations += within(
            f"moves[{index}]", check_tables_fit, order.table_ids, active, party, covers
        )
    if violations:
        raise InvalidArgument(violations)
