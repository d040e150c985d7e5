"""Floors, days and checks for the optimizer tests: hand-built ones and bench/day_generator's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.day_generator import Load, make_day, make_floor
from shared.seating.combinations import Candidate, Seat, connected_sets
from shared.seating.planning.model import Booking, Plan, Problem, Span, Table
from shared.seating.planning.options import free

DAY = datetime(2027, 3, 10, tzinfo=UTC)
MORNING = DAY  # "now" for problems where every booking may move


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def booking(
    booking_id: str,
    party: int,
    start: datetime,
    *,
    hours: float = 2,
    tables: Iterable[str] = (),
    **changes: Any,
) -> Booking:
    made = Booking(booking_id, party, start, start + timedelta(hours=hours), tuple(tables))
    return replace(made, **changes)


def floor(
    specs: Iterable[tuple[str, str, int, int]],
    edges: Iterable[tuple[str, str]] = (),
    *,
    max_tables: int = 3,
) -> tuple[tuple[Table, ...], tuple[Candidate, ...]]:
    """Tables as (id, zone, min_seats, max_seats), all combinable, joined along `edges`."""
    tables = tuple(Table(t, zone, low, high) for t, zone, low, high in specs)
    neighbours: dict[str, set[str]] = {t.table_id: set() for t in tables}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    seats = [Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, True) for t in tables]
    found = connected_sets(seats, neighbours, max_tables=max_tables, cross_zone=False)
    return tables, tuple(found)


def two_twos_and_a_four() -> tuple[tuple[Table, ...], tuple[Candidate, ...]]:
    """Two 2-tops (a, b) and a 4-top (c), none adjacent."""
    return floor([("a", "z1", 1, 2), ("b", "z1", 1, 2), ("c", "z1", 2, 4)])


def generated_day(tables_count: int, load: Load, seed: int) -> Problem:
    """A generated floor and day, seated first-fit in booking order; the rest waiting."""
    made = make_floor(tables_count, seed)
    seats = [
        Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, t.combinable) for t in made.tables
    ]
    neighbours: dict[str, set[str]] = {t.table_id: set() for t in made.tables}
    for a, b in made.adjacency:
        neighbours[a].add(b)
        neighbours[b].add(a)
    candidates = sorted(
        connected_sets(seats, neighbours, max_tables=2, cross_zone=False),
        key=lambda c: (len(c.table_ids), c.max_seats, c.table_ids),
    )
    busy: dict[str, list[Span]] = {}
    bookings = []
    for generated in make_day(made, load, seed, date(2027, 3, 10), UTC):
        placed = Booking(
            generated.key, generated.party_size, generated.start, generated.blocked_until
        )
        pick = next(
            (c for c in candidates if c.fits(placed.party_size) and free(c, placed.span, busy)),
            None,
        )
        if pick is not None:
            placed = replace(placed, table_ids=pick.table_ids)
            for table_id in pick.table_ids:
                busy.setdefault(table_id, []).append(placed.span)
        bookings.append(placed)
    tables = tuple(Table(t.table_id, t.zone_id, t.min_seats, t.max_seats) for t in made.tables)
    return Problem(tables, tuple(candidates), tuple(bookings), now=MORNING)


def applied(problem: Problem, plan: Plan) -> Problem:
    """The problem with the plan's moves and new assignments made."""
    changed = {m.booking_id: m.to_table_ids for m in (*plan.moves, *plan.new_assignments)}
    return replace(
        problem,
        bookings=tuple(
            replace(b, table_ids=changed.get(b.booking_id, b.table_ids)) for b in problem.bookings
        ),
    )


def overlaps_in(problem: Problem) -> list[str]:
    """Every pair of spans that share a table, bookings and fixed occupancy alike."""
    found = []
    held: dict[str, list[tuple[Span, str]]] = {
        t: [(span, "fixed") for span in spans] for t, spans in problem.fixed_busy.items()
    }
    for b in problem.bookings:
        for table_id in b.table_ids:
            for span, other in held.get(table_id, []):
                if span[0] < b.blocked_until and b.start < span[1]:
                    found.append(f"{b.booking_id} and {other} on {table_id}")
            held.setdefault(table_id, []).append((b.span, b.booking_id))
    return found
