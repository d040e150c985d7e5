"""Reads a venue's window as the optimizer's problem, in one repeatable-read snapshot."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import TSTZRANGE
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.optimizer.adapters.day_assembly import assemble
from services.optimizer.adapters.read_only_tables import (
    allocations,
    bookings,
    dining_tables,
    service_periods,
    table_adjacency,
    venue_change_versions,
    venue_policies,
    venues,
)
from services.optimizer.domain.day import REACH, Period, VenueDay, Window
from shared.db.venue_policy import venue_policy
from shared.seating.combinations import Seat
from shared.seating.planning.model import Table
from shared.seating.planning.states import BookingState

# Bookings that hold tables or wait for them; the rest of the journey's states are left to the
# coordinator, and their allocations count as fixed occupancy.
PLANNED = (
    BookingState.ASSIGNED,
    BookingState.CONFIRMED,
    BookingState.SEATED,
    BookingState.ASSIGNMENT_PENDING,
    BookingState.MANUAL_REVIEW,
)


class DayReader:
    """Reads tables, joins, policies, bookings and allocations of one venue."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def venue(self, venue_id: str) -> tuple[ZoneInfo, list[Period]] | None:
        """The venue's time zone and service periods; None when it does not exist."""
        async with self._engine.connect() as db:
            zone = await db.scalar(select(venues.c.timezone).where(venues.c.venue_id == venue_id))
            if zone is None:
                return None
            return ZoneInfo(zone), await _periods(db, venue_id)

    async def booking(
        self, venue_id: str, booking_id: str
    ) -> tuple[int, datetime, datetime] | None:
        """A booking's party size and time window; None when the venue has no such booking."""
        async with self._engine.connect() as db:
            row = (
                await db.execute(
                    select(bookings.c.party_size, bookings.c.start_time, bookings.c.end_time).where(
                        bookings.c.venue_id == venue_id, bookings.c.booking_id == booking_id
                    )
                )
            ).first()
        return (row.party_size, row.start_time, row.end_time) if row else None

    async def venue_ids(self) -> list[str]:
        async with self._engine.connect() as db:
            return list((await db.execute(select(venues.c.venue_id))).scalars())

    async def read(
        self,
        venue_id: str,
        window: Window,
        now: datetime,
        *,
        move_penalty: int | None = None,
        with_review: bool = True,
    ) -> VenueDay | None:
        """The bookings starting in `window` as a problem at `now`; None for an unknown venue.

        Without `with_review`, bookings in manual review are left out: only ops can seat them.
        """
        async with self._engine.connect() as db:
            db = await db.execution_options(isolation_level="REPEATABLE READ")
            async with db.begin():
                policy = await venue_policy(db, venues, venue_policies, venue_id)
                if policy is None:
                    return None
                tables, seats = await _tables(db, venue_id)
                neighbours = await _neighbours(db, venue_id)
                rows = await _bookings(db, venue_id, window, with_review)
                taken = await _allocations(db, venue_id, window, now)
                version = await db.scalar(
                    select(venue_change_versions.c.version).where(
                        venue_change_versions.c.venue_id == venue_id
                    )
                )
                periods = await _periods(db, venue_id)
        return assemble(
            dict(policy),
            tables,
            seats,
            neighbours,
            rows,
            taken,
            now,
            move_penalty,
            int(version or 0),
            periods,
        )


async def _tables(db: AsyncConnection, venue_id: str) -> tuple[dict[str, Table], list[Seat]]:
    rows = await db.execute(
        select(dining_tables)
        .where(dining_tables.c.venue_id == venue_id, dining_tables.c.active)
        .order_by(dining_tables.c.table_id)
    )
    tables, seats = {}, []
    for r in rows:
        tables[r.table_id] = Table(r.table_id, r.zone_id, r.min_seats, r.max_seats)
        seats.append(Seat(r.table_id, r.zone_id, r.min_seats, r.max_seats, r.combinable))
    return tables, seats


async def _neighbours(db: AsyncConnection, venue_id: str) -> dict[str, set[str]]:
    rows = await db.execute(
        select(table_adjacency.c.table_a, table_adjacency.c.table_b).where(
            table_adjacency.c.venue_id == venue_id
        )
    )
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in rows:
        neighbours[a].add(b)
        neighbours[b].add(a)
    return neighbours


async def _bookings(
    db: AsyncConnection, venue_id: str, window: Window, with_review: bool
) -> list[Any]:
    review = BookingState.MANUAL_REVIEW
    states = PLANNED if with_review else tuple(s for s in PLANNED if s != review)
    rows = await db.execute(
        select(
            bookings.c.booking_id,
            bookings.c.party_size,
            bookings.c.start_time,
            bookings.c.end_time,
            bookings.c.state,
            bookings.c.pinned,
            bookings.c.preferred_zone_id,
            bookings.c.version,
        )
        .where(
            bookings.c.venue_id == venue_id,
            bookings.c.state.in_(states),
            bookings.c.start_time >= window.start,
            bookings.c.start_time < window.end,
        )
        .order_by(bookings.c.start_time, bookings.c.booking_id)
    )
    return list(rows)


async def _allocations(
    db: AsyncConnection, venue_id: str, window: Window, now: datetime
) -> list[Any]:
    """Every allocation in force that may overlap a booking of the window."""
    span = func.tstzrange(literal(window.start), literal(window.end + REACH), "[)", type_=TSTZRANGE)
    rows = await db.execute(
        select(
            allocations.c.booking_id,
            allocations.c.kind,
            allocations.c.table_id,
            func.lower(allocations.c.during).label("lower"),
            func.upper(allocations.c.during).label("upper"),
        ).where(
            allocations.c.venue_id == venue_id,
            allocations.c.release_time.is_(None),
            allocations.c.during.op("&&")(span),
            (allocations.c.kind != "HOLD") | (allocations.c.expire_time > now),
        )
    )
    return list(rows)


async def _periods(db: AsyncConnection, venue_id: str) -> list[Period]:
    rows = await db.execute(select(service_periods).where(service_periods.c.venue_id == venue_id))
    return [Period(r.name, r.weekday, r.start_local, r.end_local) for r in rows]
