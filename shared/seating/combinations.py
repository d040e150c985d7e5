"""Which tables can seat a party together: single tables, derived and explicit combinations.

`floor_candidates` is the one place that turns a floor (tables, adjacency, the venue's rule for
derived combinations and its explicit ones) into candidates; every service seats by its answer.
"""

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
    priority: int = 0  # an explicit combination's rank among equal plans: higher first

    def fits(self, party_size: int) -> bool:
        return self.min_seats <= party_size <= self.max_seats

    def waste(self, party_size: int) -> int:
        return self.max_seats - party_size


@dataclass(frozen=True)
class CombinationRule:
    """How a derived combination (connected tables) seats: seats lost per join, least covers.

    The defaults keep the plain sum of the tables: no seat lost, the tables' minimums added.
    """

    seats_lost_per_join: int = 0
    min_covers: int = 0  # 0: the sum of the tables' minimum seats


@dataclass(frozen=True)
class ExplicitCombination:
    """A combination an operator defined: its tables and the covers it takes."""

    table_ids: tuple[str, ...]
    min_covers: int
    max_covers: int
    priority: int = 0


def floor_candidates(
    seats: Iterable[Seat],
    neighbours: Mapping[str, Iterable[str]],
    *,
    max_tables: int,
    cross_zone: bool,
    rule: CombinationRule = CombinationRule(),
    explicit: Iterable[ExplicitCombination] = (),
) -> list[Candidate]:
    """Every single table, every derived combination under `rule`, and every explicit one.

    A derived combination of n tables seats the sum of their maximums less
    `rule.seats_lost_per_join` * (n - 1); one that seats nobody, or fewer than its minimum,
    is dropped. An explicit combination is offered when all its tables are among `seats`
    (active), whatever the adjacency and the limits of derived ones, and replaces a derived
    combination of the same tables: the operator's numbers win.
    """
    seats = list(seats)
    present = {seat.table_id for seat in seats}
    chosen = {
        c.table_ids: c
        for c in (explicit_candidate(e) for e in explicit)
        if present.issuperset(c.table_ids)
    }
    found: list[Candidate] = []
    plain = rule == CombinationRule()  # today's sums: the connected sets as they come
    for candidate in connected_sets(
        seats, neighbours, max_tables=max_tables, cross_zone=cross_zone
    ):
        if len(candidate.table_ids) > 1:
            if candidate.table_ids in chosen:
                continue
            if not plain:
                candidate = derived(candidate, rule)
                if candidate.max_seats < 1 or candidate.min_seats > candidate.max_seats:
                    continue
        found.append(candidate)
    found.extend(chosen[key] for key in sorted(chosen))
    return found


def explicit_candidate(combination: ExplicitCombination) -> Candidate:
    """An operator's combination as a candidate: its tables in order, its covers, its priority."""
    c = _sorted(combination)
    return Candidate(c.table_ids, c.min_covers, c.max_covers, c.priority)


def derived(candidate: Candidate, rule: CombinationRule) -> Candidate:
    """A connected set's seats under the rule: seats lost per join, the rule's least covers."""
    joins = len(candidate.table_ids) - 1
    return Candidate(
        table_ids=candidate.table_ids,
        min_seats=rule.min_covers or candidate.min_seats,
        max_seats=candidate.max_seats - rule.seats_lost_per_join * joins,
    )


def covers_of(
    table_ids: Iterable[str],
    max_seats: Mapping[str, int],
    candidates: Iterable[Candidate],
    rule: CombinationRule,
) -> int:
    """The most covers a set of tables seats: the venue's candidate for that set when it has
    one (a single table, an explicit or a derived combination), else the rule's seats for the
    set (its tables' maximums less the seats lost per join), as for a set ops join by hand."""
    members = tuple(sorted(table_ids))
    listed = next((c for c in candidates if c.table_ids == members), None)
    if listed is not None:
        return listed.max_seats
    joins = max(len(members) - 1, 0)
    return sum(max_seats[t] for t in members) - rule.seats_lost_per_join * joins


def explicit_to_json(combinations: Iterable[ExplicitCombination]) -> list[dict[str, object]]:
    """The stored form of explicit combinations (a JSON list)."""
    return [
        {
            "table_ids": list(c.table_ids),
            "min_covers": c.min_covers,
            "max_covers": c.max_covers,
            "priority": c.priority,
        }
        for c in combinations
    ]


def explicit_from_json(raw: object) -> tuple[ExplicitCombination, ...]:
    """Explicit combinations from their stored form; None or an empty list is none."""
    if not isinstance(raw, list):
        return ()
    return tuple(
        ExplicitCombination(
            tuple(item["table_ids"]),
            int(item["min_covers"]),
            int(item["max_covers"]),
            int(item.get("priority", 0)),
        )
        for item in raw
    )


def _sorted(combination: ExplicitCombination) -> ExplicitCombination:
    return ExplicitCombination(
        tuple(sorted(combination.table_ids)),
        combination.min_covers,
        combination.max_covers,
        combination.priority,
    )


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
