"""Reads what occupies a venue over a span, with the change version it was read at."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy import ColumnElement, func, literal, or_, select
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


async def read_version(db: AsyncConnection, venue_id: str) -> int:
    """The venue's change version (0 before its first change)."""
    found = await db.scalar(
        select(venue_change_versions.c.version).where(venue_change_versions.c.venue_id == venue_id)
    )
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
    return await _occupancies(db, venue_id, allocations.c.during.op("&&")(span))


async def read_changed_occupancies(
    db: AsyncConnection, venue_id: str, booking_ids: set[str], group_ids: set[str]
) -> tuple[Occupancy, ...]:
    """Live allocation groups, on any day, of the given bookings or groups."""
    if not booking_ids and not group_ids:
        return ()
    return await _occupancies(
        db,
        venue_id,
        or_(
            allocations.c.booking_id.in_([uuid.UUID(b) for b in sorted(booking_ids)]),
            allocations.c.group_id.in_([uuid.UUID(g) for g in sorted(group_ids)]),
        ),
    )


async def _occupancies(
    db: AsyncConnection, venue_id: str, condition: ColumnElement[bool]
) -> tuple[Occupancy, ...]:
    rows = await db.execute(
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
            allocations.c.venue_id == venue_id,
            allocations.c.release_time.is_(None),
            condition,
        )
        .order_by(allocations.c.group_id, allocations.c.table_id)
    )
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
    return await _demand(db, venue_id, bookings.c.start_time < end, bookings.c.end_time > start)


async def read_changed_demand(
    db: AsyncConnection, venue_id: str, booking_ids: set[str]
) -> tuple[Demand, ...]:
    """The given bookings that need tables, on any day."""
    if not booking_ids:
        return ()
    ids = [uuid.UUID(b) for b in sorted(booking_ids)]
    return await _demand(db, venue_id, bookings.c.booking_id.in_(ids))


async def _demand(
    db: AsyncConnection, venue_id: str, *conditions: ColumnElement[bool]
) -> tuple[Demand, ...]:
    rows = await db.execute(
        select(bookings.c.booking_id, bookings.c.party_size, bookings.c.start_time,
               bookings.c.end_time, bookings.c.state)
        .where(
            bookings.c.venue_id == venue_id,
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
    )  # fmt: skip
    return tuple(Demand(str(b), p, s, e, state) for b, p, s, e, state in rows)
