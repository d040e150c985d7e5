"""Rescue: a bounded re-pack of one window that seats a new party by moving other bookings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from shared.seating.knobs import SeatingKnobs
from shared.seating.planning.model import Booking, Plan, Problem, Span
from shared.seating.planning.options import free, overlaps
from shared.seating.planning.solver import solve

# Bookings a re-pack may move at most (blockers first, then their knock-ons), unless the
# venue's policy says otherwise.
MAX_MOVERS = SeatingKnobs().rescue_max_movers


def window(
    problem: Problem, new_booking: Booking, *, max_movers: int = MAX_MOVERS
) -> tuple[list[Booking], list[Booking]]:
    """The bookings a re-pack for `new_booking` may move, and those that stay where they are.

    Movers are movable bookings with tables: first the blockers (overlapping the new span on
    a table the party fits), then the bookings overlapping a blocker's span on a table some
    blocker fits (one level of knock-on), nearest in start time first, at most `max_movers`
    in all. Capping the window keeps the re-pack to tens of milliseconds: the rest of the
    floor becomes fixed occupancy, which leaves each mover only a few free table sets.
    """
    seated = [b for b in problem.bookings if b.table_ids and b.booking_id != new_booking.booking_id]
    movable = [b for b in seated if problem.is_movable(b)]
    blockers = _on(movable, _tables_for(problem, new_booking.party_size), [new_booking.span])
    parties = {b.party_size for b in blockers}
    blocking = {b.booking_id for b in blockers}
    near = _on(
        [b for b in movable if b.booking_id not in blocking],
        set().union(*(_tables_for(problem, party) for party in parties)),
        [b.span for b in blockers],
    )
    ranked = blockers + sorted(near, key=lambda b: (abs(b.start - new_booking.start), b.booking_id))
    movers = {b.booking_id for b in ranked[:max_movers]}
    return (
        [b for b in seated if b.booking_id in movers],
        [b for b in seated if b.booking_id not in movers],
    )


def _tables_for(problem: Problem, party_size: int) -> set[str]:
    return {t for c in problem.candidates if c.fits(party_size) for t in c.table_ids}


def _on(bookings: list[Booking], tables: set[str], spans: list[Span]) -> list[Booking]:
    """The bookings that sit on one of `tables` and overlap one of `spans`."""
    return [
        b
        for b in bookings
        if not tables.isdisjoint(b.table_ids) and any(overlaps(b.span, span) for span in spans)
    ]


def rescue(
    problem: Problem,
    new_booking: Booking,
    *,
    time_limit_s: float = 0.5,
    seed: int = 0,
    max_movers: int = MAX_MOVERS,
) -> Plan | None:
    """A plan that seats `new_booking` by moving other bookings of its window, or None.

    `problem` holds the window's bookings as they sit now (any others are ignored). The plan
    has no moves when a free fit exists; it is None when no table set fits the party, when
    none would be free even with every mover gone (both known without the solver), or when
    the solver proves that no re-pack works or finds none in time. The plan's objectives are
    those of the window (the movers and the new booking). Single-threaded: a fixed seed gives
    the same plan unless the time limit cuts the search short.
    """
    fitting = [
        c
        for c in problem.candidates
        if c.fits(new_booking.party_size) and free(c, new_booking.span, problem.fixed_busy)
    ]
    movers, staying = window(problem, new_booking, max_movers=max_movers)
    fixed = _busy(problem.fixed_busy, staying)
    if not any(free(c, new_booking.span, fixed) for c in fitting):
        return None
    blocking = [b for b in movers if overlaps(b.span, new_booking.span)]
    if any(free(c, new_booking.span, _busy(fixed, blocking)) for c in fitting):
        movers, fixed = [], _busy(fixed, movers)  # a free fit: nobody needs to move
    sub = replace(problem, bookings=(new_booking, *movers), fixed_busy=fixed)
    plan = solve(
        sub, time_limit_s=time_limit_s, seed=seed, workers=1, required={new_booking.booking_id}
    )
    return plan if plan.tables_of(new_booking.booking_id) else None


def _busy(base: Mapping[str, Sequence[Span]], bookings: Sequence[Booking]) -> dict[str, list[Span]]:
    busy = {table_id: list(spans) for table_id, spans in base.items()}
    for booking in bookings:
        for table_id in booking.table_ids:
            busy.setdefault(table_id, []).append(booking.span)
    return busy
