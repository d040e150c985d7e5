"""Which tables can seat a party together: single tables and connected combinations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Seat:
    """What the combination search needs of a table."""

    table_id: str
    zone_id: str
    min_seats: int
    max_seats: int
    combinable: bool


@dataclass(frozen=True)
class Candidate:
    """A set of tables that can seat a party together (one table, or adjacent ones)."""

    table_ids: tuple[str, ...]
    min_seats: int
    max_seats: int

    def fits(self, party_size: int) -> bool:
        return self.min_seats <= party_size <= self.max_seats

    def waste(self, party_size: int) -> int:
        return self.max_seats - party_size


def connected_sets(
    seats: Iterable[Seat],
    neighbours: Mapping[str, Iterable[str]],
    *,
    max_tables: int,
    cross_zone: bool,
    limit: int = 200_000,
) -> list[Candidate]:
    """Every single table, and every connected set of 2..max_tables combinable tables.

    Each set is produced once: it is grown from its smallest table id, adding only larger
    ids reachable through the set (the ESU enumeration), so the work is proportional to the
    number of sets. `limit` bounds it on pathological floors (a clique of hundreds of tables).
    """
    by_id = {seat.table_id: seat for seat in seats}
    found = [Candidate((s.table_id,), s.min_seats, s.max_seats) for s in by_id.values()]
    if max_tables < 2:
        return found

    def joinable(root: Seat, other: str) -> bool:
        seat = by_id.get(other)
        return (
            seat is not None
            and seat.combinable
            and other > root.table_id
            and (cross_zone or seat.zone_id == root.zone_id)
        )

    for root in sorted(by_id.values(), key=lambda s: s.table_id):
        if not root.combinable:
            continue
        frontier = {n for n in neighbours.get(root.table_id, ()) if joinable(root, n)}
        stack: list[tuple[tuple[str, ...], frozenset[str], frozenset[str]]] = [
            ((root.table_id,), frozenset(frontier), frozenset({root.table_id}) | frontier)
        ]
        while stack and len(found) < limit:
            members, extension, seen = stack.pop()
            remaining = sorted(extension)
            for index, added in enumerate(remaining):
                grown = (*members, added)
                found.append(_candidate(grown, by_id))
                if len(grown) < max_tables:
                    fresh = {
                        n for n in neighbours.get(added, ()) if n not in seen and joinable(root, n)
                    }
                    stack.append((grown, frozenset(remaining[index + 1 :]) | fresh, seen | fresh))
    return found


def _candidate(table_ids: tuple[str, ...], by_id: Mapping[str, Seat]) -> Candidate:
    members = sorted(table_ids)
    return Candidate(
        table_ids=tuple(members),
        min_seats=sum(by_id[t].min_seats for t in members),
        max_seats=sum(by_id[t].max_seats for t in members),
    )
