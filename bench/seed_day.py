"""Writes a generated floor, its policy and a generated day into PostgreSQL (SQLAlchemy Core).

`plan_day` is pure: it seats the day's bookings by a first-fit over single tables, then
adjacent pairs, that never overlaps two blocks of one table (the database's exclusion
constraint would refuse them), and places a few live holds. `seed_floor` and `seed_day`
write the floor and the plan in bulk, one transaction each.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.day_generator import (
    BUFFER_MINUTES,
    MAX_PARTY_SIZE,
    SERVICES,
    SLOT_MINUTES,
    TURN_BANDS,
    WAITING_STATES,
    GeneratedBooking,
    GeneratedFloor,
    turn_minutes,
)
from services.assigner.adapters.tables import allocations
from services.availability.adapters.tables import (
    dining_tables,
    service_periods,
    table_adjacency,
    turn_times,
    venue_policies,
    venues,
    zones,
)
from services.state.adapters.tables import bookings

IDS = uuid.UUID("6d0c6f7e-7b4e-4c51-9d35-3f0f1d1f6a10")  # namespace of the seeded ids
# The Ops UI's display status of each state the seeder writes (services/state/domain/states.py).
DISPLAY = {
    "CONFIRMED": "CONFIRMED",
    "ASSIGNED": "PENDING_ALLOCATION",
    "ASSIGNMENT_PENDING": "PENDING_ALLOCATION",
    "MANUAL_REVIEW": "PENDING_ALLOCATION",
    "REJECTED": "CANCELLED",
}
OVERFLOW_STATES = ("MANUAL_REVIEW", "REJECTED")
NO_FIT = "no free single table or adjacent pair at seeding (first-fit)"
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class PlannedBooking:
    """A booking as it will be written: its final state and its (local) tables."""

    booking: GeneratedBooking
    state: str
    table_ids: tuple[str, ...]  # the tables it holds, or (waiting) the ones kept free for it
    reason: str = ""

    @property
    def allocated(self) -> bool:
        """Whether it is written with an assignment (else it is waiting, or rejected)."""
        return bool(self.table_ids) and self.state not in WAITING_STATES


@dataclass(frozen=True)
class PlannedHold:
    """A live hold on one table over [start, end), lapsing at expire_time."""

    key: str
    table_id: str
    start: datetime
    end: datetime
    expire_time: datetime


@dataclass(frozen=True)
class DayPlan:
    """The day's bookings with their tables, the holds, and every table's blocked spans."""

    bookings: tuple[PlannedBooking, ...]
    holds: tuple[PlannedHold, ...]
    busy: dict[str, list[Span]]

    def states(self) -> dict[str, int]:
        return dict(Counter(p.state for p in self.bookings))

    def is_free(self, table_id: str, start: datetime, end: datetime) -> bool:
        return all(s >= end or start >= e for s, e in self.busy.get(table_id, ()))


Candidate = tuple[tuple[str, ...], int, int]  # table ids, min seats, max seats


def _candidates(floor: GeneratedFloor) -> list[Candidate]:
    """Single tables, then adjacent combinable pairs of one zone: (ids, min, max), in order."""
    by_id = {t.table_id: t for t in floor.tables}
    singles = sorted(floor.tables, key=lambda t: (t.max_seats, t.table_id))
    pairs = [
        (by_id[a], by_id[b])
        for a, b in floor.adjacency
        if by_id[a].combinable and by_id[b].combinable and by_id[a].zone_id == by_id[b].zone_id
    ]
    pairs.sort(key=lambda p: (p[0].max_seats + p[1].max_seats, p[0].table_id, p[1].table_id))
    single: list[Candidate] = [((t.table_id,), t.min_seats, t.max_seats) for t in singles]
    joined: list[Candidate] = [
        ((a.table_id, b.table_id), a.min_seats + b.min_seats, a.max_seats + b.max_seats)
        for a, b in pairs
    ]
    return single + joined


def plan_day(
    floor: GeneratedFloor,
    day: list[GeneratedBooking],
    *,
    seed: int,
    hold_expire: datetime,
    holds: int = 20,
    overflow_state: str = "MANUAL_REVIEW",
) -> DayPlan:
    """Seat `day` first-fit in booking order, as capacity verification would have taken it.

    A booking that fits keeps its meant state; a waiting one (ASSIGNMENT_PENDING,
    MANUAL_REVIEW) reserves its tables in the plan but gets no allocation, so the waiting
    demand stays seatable. A booking that fits nowhere goes to `overflow_state`: MANUAL_REVIEW
    keeps it as (unseatable) waiting demand; REJECTED is what capacity verification answers.
    LOAD_FACTOR counts bookings made, and medium and high ask for more than a floor seats.
    """
    if overflow_state not in OVERFLOW_STATES:
        raise ValueError(f"overflow_state must be one of {OVERFLOW_STATES}")
    candidates = _candidates(floor)
    busy: dict[str, list[Span]] = defaultdict(list)

    def free(ids: tuple[str, ...], span: Span) -> bool:
        return all(s >= span[1] or span[0] >= e for t in ids for s, e in busy[t])

    planned: list[PlannedBooking] = []
    for booking in day:
        span = (booking.start, booking.blocked_until)
        chosen = next(
            (
                ids
                for ids, low, high in candidates
                if low <= booking.party_size <= high and free(ids, span)
            ),
            None,
        )
        if chosen is None:
            planned.append(PlannedBooking(booking, overflow_state, (), NO_FIT))
            continue
        for table_id in chosen:
            busy[table_id].append(span)
        planned.append(PlannedBooking(booking, booking.state, chosen))
    placed = _place_holds(floor, day, busy, random.Random(seed), hold_expire, holds)
    return DayPlan(tuple(planned), tuple(placed), dict(busy))


def _place_holds(
    floor: GeneratedFloor,
    day: list[GeneratedBooking],
    busy: dict[str, list[Span]],
    rng: random.Random,
    expire: datetime,
    count: int,
) -> list[PlannedHold]:
    """Up to `count` holds, each on a table free for a turn at a random service start."""
    if not day:
        return []
    service_day, zone = day[0].start.date(), day[0].start.tzinfo
    starts = [
        datetime.combine(service_day, s, zone) for service in SERVICES for s in service.starts()
    ]
    options = [(table, start) for table in floor.tables for start in starts]
    rng.shuffle(options)
    placed: list[PlannedHold] = []
    for table, start in options:
        end = start + timedelta(minutes=turn_minutes(table.max_seats) + BUFFER_MINUTES)
        if all(s >= end or start >= e for s, e in busy[table.table_id]):
            busy[table.table_id].append((start, end))
            placed.append(
                PlannedHold(f"h{len(placed) + 1:02d}", table.table_id, start, end, expire)
            )
            if len(placed) == count:
                break
    return placed


def booking_uuid(venue_id: str, key: str) -> uuid.UUID:
    """A generated booking's id in the database: stable per venue and key."""
    return uuid.uuid5(IDS, f"{venue_id}/{key}")


async def seed_floor(
    engine: AsyncEngine, venue_id: str, floor: GeneratedFloor, *, timezone: str = "UTC"
) -> None:
    """The venue, its zones, tables, adjacency, policy (no pacing), turn times and services."""
    rows = _floor_rows(venue_id, floor)
    async with engine.begin() as db:
        await db.execute(
            insert(venues).values(
                venue_id=venue_id,
                name=f"Bench {venue_id}",
                timezone=timezone,
                max_party_size=MAX_PARTY_SIZE,
            )
        )
        for table, values in rows:
            if values:
                await db.execute(insert(table), values)
        await db.execute(
            insert(venue_policies).values(
                venue_id=venue_id,
                slot_interval_minutes=SLOT_MINUTES,
                cleaning_buffer_minutes=BUFFER_MINUTES,
                pacing_max_covers_per_slot=None,
                pacing_max_parties_per_slot=None,
            )
        )


def _floor_rows(venue_id: str, floor: GeneratedFloor) -> list[tuple[Any, list[dict[str, Any]]]]:
    return [
        (
            zones,
            [
                {
                    "zone_id": z.zone_id,
                    "venue_id": venue_id,
                    "name": z.name,
                    "sort_order": z.sort_order,
                }
                for z in floor.zones
            ],
        ),
        (
            dining_tables,
            [
                {
                    "table_id": t.table_id,
                    "venue_id": venue_id,
                    "zone_id": t.zone_id,
                    "name": t.name,
                    "min_seats": t.min_seats,
                    "max_seats": t.max_seats,
                    "combinable": t.combinable,
                }
                for t in floor.tables
            ],
        ),
        (
            table_adjacency,
            [
                {
                    "venue_id": venue_id,
                    "table_a": a,
                    "table_b": b,
                }
                for a, b in floor.adjacency
            ],
        ),
        (
            turn_times,
            [
                {"venue_id": venue_id, "min_party": low, "max_party": high, "minutes": minutes}
                for low, high, minutes in TURN_BANDS
            ],
        ),
        (
            service_periods,
            [
                {
                    "venue_id": venue_id,
                    "weekday": weekday,
                    "name": s.name,
                    "start_local": s.first_seating,
                    "end_local": s.last_seating,
                }
                for weekday in range(7)
                for s in SERVICES
            ],
        ),
    ]


async def seed_day(engine: AsyncEngine, venue_id: str, plan: DayPlan, *, now: datetime) -> None:
    """The plan's bookings, their assignments and the holds, in one transaction."""
    booking_rows = [_booking_row(venue_id, planned, now) for planned in plan.bookings]
    allocation_rows = [
        _allocation(
            venue_id,
            uuid.uuid5(IDS, f"{venue_id}/{p.booking.key}/assignment"),
            table_id,
            "ASSIGNMENT",
            p.booking.start,
            p.booking.blocked_until,
            booking_id=booking_uuid(venue_id, p.booking.key),
        )
        for p in plan.bookings
        if p.allocated
        for table_id in p.table_ids
    ]
    allocation_rows += [
        _allocation(
            venue_id,
            uuid.uuid5(IDS, f"{venue_id}/{h.key}/hold"),
            h.table_id,
            "HOLD",
            h.start,
            h.end,
            expire_time=h.expire_time,
        )
        for h in plan.holds
    ]
    async with engine.begin() as db:
        if booking_rows:
            await db.execute(insert(bookings), booking_rows)
        if allocation_rows:
            await db.execute(insert(allocations), allocation_rows)


def _booking_row(venue_id: str, planned: PlannedBooking, now: datetime) -> dict[str, Any]:
    booking = planned.booking
    return {
        "booking_id": booking_uuid(venue_id, booking.key),
        "venue_id": venue_id,
        "party_size": booking.party_size,
        "start_time": booking.start,
        "end_time": booking.end,
        "state": planned.state,
        "display_status": DISPLAY[planned.state],
        "version": 1,
        "request_id": f"bench/{venue_id}/{booking.key}",
        "state_reason": planned.reason,
        "table_ids": [t for t in planned.table_ids if planned.allocated],
        "create_time": now,
        "update_time": now,
    }


def _allocation(
    venue_id: str,
    group: uuid.UUID,
    table_id: str,
    kind: str,
    start: datetime,
    end: datetime,
    *,
    booking_id: uuid.UUID | None = None,
    expire_time: datetime | None = None,
) -> dict[str, Any]:
    return {
        "group_id": group,
        "venue_id": venue_id,
        "table_id": table_id,
        "booking_id": booking_id,
        "kind": kind,
        "during": Range(start, end, bounds="[)"),
        "expire_time": expire_time,
        "actor": "bench",
        "strategy": "first-fit",
    }
