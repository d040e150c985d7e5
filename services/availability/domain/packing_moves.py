"""Moves a capacity check's packing on to later facts, keeping what no change touched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from services.availability.domain.busy import MICROSECOND, Touch, micros
from services.availability.domain.occupancy import Demand, Facts, Occupancy
from services.availability.domain.packing import FitCache, Pacing, Packing, Request

Kept = TypeVar("Kept")


def moved_on(packing: Packing, facts: Facts, now: datetime) -> Packing:
    """The packing of `facts` as of `now`, as `Packing.of(facts, now)` makes it, keeping from
    `packing` (made without exclusion over the same floor, policy and candidates) what no
    change can have altered.

    A change names its tables and its time: an occupancy that came, went or changed touches
    its tables over its span, a waiting booking that came, went or changed touches its span.
    A free fit is kept unless an occupancy was touched over its request's span; a contest
    unless a waiting booking was touched over its span, and one with an occupancy touched
    within its reach is suspect: its rivals stand only if their free fits did (see _claim);
    the busy index is read again only for the touched tables.
    """
    live = facts.live(now)
    waiting = facts.waiting()
    touched, paced = _touched(packing.live, live)
    same_waiting = len(waiting) == len(packing.waiting) and all(
        a is b for a, b in zip(waiting, packing.waiting, strict=True)
    )
    if not touched and same_waiting:
        return packing
    arrived = [] if same_waiting else _changed_demand(packing.waiting, waiting)
    reordered = arrived is None
    fits = FitCache(
        by_size=packing.fits.by_size,
        by_request=_untouched(packing.fits.by_request, touched),
        tables=_untouched(packing.fits.tables, touched),
    )
    contests = {
        (begins, blocked, buffer): replace(
            contest,
            seatable=list(contest.seatable),
            suspect=contest.suspect or any(touch.overlaps(*contest.reach) for touch in touched),
        )
        for (begins, blocked, buffer), contest in packing.contests.items()
        if not reordered
        and not any(
            start < micros(blocked) and micros(begins) < end + buffer // MICROSECOND
            for start, end in arrived or ()
        )
    }
    return Packing(
        busy=packing.busy.moved(live, touched) if touched else packing.busy,
        waiting=waiting,
        pacing=packing.pacing if same_waiting and not paced else Pacing(live, waiting),
        fits=fits,
        indexed=dict(packing.indexed) if same_waiting else {},
        contests=contests,
        live=live,
        earlier=packing.earlier if same_waiting else {**packing.earlier, **packing.indexed},
    )


def _touched(before: Sequence[Occupancy], after: Sequence[Occupancy]) -> tuple[list[Touch], bool]:
    """The occupancies that came, went or changed between two lists, as touches, and whether
    any of them carries a party (and so counts for pacing)."""
    earlier = {o.allocation_id: o for o in before}
    changed: list[Occupancy] = []
    for occupancy in after:
        known = earlier.pop(occupancy.allocation_id, None)
        if known is not occupancy and known != occupancy:
            changed.append(occupancy)
            if known is not None:
                changed.append(known)
    changed += earlier.values()
    touches = [Touch.of(o.table_ids, o.start, o.end) for o in changed]
    return touches, any(o.party_size for o in changed)


def _changed_demand(
    before: Sequence[Demand], after: Sequence[Demand]
) -> list[tuple[int, int]] | None:
    """The spans (microseconds, without a buffer) of the waiting bookings that came, went or
    changed between two lists; None when those that stayed are not in the same order (a
    contest lists its rivals in the waiting order, so every one is then made again)."""
    earlier = {d.booking_id: d for d in before}
    changed: list[Demand] = []
    stayed: list[str] = []
    for demand in after:
        known = earlier.pop(demand.booking_id, None)
        if known is demand or known == demand:
            stayed.append(demand.booking_id)
            continue
        changed.append(demand)
        if known is not None:
            changed.append(known)
    changed += earlier.values()
    gone = {d.booking_id for d in changed}
    if stayed != [d.booking_id for d in before if d.booking_id not in gone]:
        return None
    return [(micros(d.start), micros(d.end)) for d in changed]


def _untouched(cache: dict[Request, Kept], touched: Sequence[Touch]) -> dict[Request, Kept]:
    """The entries whose request's span no touch overlaps."""
    if not touched:
        return dict(cache)
    first = min(touch.first for touch in touched)
    last = max(touch.last for touch in touched)
    kept = {}
    for request, value in cache.items():
        start, end = request.first, request.last
        if (
            end <= first
            or start >= last
            or not any(touch.overlaps(start, end) for touch in touched)
        ):
            kept[request] = value
    return kept
