"""Reads what the engine needs of a venue's day: tables, joins, policy, who sits where, history."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import TSTZRANGE, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.adapters.allocation_reads import load_groups
from services.assigner.adapters.day_read import Floor, Floors, read_day
from services.assigner.adapters.read_only_tables import (
    bookings,
    demand_date_counts,
    demand_days,
    dining_tables,
)
from services.assigner.adapters.tables import allocations, assignment_attempts
from services.assigner.domain.allocation import Allocation
from services.assigner.domain.plans import TableInfo
from services.assigner.domain.strategies import StrategyContext
from services.assigner.domain.venue_day import VenueDay
from shared.db.demand_history import read_demand_history
from shared.db.venue_policy import combination_rule, table_combinations, yield_settings
from shared.seating import policy_defaults as defaults
from shared.seating.admission import SeatedBooking
from shared.seating.combinations import Candidate, Seat, floor_candidates
from shared.seating.demand import DemandHistory


class SeatingReader:
    """One read-only snapshot per call; combinations are cached per floor shape."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._candidates: dict[Any, tuple[Candidate, ...]] = {}
        self._floors = Floors()

    async def read(
        self,
        venue_id: str,
        start: datetime,
        end: datetime,
        now: datetime,
        excluding: UUID | None = None,
    ) -> VenueDay | None:
        """The venue around [start, end), as far as its look-ahead horizon reaches either side;
        None when the venue does not exist."""
        async with self._engine.connect() as db:
            db = await db.execution_options(isolation_level="REPEATABLE READ")
            async with db.begin():
                return await self.read_in(db, venue_id, start, end, now, excluding)

    async def read_in(
        self,
        db: AsyncConnection,
        venue_id: str,
        start: datetime,
        end: datetime,
        now: datetime,
        excluding: UUID | None = None,
    ) -> VenueDay | None:
        """`read`, in the caller's transaction (one that goes on to write, say)."""
        rows = await read_day(db, venue_id, start, end, now, excluding, self._floors)
        if rows is None:
            return None
        policy = rows.policy
        own = await _own_assignment(db, rows.own_group)
        floor = rows.floor
        context = StrategyContext(
            edges=floor.edges,
            zone_preference=floor.zone_order,
            history=rows.history,
            upcoming=rows.upcoming,
            timezone=ZoneInfo(policy["timezone"]),
        )
        return VenueDay(
            tables={t.table_id: t for t, _ in floor.tables},
            candidates=self._combinations(venue_id, floor, policy),
            busy=rows.busy,
            context=context,
            buffer=timedelta(minutes=policy["cleaning_buffer_minutes"] or 0),
            weights={str(k): float(v) for k, v in (policy.get("strategy_weights") or {}).items()},
            auto_confirm=bool(policy.get("auto_confirm", True)),
            retry_budget=int(policy.get("retry_budget") or defaults.RETRY_ATTEMPTS),
            hold_ttl=_seconds(policy.get("hold_ttl_seconds")) or defaults.HOLD_TTL,
            freeze_window=_minutes(policy.get("freeze_window_minutes"), defaults.FREEZE_WINDOW),
            own_assignment=own,
            rule=combination_rule(policy),
            yield_settings=yield_settings(policy),
            seats=tuple(_seat(t, combinable) for t, combinable in floor.tables),
            turn_times=floor.turns,
            expired_holds=rows.expired_holds,
        )

    async def yield_view(
        self, venue_id: str, day_start: datetime, day_end: datetime, day: date, now: datetime
    ) -> tuple[tuple[SeatedBooking, ...], DemandHistory]:
        """Who holds tables over [day_start, day_end), and the demand history the forecast of
        the service date `day` learns from (the dates before it)."""
        async with self._engine.connect() as db:
            db = await db.execution_options(isolation_level="REPEATABLE READ")
            async with db.begin():
                return await self.yield_view_in(db, venue_id, day_start, day_end, day, now)

    @staticmethod
    async def yield_view_in(
        db: AsyncConnection,
        venue_id: str,
        day_start: datetime,
        day_end: datetime,
        day: date,
        now: datetime,
    ) -> tuple[tuple[SeatedBooking, ...], DemandHistory]:
        """`yield_view`, in the caller's transaction."""
        seated = await _seated(db, venue_id, day_start, day_end, now)
        history = await read_demand_history(db, demand_date_counts, demand_days, venue_id, day)
        return seated, history

    async def tried(self, booking_id: UUID) -> bool:
        """Whether an assignment attempt of the booking is on record."""
        async with self._engine.connect() as db:
            return await self.tried_in(db, booking_id)

    @staticmethod
    async def tried_in(db: AsyncConnection, booking_id: UUID) -> bool:
        """`tried`, in the caller's transaction."""
        attempts = assignment_attempts
        found = await db.scalar(
            select(literal(True)).where(attempts.c.booking_id == booking_id).limit(1)
        )
        return bool(found)

    def _combinations(
        self, venue_id: str, floor: Floor, policy: dict[str, Any]
    ) -> tuple[Candidate, ...]:
        max_tables = policy.get("max_tables_per_combination") or defaults.MAX_TABLES_PER_COMBINATION
        cross = bool(policy.get("allow_cross_zone_combinations"))
        rule, explicit = combination_rule(policy), table_combinations(policy)
        key = (venue_id, floor.key, max_tables, cross, rule, explicit)
        if key not in self._candidates:
            tables, edges = floor.tables, floor.edges
            seats = [_seat(t, combinable) for t, combinable in tables]
            neighbours: dict[str, set[str]] = defaultdict(set)
            for a, b in edges:
                neighbours[a].add(b)
                neighbours[b].add(a)
            self._candidates[key] = tuple(
                floor_candidates(
                    seats,
                    neighbours,
                    max_tables=max_tables,
                    cross_zone=cross,
                    rule=rule,
                    explicit=explicit,
                )
            )
        return self._candidates[key]


async def _own_assignment(db: AsyncConnection, group_id: UUID | None) -> Allocation | None:
    found = await load_groups(db, [group_id]) if group_id is not None else []
    return found[0] if found else None


def _seat(table: TableInfo, combinable: bool) -> Seat:
    return Seat(table.table_id, table.zone_id, table.min_seats, table.max_seats, combinable)


def _seconds(value: Any) -> timedelta:
    return timedelta(seconds=int(value or 0))


def _minutes(value: Any, default: timedelta) -> timedelta:
    """The policy's value, or the default for a venue without a policy row (0 is a value)."""
    return default if value is None else timedelta(minutes=int(value))


async def _seated(
    db: AsyncConnection, venue_id: str, start: datetime, end: datetime, now: datetime
) -> tuple[SeatedBooking, ...]:
    """Every live allocation group over [start, end), with its booking's party size.

    A hold without a booking counts the least its tables seat, the smallest party it may be for.
    """
    span = func.tstzrange(literal(start), literal(end), "[)", type_=TSTZRANGE)
    rows = await db.execute(
        select(
            allocations.c.group_id,
            func.array_agg(aggregate_order_by(allocations.c.table_id, allocations.c.table_id)),
            func.min(func.lower(allocations.c.during)),
            func.max(func.upper(allocations.c.during)),
            func.coalesce(func.max(bookings.c.party_size), func.sum(dining_tables.c.min_seats)),
        )
        .select_from(
            allocations.outerjoin(bookings, bookings.c.booking_id == allocations.c.booking_id).join(
                dining_tables,
                (dining_tables.c.venue_id == allocations.c.venue_id)
                & (dining_tables.c.table_id == allocations.c.table_id),
            )
        )
        .where(
            allocations.c.venue_id == venue_id,
            allocations.c.release_time.is_(None),
            allocations.c.during.op("&&")(span),
            (allocations.c.kind != "HOLD") | (allocations.c.expire_time > now),
        )
        .group_by(allocations.c.group_id)
        .order_by(func.min(func.lower(allocations.c.during)), allocations.c.group_id)
    )
    return tuple(
        SeatedBooking(tuple(tables), lower, upper, int(party))
        for _, tables, lower, upper, party in rows
    )
