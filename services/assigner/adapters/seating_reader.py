"""Reads what the engine needs of a venue's day: tables, joins, policy, who sits where, history."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, func, literal, select, text
from sqlalchemy.dialects.postgresql import TIMESTAMP, TSTZRANGE, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.adapters.allocation_reads import load_groups
from services.assigner.adapters.read_only_tables import (
    bookings,
    demand_date_counts,
    demand_days,
    dining_tables,
    venue_policies,
    venues,
)
from services.assigner.adapters.tables import (
    allocations,
    assignment_attempts,
    assignment_success_counts,
)
from services.assigner.domain.allocation import Allocation
from services.assigner.domain.booking import BookingState
from services.assigner.domain.plans import SuccessCounts, TableInfo, UpcomingBooking
from services.assigner.domain.strategies import HistoryKey, StrategyContext
from services.assigner.domain.venue_day import VenueDay
from shared.db.demand_history import read_demand_history
from shared.db.venue_policy import (
    combination_rule,
    seating_knobs,
    table_combinations,
    venue_policy,
    yield_settings,
)
from shared.seating import policy_defaults as defaults
from shared.seating.admission import SeatedBooking
from shared.seating.combinations import Candidate, Seat, floor_candidates
from shared.seating.demand import DemandHistory

WAITING = (
    BookingState.CAPACITY_VERIFIED,
    BookingState.ASSIGNMENT_PENDING,
    BookingState.ASSIGNMENT_IN_PROGRESS,
    BookingState.MANUAL_REVIEW,
)


class SeatingReader:
    """One read-only snapshot per call; combinations are cached per floor shape."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._candidates: dict[Any, tuple[Candidate, ...]] = {}

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
        venue = await venue_policy(db, venues, venue_policies, venue_id)
        if venue is None:
            return None
        horizon = seating_knobs(venue).look_ahead_horizon
        start, end = start - horizon, end + horizon
        buffer = timedelta(minutes=venue["cleaning_buffer_minutes"] or 0)
        tables, edges, turns, order = await _floor(db, venue_id)
        busy = await _busy(db, venue_id, start, end, now, excluding)
        upcoming = await _upcoming(db, venue_id, start, end, excluding, buffer)
        history = await _history(db, venue_id)
        own = await _own_assignment(db, excluding) if excluding else None
        policy = dict(venue)
        context = StrategyContext(
            edges=edges,
            zone_preference=order,
            history=history,
            upcoming=upcoming,
            timezone=ZoneInfo(policy["timezone"]),
        )
        return VenueDay(
            tables={t.table_id: t for t, _ in tables},
            candidates=self._combinations(venue_id, tables, edges, policy),
            busy=busy,
            context=context,
            buffer=buffer,
            weights={str(k): float(v) for k, v in (policy.get("strategy_weights") or {}).items()},
            auto_confirm=bool(policy.get("auto_confirm", True)),
            retry_budget=int(policy.get("retry_budget") or defaults.RETRY_ATTEMPTS),
            hold_ttl=_seconds(policy.get("hold_ttl_seconds")) or defaults.HOLD_TTL,
            freeze_window=_minutes(policy.get("freeze_window_minutes"), defaults.FREEZE_WINDOW),
            own_assignment=own,
            rule=combination_rule(policy),
            yield_settings=yield_settings(policy),
            seats=tuple(_seat(t, combinable) for t, combinable in tables),
            turn_times=turns,
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
        self,
        venue_id: str,
        tables: list[tuple[TableInfo, bool]],
        edges: frozenset[tuple[str, str]],
        policy: dict[str, Any],
    ) -> tuple[Candidate, ...]:
        max_tables = policy.get("max_tables_per_combination") or defaults.MAX_TABLES_PER_COMBINATION
        cross = bool(policy.get("allow_cross_zone_combinations"))
        rule, explicit = combination_rule(policy), table_combinations(policy)
        key = (venue_id, tuple(tables), edges, max_tables, cross, rule, explicit)
        if key not in self._candidates:
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


async def _own_assignment(db: AsyncConnection, booking_id: UUID) -> Allocation | None:
    group = await db.scalar(
        select(allocations.c.group_id)
        .where(
            allocations.c.booking_id == booking_id,
            allocations.c.kind == "ASSIGNMENT",
            allocations.c.release_time.is_(None),
        )
        .limit(1)
    )
    found = await load_groups(db, [group]) if group is not None else []
    return found[0] if found else None


def _seat(table: TableInfo, combinable: bool) -> Seat:
    return Seat(table.table_id, table.zone_id, table.min_seats, table.max_seats, combinable)


def _seconds(value: Any) -> timedelta:
    return timedelta(seconds=int(value or 0))


def _minutes(value: Any, default: timedelta) -> timedelta:
    """The policy's value, or the default for a venue without a policy row (0 is a value)."""
    return default if value is None else timedelta(minutes=int(value))


# The floor in one round trip (it was four): tables, joins, turn times and the zones' order.
FLOOR = text(
    """
    SELECT
        (SELECT coalesce(json_agg(json_build_array(t.table_id, t.zone_id, t.min_seats,
                t.max_seats, t.combinable) ORDER BY t.table_id), '[]')
            FROM dining_tables t WHERE t.venue_id = :venue_id AND t.active) AS tables,
        (SELECT coalesce(json_agg(json_build_array(a.table_a, a.table_b)), '[]')
            FROM table_adjacency a WHERE a.venue_id = :venue_id) AS edges,
        (SELECT coalesce(json_agg(json_build_array(m.max_party, m.minutes)
                ORDER BY m.max_party), '[]')
            FROM turn_times m WHERE m.venue_id = :venue_id) AS turns,
        (SELECT coalesce(array_agg(z.zone_id ORDER BY z.sort_order, z.zone_id), '{}')
            FROM zones z WHERE z.venue_id = :venue_id) AS zone_order
    """
)


async def _floor(
    db: AsyncConnection, venue_id: str
) -> tuple[
    list[tuple[TableInfo, bool]],
    frozenset[tuple[str, str]],
    tuple[tuple[int, timedelta], ...],
    tuple[str, ...],
]:
    row = (await db.execute(FLOOR, {"venue_id": venue_id})).one()
    tables = [
        (TableInfo(table_id, zone_id, low, high), bool(combinable))
        for table_id, zone_id, low, high, combinable in row.tables
    ]
    edges = frozenset((a, b) for a, b in row.edges)
    turns = tuple((largest, timedelta(minutes=minutes)) for largest, minutes in row.turns)
    return tables, edges, turns, tuple(row.zone_order)


def _busy_query(excluding: bool) -> Select[tuple[str, datetime, datetime]]:
    span = func.tstzrange(
        bindparam("start", type_=TIMESTAMP(timezone=True)),
        bindparam("end", type_=TIMESTAMP(timezone=True)),
        "[)",
        type_=TSTZRANGE,
    )
    query = select(
        allocations.c.table_id, func.lower(allocations.c.during), func.upper(allocations.c.during)
    ).where(
        allocations.c.venue_id == bindparam("venue_id"),
        allocations.c.release_time.is_(None),
        allocations.c.during.op("&&")(span),
        (allocations.c.kind != "HOLD") | (allocations.c.expire_time > bindparam("now")),
    )
    if excluding:
        query = query.where(allocations.c.booking_id.is_distinct_from(bindparam("excluding")))
    return query


# Built once (with and without a booking to leave out): every assignment reads them.
BUSY = _busy_query(excluding=False)
BUSY_EXCLUDING = _busy_query(excluding=True)


async def _busy(
    db: AsyncConnection,
    venue_id: str,
    start: datetime,
    end: datetime,
    now: datetime,
    excluding: UUID | None,
) -> dict[str, list[tuple[datetime, datetime]]]:
    values: dict[str, object] = {"venue_id": venue_id, "start": start, "end": end, "now": now}
    query = BUSY
    if excluding is not None:
        query, values["excluding"] = BUSY_EXCLUDING, excluding
    busy: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for table_id, lower, upper in await db.execute(query, values):
        busy[table_id].append((lower, upper))
    return dict(busy)


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


UPCOMING = (
    select(bookings.c.booking_id, bookings.c.party_size, bookings.c.start_time, bookings.c.end_time)
    .where(
        bookings.c.venue_id == bindparam("venue_id"),
        bookings.c.state.in_(WAITING),
        bookings.c.start_time < bindparam("end"),
        bookings.c.end_time > bindparam("start"),
        bookings.c.booking_id.is_distinct_from(bindparam("excluding")),
    )
    .order_by(bookings.c.start_time, bookings.c.booking_id)
)


async def _upcoming(
    db: AsyncConnection,
    venue_id: str,
    start: datetime,
    end: datetime,
    excluding: UUID | None,
    buffer: timedelta,
) -> tuple[UpcomingBooking, ...]:
    values = {"venue_id": venue_id, "start": start, "end": end, "excluding": excluding}
    rows = await db.execute(UPCOMING, values)
    return tuple(UpcomingBooking(str(b), p, s, e + buffer) for b, p, s, e in rows)


HISTORY = select(
    assignment_success_counts.c.table_key,
    assignment_success_counts.c.party_band,
    assignment_success_counts.c.hour,
    assignment_success_counts.c.successes,
    assignment_success_counts.c.failures,
).where(assignment_success_counts.c.venue_id == bindparam("venue_id"))


async def _history(db: AsyncConnection, venue_id: str) -> dict[HistoryKey, SuccessCounts]:
    rows = await db.execute(HISTORY, {"venue_id": venue_id})
    return {(k, band, hour): SuccessCounts(s, f) for k, band, hour, s, f in rows}
