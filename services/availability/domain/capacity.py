"""Whether a party can be taken at a time, counting allocations and waiting demand: pure rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from operator import attrgetter

from services.availability.domain.busy import Busy, micros
from services.availability.domain.floor import Floor, Policy
from services.availability.domain.occupancy import Facts
from services.availability.domain.packing import (
    Contest,
    FitCache,
    Packing,
    Request,
    free_fits,
)
from shared.seating.combinations import Candidate

_FIRST, _LAST = attrgetter("first"), attrgetter("last")
SEARCH_BUDGET = 20_000  # nodes of the packing search per check; see _pack_among


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
    # with one, it must leave room for the waiting bookings its fits could take tables from.
    contest = contest_of(packing, start, blocked, policy.cleaning_buffer)
    best = None
    alone = free_fits(new, candidates, packing.busy, packing.fits)
    if alone:
        near = _near(alone, _claim(contest, candidates, packing), candidates, packing)
        if near is not None:
            best = _pack_among(new, near, candidates, packing.busy, packing.fits)
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
        first, last = micros(start), micros(blocked)
        reach = (
            min(first, min(map(_FIRST, competing), default=first)),
            max(last, max(map(_LAST, competing), default=last)),
        )
        known = packing.contests[key] = Contest(competing, reach)
    return known


def _claim(contest: Contest, candidates: Sequence[Candidate], packing: Packing) -> Contest:
    """The contest with its rivals (those with a free fit, largest first) and their groups
    (rivals that could contend for a table, directly or through others), made once, and made
    again when a change touched it and altered a free fit they were worked out from."""
    cache = packing.fits
    if contest.suspect:
        contest.suspect = False
        if any(
            free_fits(request, candidates, packing.busy, cache) != fits
            for request, fits in contest.fits.items()
        ):
            contest.rivals = None
    if contest.rivals is None:
        # The same party waits many times over on a busy day: each request is looked at once.
        contest.fits = {
            request: free_fits(request, candidates, packing.busy, cache)
            for request in dict.fromkeys(contest.competing)
        }
        tables = {request: _tables(request, fits, cache) for request, fits in contest.fits.items()}
        contest.rivals = tuple(r for r in contest.competing if tables[r])
        contest.groups = _groups(contest.rivals, [tables[r] for r in contest.rivals])
        contest.seatable = [None] * len(contest.groups)
    return contest


def _tables(request: Request, fits: Sequence[Candidate], cache: FitCache) -> frozenset[str]:
    """The tables among a request's free fits (cached by request)."""
    found = cache.tables.get(request)
    if found is None:
        found = cache.tables[request] = frozenset(t for fit in fits for t in fit.table_ids)
    return found


def _groups(
    rivals: Sequence[Request], tables: Sequence[frozenset[str]]
) -> list[tuple[frozenset[str], frozenset[int]]]:
    """The rivals joined when their spans overlap and their fits share a table, directly or
    through others: each group's tables and its rivals' positions."""
    leader = list(range(len(rivals)))

    def find(index: int) -> int:
        while leader[index] != index:
            leader[index] = leader[leader[index]]
            index = leader[index]
        return index

    def join(one: int, other: int) -> None:
        leader[find(one)] = find(other)

    # Equal requests are one party's twins: the first stands for the rest.
    first: dict[Request, int] = {}
    users: dict[str, list[int]] = defaultdict(list)
    for index, rival in enumerate(rivals):
        if first.setdefault(rival, index) != index:
            join(index, first[rival])
            continue
        for table_id in tables[index]:
            users[table_id].append(index)
    # On each table, by start: a span overlaps an earlier one exactly when it starts before
    # the latest end so far, and then it overlaps the span that reaches that end.
    for sharing in users.values():
        sharing.sort(key=lambda index: rivals[index].start)
        reach = sharing[0]
        for index in sharing[1:]:
            if rivals[index].start < rivals[reach].blocked_until:
                join(index, reach)
            if rivals[index].blocked_until > rivals[reach].blocked_until:
                reach = index
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(rivals)):
        members[find(index)].append(index)
    return [
        (frozenset().union(*(tables[i] for i in group)), frozenset(group))
        for group in members.values()
    ]


def _near(
    fits: Sequence[Candidate],
    contest: Contest,
    candidates: Sequence[Candidate],
    packing: Packing,
) -> list[Request] | None:
    """The rivals whose fits share a table with `fits`, directly or through other rivals
    (every rival's span overlaps the party's), in the contest's order; None when some group of
    them cannot all be seated even without the party (searched once per group; a spent search
    budget counts as seatable, so the party searches itself)."""
    wanted = frozenset(table_id for fit in fits for table_id in fit.table_ids)
    rivals = contest.rivals or ()
    positions: set[int] = set()
    for index, (found, members) in enumerate(contest.groups):
        if not found & wanted:
            continue
        if contest.seatable[index] is None:
            group = [rival for at, rival in enumerate(rivals) if at in members]
            seat = partial(free_fits, candidates=candidates, busy=packing.busy, cache=packing.fits)
            try:
                contest.seatable[index] = _seat(group, seat) is not None
            except _BudgetSpent:
                contest.seatable[index] = True
        if not contest.seatable[index]:
            return None
        positions |= members
    return [rival for at, rival in enumerate(rivals) if at in positions]


def _pack_among(
    new: Request,
    rivals: Sequence[Request],
    candidates: Sequence[Candidate],
    busy: Busy,
    cache: FitCache,
) -> Candidate | None:
    """A candidate for `new` such that every rival (each with a free fit, largest first)
    can still be seated.

    The search is depth-first, the new party first and then the rivals, each trying its
    free fits by fewest tables and least waste. Past SEARCH_BUDGET nodes it stops and answers
    for the new party alone: a check must stay fast, and the database's exclusion constraint,
    not this answer, prevents a double booking.
    """
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
