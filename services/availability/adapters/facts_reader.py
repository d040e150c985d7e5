"""Reads what occupies a venue over a span, with the change version it was read at."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, literal, or_, select
from sqlalchemy.dialects.postgresql import TSTZRANGE
from sqlalchemy.ext.asyncio import AsyncConnection

from services.availability.adapters.read_only_tables import allocations, bookings
from services.availability.adapters.tables import venue_change_versions
from services.availability.domain.occupancy import Demand, Kind, Occupancy

WAITING_STATES = (
    "CAPACITY_VERIFIED",
    "ASSIGNMENT_PENDING",
    "ASSIGNMENT_IN_PROGRESS",
    "MANUAL_REVIEW",
)


# The statements of every catch-up, built once: building one costs more than its cached SQL.
VERSION = select(venue_change_versions.c.version).where(
    venue_change_versions.c.venue_id == bindparam("venue_id")
)
CHANGED_GROUPS = or_(
    allocations.c.booking_id.in_(bindparam("booking_ids", expanding=True)),
    allocations.c.group_id.in_(bindparam("group_ids", expanding=True)),
)
CHANGED_BOOKINGS = bookings.c.booking_id.in_(bindparam("booking_ids", expanding=True))


async def read_version(db: AsyncConnection, venue_id: str) -> int:
    """The venue's change version (0 before its first change)."""
    found = await db.scalar(VERSION, {"venue_id": venue_id})
    return int(found or 0)


def _kind(allocation_kind: str, booking_state: str | None) -> Kind:
    if allocation_kind == "HOLD":
        return Kind.HOLD
    if booking_state == "SEATED":
        return Kind.SEATED
    if booking_state == "CONFIRMED":
        return Kind.CONFIRMED
    return Kind.ASSIGNED


async def read_occupancies(
    db: AsyncConnection, venue_id: str, start: datetime, end: datetime
) -> tuple[Occupancy, ...]:
    """Live allocations overlapping [start, end), one per allocation group."""
    span = func.tstzrange(literal(start), literal(end), "[)", type_=TSTZRANGE)
    overlapping = _occupancies_where(allocations.c.during.op("&&")(span))
    return await _occupancies(db, overlapping, {"venue_id": venue_id})


async def read_changed_occupancies(
    db: AsyncConnection, venue_id: str, booking_ids: set[str], group_ids: set[str]
) -> tuple[Occupancy, ...]:
    """Live allocation groups, on any day, of the given bookings or groups."""
    if not booking_ids and not group_ids:
        return ()
    values: dict[str, object] = {
        "venue_id": venue_id,
        "booking_ids": [uuid.UUID(b) for b in sorted(booking_ids)],
        "group_ids": [uuid.UUID(g) for g in sorted(group_ids)],
    }
    return await _occupancies(db, CHANGED_OCCUPANCIES, values)


def _occupancies_where(condition: ColumnElement[bool]) -> Select[Any]:
    """Live allocations of the venue (`venue_id`) that meet `condition`, by group and table."""
    return (
        select(
            allocations.c.group_id,
            allocations.c.kind,
            allocations.c.table_id,
            func.lower(allocations.c.during).label("start"),
            func.upper(allocations.c.during).label("end"),
            allocations.c.booking_id,
            allocations.c.expire_time,
            bookings.c.state,
            bookings.c.party_size,
            bookings.c.pinned,
            bookings.c.preferred_zone_id,
        )
        .select_from(
            allocations.outerjoin(bookings, bookings.c.booking_id == allocations.c.booking_id)
        )
        .where(
            allocations.c.venue_id == bindparam("venue_id"),
            allocations.c.release_time.is_(None),
            condition,
        )
        .order_by(allocations.c.group_id, allocations.c.table_id)
    )


CHANGED_OCCUPANCIES = _occupancies_where(CHANGED_GROUPS)


async def _occupancies(
    db: AsyncConnection, statement: Select[Any], values: dict[str, object]
) -> tuple[Occupancy, ...]:
    rows = await db.execute(statement, values)
    groups: dict[str, Occupancy] = {}
    for row in rows:
        key = str(row.group_id)
        if key in groups:
            known = groups[key]
            groups[key] = replace(known, table_ids=(*known.table_ids, row.table_id))
            continue
        groups[key] = Occupancy(
            allocation_id=key,
            kind=_kind(row.kind, row.state),
            table_ids=(row.table_id,),
            start=row.start,
            end=row.end,
            booking_id=str(row.booking_id) if row.booking_id else None,
            party_size=row.party_size or 0,
            expire_time=row.expire_time,
            booking_state=row.state,
            pinned=bool(row.pinned),
            preferred_zone_id=row.preferred_zone_id,
        )
    return tuple(groups.values())


async def read_demand(
    db: AsyncConnection, venue_id: str, start: datetime, end: datetime
) -> tuple[Demand, ...]:
    """Bookings that need tables and overlap [start, end)."""
    overlapping = _demand_where(bookings.c.start_time < end, bookings.c.end_time > start)
    return await _demand(db, overlapping, {"venue_id": venue_id})


async def read_changed_demand(
    db: AsyncConnection, venue_id: str, booking_ids: set[str]
) -> tuple[Demand, ...]:
    """The given bookings that need tables, on any day."""
    if not booking_ids:
        return ()
    ids = [uuid.UUID(b) for b in sorted(booking_ids)]
    return await _demand(db, CHANGED_DEMAND, {"venue_id": venue_id, "booking_ids": ids})


def _demand_where(*conditions: ColumnElement[bool]) -> Select[Any]:
    """Bookings of the venue (`venue_id`) that still need tables and meet `conditions`."""
    return (
        select(
            bookings.c.booking_id,
            bookings.c.party_size,
            bookings.c.start_time,
            bookings.c.end_time,
            bookings.c.state,
        )
        .where(
            bookings.c.venue_id == bindparam("venue_id"),
            bookings.c.state.in_(WAITING_STATES),
            *conditions,
            # A booking whose tables are already written counts once, as an occupancy.
            ~select(allocations.c.allocation_id)
            .where(
                allocations.c.booking_id == bookings.c.booking_id,
                allocations.c.release_time.is_(None),
            )
            .exists(),
        )
        .order_by(bookings.c.start_time, bookings.c.booking_id)
    )


CHANGED_DEMAND = _demand_where(CHANGED_BOOKINGS)


async def _demand(
    db: AsyncConnection, statement: Select[Any], values: dict[str, object]
) -> tuple[Demand, ...]:
    rows = await db.execute(statement, values)
    return tuple(Demand(str(b), p, s, e, state) for b, p, s, e, state in rows)
