"""Small hand-built floors and requests for the engine and strategy tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.assigner.domain.plans import AssignmentRequest, TableInfo, UpcomingBooking
from services.assigner.domain.strategies import StrategyContext
from shared.seating.combinations import Candidate, Seat, connected_sets

DAY = datetime(2027, 3, 10, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


@dataclass
class Scene:
    """A floor: its tables, adjacency edges and the candidates connected_sets finds on it."""

    tables: dict[str, TableInfo]
    edges: frozenset[tuple[str, str]]
    candidates: list[Candidate] = field(default_factory=list)

    def context(self, **changes: object) -> StrategyContext:
        return StrategyContext(**({"edges": self.edges} | changes))  # type: ignore[arg-type]

    def candidate(self, *table_ids: str) -> Candidate:
        wanted = tuple(sorted(table_ids))
        return next(c for c in self.candidates if c.table_ids == wanted)


def scene(
    specs: Iterable[tuple[str, str, int, int]],
    edges: Iterable[tuple[str, str]] = (),
    *,
    max_tables: int = 3,
    cross_zone: bool = False,
) -> Scene:
    """Tables as (id, zone, min_seats, max_seats), all combinable, joined along `edges`."""
    tables = {t: TableInfo(t, zone, low, high) for t, zone, low, high in specs}
    edge_set = frozenset(edges)
    neighbours: dict[str, set[str]] = {t: set() for t in tables}
    for a, b in edge_set:
        neighbours[a].add(b)
        neighbours[b].add(a)
    seats = [Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, True) for t in tables.values()]
    found = connected_sets(seats, neighbours, max_tables=max_tables, cross_zone=cross_zone)
    return Scene(tables, edge_set, found)


def request(
    party: int,
    start: datetime | None = None,
    *,
    minutes: int = 120,
    zone: str | None = None,
    booking_id: str = "b-new",
) -> AssignmentRequest:
    begin = start or at(19)
    return AssignmentRequest(booking_id, party, begin, begin + timedelta(minutes=minutes), zone)


def upcoming(booking_id: str, party: int, start: datetime, minutes: int = 120) -> UpcomingBooking:
    return UpcomingBooking(booking_id, party, start, start + timedelta(minutes=minutes))
