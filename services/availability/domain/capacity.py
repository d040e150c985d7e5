"""Whether a party can be taken at a time, counting allocations and waiting demand: pure rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from services.availability.domain.floor import Floor, Policy
from services.availability.domain.occupancy import Facts
from services.availability.domain.packing import (
    Busy,
    Contest,
    FitCache,
    Packing,
    Request,
    free_fits,
)
from shared.seating.combinations import Candidate

SEARCH_BUDGET = 20_000  # nodes of the packing search per check; see _pack


class Rejection(StrEnum):
    """Why a party cannot be taken."""

    CLOSED = "CLOSED"
    OFF_SLOT = "OFF_SLOT"
    IN_PAST = "IN_PAST"
    PARTY_TOO_LARGE = "PARTY_TOO_LARGE"
    PACING_COVERS = "PACING_COVERS"
    PACING_PARTIES = "PACING_PARTIES"
    NO_TABLE_FITS = "NO_TABLE_FITS"


@dataclass(frozen=True)
class Verdict:
    """The answer of a capacity check.

    `contested` says that bookings still waiting for tables overlap the party's span. A
    re-pack moves only seated bookings and does not count waiting ones, so it could give away
    room they were promised: such a refusal is never sent for a re-pack.
    """

    accepted: bool
    rejection: Rejection | None
    detail: str
    end_time: datetime | None = None
    best: Candidate | None = None
    contested: bool = False
    rescue_needed: bool = False

    @property
    def rescuable(self) -> bool:
        """Refused for want of a table alone: a re-pack of seated bookings may yet seat it."""
        return (
            self.rejection is Rejection.NO_TABLE_FITS
            and not self.contested
            and self.end_time is not None
        )

    def rescued(self, table_ids: Sequence[str]) -> Verdict:
        """This refusal turned into an acceptance that needs other bookings to move first."""
        detail = f"fits at {'+'.join(table_ids)} after a re-pack"
        return replace(self, accepted=True, rejection=None, detail=detail, rescue_needed=True)


def check_capacity(
    floor: Floor,
    policy: Policy,
    facts: Facts,
    candidates: Sequence[Candidate],
    start: datetime,
    party_size: int,
    *,
    now: datetime,
    booking_id: str | None = None,
    packing: Packing | None = None,
) -> Verdict:
    """Whether `party_size` can start at `start`, counting allocations and waiting demand.

    `packing` is what the facts say as of `now` without `booking_id`, when the caller keeps
    one for many checks; else it is made here.
    """
    turn = policy.turn_time(party_size)
    if party_size > policy.max_party_size or turn is None or party_size < 1:
        return Verdict(
            False, Rejection.PARTY_TOO_LARGE, f"{party_size} exceeds what the venue seats"
        )
    end = start + turn
    if start <= now:
        return Verdict(False, Rejection.IN_PAST, "the start time has passed", end)
    if policy.period_at(start) is None:
        return Verdict(False, Rejection.CLOSED, "no service period takes this start time", end)
    if not policy.on_grid(start):
        return Verdict(False, Rejection.OFF_SLOT, "the start time is not on the slot grid", end)
    if packing is None:
        packing = Packing.of(facts, now, excluding=booking_id)
    covers, parties = packing.pacing.load(start, policy.slot_interval)
    paced = _pacing_rejection(policy, covers, parties, party_size)
    if paced is not None:
        return Verdict(False, paced[0], paced[1], end)
    blocked = end + policy.cleaning_buffer
    new = Request(party_size, start, blocked)
    # Without a free fit of its own the party is refused whatever the waiting bookings need;
    # and when those cannot all be seated even without it, no table is left to promise it.
    contest = contest_of(packing, start, blocked, policy.cleaning_buffer)
    best = None
    if free_fits(new, candidates, packing.busy, packing.fits):
        rivals, seatable = _claim(contest, candidates, packing)
        if seatable:
            best = _pack_among(new, rivals, candidates, packing.busy, packing.fits)
    if best is None:
        return Verdict(
            False,
            Rejection.NO_TABLE_FITS,
            "no free table or combination fits",
            end,
            contested=bool(contest.competing),
        )
    return Verdict(True, None, f"fits at {'+'.join(best.table_ids)}", end, best)


def _pacing_rejection(
    policy: Policy, covers: int, parties: int, party_size: int
) -> tuple[Rejection, str] | None:
    max_covers, max_parties = policy.max_covers_per_slot, policy.max_parties_per_slot
    if max_covers is not None and covers + party_size > max_covers:
        return Rejection.PACING_COVERS, f"{covers} of {max_covers} covers booked"
    if max_parties is not None and parties + 1 > max_parties:
        return Rejection.PACING_PARTIES, f"{parties} of {max_parties} parties booked"
    return None


def contest_of(packing: Packing, start: datetime, blocked: datetime, buffer: timedelta) -> Contest:
    """The waiting bookings' claim on [start, blocked), made once per span and packing."""
    key = (start, blocked, buffer)
    known = packing.contests.get(key)
    if known is None:
        competing = packing.competing(start, blocked, buffer, largest_first=True)
        known = packing.contests[key] = Contest(competing)
    return known


def _claim(
    contest: Contest, candidates: Sequence[Candidate], packing: Packing
) -> tuple[tuple[Request, ...], bool]:
    """The contest's rivals that could be seated, and whether they all can be at once (made
    once per contest; a spent search budget counts as yes, so each party searches itself)."""
    if contest.rivals is None:
        fits = partial(free_fits, candidates=candidates, busy=packing.busy, cache=packing.fits)
        contest.rivals = tuple(r for r in contest.competing if fits(r))
        try:
            contest.seatable = _seat(list(contest.rivals), fits) is not None
        except _BudgetSpent:
            contest.seatable = True
    return contest.rivals, contest.seatable


def pack(
    new: Request,
    competing: Sequence[Request],
    candidates: Sequence[Candidate],
    busy: Busy,
    cache: FitCache | None = None,
) -> Candidate | None:
    """A candidate for `new` such that every competing request that could be seated still can.

    A waiting booking with no free fit even on its own is already lost to this floor; it
    does not block others. The search is depth-first, the new party first and then the
    largest parties, each trying its free fits by fewest tables and least waste. Past
    SEARCH_BUDGET nodes it stops and answers for the new party alone: a check must stay
    fast, and the database's exclusion constraint, not this answer, prevents a double booking.
    """
    memo = cache if cache is not None else FitCache()
    rivals = sorted(
        (r for r in competing if free_fits(r, candidates, busy, memo)), key=_largest_first
    )
    return _pack_among(new, rivals, candidates, busy, memo)


def _largest_first(request: Request) -> int:
    return -request.party_size


def _pack_among(
    new: Request,
    rivals: Sequence[Request],
    candidates: Sequence[Candidate],
    busy: Busy,
    cache: FitCache,
) -> Candidate | None:
    """`pack` over rivals already kept (each with a free fit) and ordered, largest first."""
    fits = partial(free_fits, candidates=candidates, busy=busy, cache=cache)
    try:
        chosen = _seat([new, *rivals], fits)
    except _BudgetSpent:
        alone = fits(new)
        return alone[0] if alone else None
    return chosen[0] if chosen else None


def _seat(
    order: list[Request], fits: Callable[[Request], list[Candidate]]
) -> list[Candidate] | None:
    """A free fit for each request, in order, no two sharing a table over a shared span
    (depth-first, at most SEARCH_BUDGET nodes, else _BudgetSpent); None when none exists."""
    nodes = 0
    chosen: list[tuple[Candidate, Request]] = []

    def clashes(candidate: Candidate, request: Request) -> bool:
        return any(
            set(candidate.table_ids) & set(other.table_ids)
            and request.start < taken.blocked_until
            and taken.start < request.blocked_until
            for other, taken in chosen
        )

    def place(index: int) -> bool:
        nonlocal nodes
        if index == len(order):
            return True
        request = order[index]
        for candidate in fits(request):
            nodes += 1
            if nodes > SEARCH_BUDGET:
                raise _BudgetSpent
            if not clashes(candidate, request):
                chosen.append((candidate, request))
                if place(index + 1):
                    return True
                chosen.pop()
        return False

    return [candidate for candidate, _ in chosen] if place(0) else None


class _BudgetSpent(Exception):
    """The packing search reached its node budget."""
