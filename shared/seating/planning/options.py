"""Which table sets each booking may take, and what each is worth on the objective."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from shared.seating.combinations import Candidate, CombinationRule, derived
from shared.seating.planning.model import (
    Booking,
    ConflictingSeating,
    Problem,
    Span,
    Table,
    Weights,
)


@dataclass(frozen=True)
class Option:
    """A table set a booking may take and its objective points there."""

    candidate: Candidate
    value: int
    current: bool  # the booking's tables now


def value(
    booking: Booking,
    candidate: Candidate,
    zones: Mapping[str, str],
    weights: Weights,
    *,
    moved: bool,
) -> int:
    """The objective points of seating `booking` at `candidate` (moved or not)."""
    wanted = booking.preferred_zone_id
    in_zone = wanted is not None and all(zones[t] == wanted for t in candidate.table_ids)
    return (
        weights.covers * booking.party_size
        - weights.waste * max(candidate.waste(booking.party_size), 0)
        - weights.tables * (len(candidate.table_ids) - 1)
        + (weights.zone if in_zone else 0)
        - (weights.move if moved else 0)
    )


def current_candidate(
    booking: Booking,
    tables: Mapping[str, Table],
    listed: Mapping[tuple[str, ...], Candidate] | None = None,
    rule: CombinationRule | None = None,
) -> Candidate | None:
    """The booking's tables now as a candidate: the venue's own for that set when it lists
    it (`listed`, by table ids), else the set under the venue's rule (a set ops joined by
    hand: its tables' seats less those lost per join)."""
    if not booking.table_ids:
        return None
    members = tuple(sorted(booking.table_ids))
    if listed is not None and members in listed:
        return listed[members]
    plain = Candidate(
        members,
        sum(tables[t].min_seats for t in members),
        sum(tables[t].max_seats for t in members),
    )
    return derived(plain, rule) if rule is not None and len(members) > 1 else plain


def overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def free(candidate: Candidate, span: Span, busy: Mapping[str, Sequence[Span]]) -> bool:
    """Whether every table of the candidate is free of `busy` over `span`."""
    return not any(overlaps(span, other) for t in candidate.table_ids for other in busy.get(t, ()))


def undominated(fitting: Sequence[Candidate]) -> list[Candidate]:
    """The fitting candidates less those a smaller fitting candidate inside them beats.

    A superset is dropped only when a fitting subset seats no more (so wastes no more),
    ranks no lower (priority) and, being a subset, joins fewer tables, stays in any zone the
    superset is in and conflicts with fewer bookings: dropping it is exact. An operator's
    combination that seats fewer than a table inside it, or ranks higher, is kept.
    """
    by_set = {frozenset(c.table_ids): c for c in fitting}
    return [
        c
        for c in fitting
        if not any(
            _beats(by_set.get(frozenset(part)), c)
            for size in range(1, len(c.table_ids))
            for part in combinations(c.table_ids, size)
        )
    ]


def _beats(part: Candidate | None, whole: Candidate) -> bool:
    return (
        part is not None and part.max_seats <= whole.max_seats and part.priority >= whole.priority
    )


def check_current(problem: Problem) -> None:
    """Raise ConflictingSeating if the current seating is not a feasible plan."""
    known = {t.table_id for t in problem.tables}
    held: dict[str, list[tuple[Span, str]]] = {}
    for booking in problem.bookings:
        unknown = sorted(set(booking.table_ids) - known)
        if unknown:
            raise ConflictingSeating(f"booking {booking.booking_id} has unknown tables {unknown}")
        for table_id in booking.table_ids:
            for other in problem.fixed_busy.get(table_id, ()):
                if overlaps(booking.span, other):
                    raise ConflictingSeating(
                        f"booking {booking.booking_id} overlaps fixed occupancy on {table_id}"
                    )
            for span, other_id in held.get(table_id, []):
                if overlaps(booking.span, span):
                    raise ConflictingSeating(
                        f"bookings {other_id} and {booking.booking_id} overlap on {table_id}"
                    )
            held.setdefault(table_id, []).append((booking.span, booking.booking_id))


def options(
    problem: Problem, bookings: Iterable[Booking], required: Collection[str] = ()
) -> dict[str, list[Option]]:
    """Per booking id, the table sets it may take: only its own if it may not move.

    A booking that must be seated (`required`) may take any free fit even if it could not
    move (a party about to arrive, inside the freeze window).
    """
    tables = {t.table_id: t for t in problem.tables}
    zones = {t.table_id: t.zone_id for t in problem.tables}
    listed = {c.table_ids: c for c in problem.candidates}
    by_party: dict[int, list[Candidate]] = {}
    found: dict[str, list[Option]] = {}
    for booking in bookings:
        current = current_candidate(booking, tables, listed, problem.rule)
        keep = [current] if current is not None else []
        if problem.is_movable(booking) or booking.booking_id in required:
            party = booking.party_size
            if party not in by_party:
                by_party[party] = undominated([c for c in problem.candidates if c.fits(party)])
            keep += [
                c
                for c in by_party[party]
                if (current is None or c.table_ids != current.table_ids)
                and free(c, booking.span, problem.fixed_busy)
            ]
        found[booking.booking_id] = [
            Option(c, value(booking, c, zones, problem.weights, moved=moved), c is current)
            for c in keep
            for moved in [current is not None and c is not current]
        ]
    return found
