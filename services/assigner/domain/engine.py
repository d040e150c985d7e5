"""The SmartAssignmentEngine: free candidates that fit, scored by every strategy, best first."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from services.assigner.domain.plans import (
    AssignmentRequest,
    Contribution,
    Plan,
    TableInfo,
    UpcomingBooking,
)
from services.assigner.domain.strategies import STRATEGIES, Stake, StrategyContext
from shared.seating.combinations import Candidate

MAX_SCORED = 400  # past this many free fits, only the best by (tables, waste) are scored
MAX_STAKES = 50  # look-ahead weighs at most this many overlapping bookings, earliest first
MINUTE = timedelta(minutes=1)
SCORE_DIGITS = 9  # totals are rounded so equal sums tie exactly and the tie-breaks decide

Span = tuple[datetime, datetime]
Busy = Mapping[str, Sequence[Span]]


def rank_plans(
    request: AssignmentRequest,
    tables: Mapping[str, TableInfo],
    candidates: Sequence[Candidate],
    busy: Busy,
    context: StrategyContext,
    weights: Mapping[str, float] | None = None,
    limit: int = 10,
) -> list[Plan]:
    """The free candidates that fit the party, scored and ranked, at most `limit` of them.

    A candidate qualifies when it seats the party, all its tables are in `tables`, and none is
    busy over [request.start, request.blocked_until) (spans are half-open). Every enabled
    strategy scores it; the total is sum(weight * score) / sum(weight). Plans are ordered by
    total (desc), then an explicit combination's priority (desc), fewer minutes stranded
    between the party and its tables' other bookings (_stranded_minutes), fewer tables, less
    waste, and table ids, so equal inputs in any order
    give equal answers. To bound the work on a big, quiet floor, only the MAX_SCORED best
    free fits by (tables, waste, ids) are scored: the others have more tables or more spare
    seats than all of those, which exact_fit and adjacency penalise, so they rarely win.
    """
    if request.party_size < 1 or request.start >= request.blocked_until:
        raise ValueError("a request needs a party of at least one and a non-empty span")
    enabled = enabled_weights(weights)
    if limit < 1:
        return []
    fits = _FitIndex(candidates, frozenset(tables))
    blocked = _Blocked(busy)
    taken = blocked.over(request.start, request.blocked_until)
    free = _distinct(fits.free_fits(request.party_size, taken))
    shortlist = sorted(free, key=lambda c: _pre_rank(c, request.party_size))[:MAX_SCORED]
    if not shortlist:
        return []
    if "look_ahead" in enabled:  # the one strategy that needs facts derived from busy spans
        stakes = _stakes(request, fits, blocked, context.upcoming, shortlist)
        context = replace(context, stakes=stakes)
    stranded = _stranded_minutes(shortlist, request, busy)
    ranked = sorted(
        ((c, _plan(request, c, tables, context, enabled)) for c in shortlist),
        key=lambda pair: (
            -pair[1].score,
            -pair[0].priority,
            sum(stranded[t] for t in pair[0].table_ids),
            *_pre_rank(pair[0], request.party_size),
        ),
    )
    return [plan for _, plan in ranked[:limit]]


def enabled_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Each registered strategy's weight (1.0 unless given), without those weighted 0.

    Names no strategy is registered under are ignored (see unknown_strategies).
    """
    enabled: dict[str, float] = {}
    for name in STRATEGIES:
        weight = 1.0 if weights is None else float(weights.get(name, 1.0))
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"the weight of {name} must be a finite number >= 0, not {weight}")
        if weight > 0:
            enabled[name] = weight
    return enabled


def blocked_tables(busy: Busy, span: Span) -> frozenset[str]:
    """The tables with a busy span overlapping `span` (all spans half-open)."""
    return _Blocked(busy).over(*span)


class _Blocked:
    """The busy spans flattened and sorted by start, answering which tables a span meets."""

    def __init__(self, busy: Busy) -> None:
        self._spans = sorted((s, e, table) for table, spans in busy.items() for s, e in spans)
        self._starts = [s for s, _, _ in self._spans]
        self._seen: dict[Span, frozenset[str]] = {}

    def over(self, start: datetime, end: datetime) -> frozenset[str]:
        found = self._seen.get((start, end))
        if found is None:
            before_end = self._spans[: bisect_left(self._starts, end)]
            found = frozenset(table for _, e, table in before_end if start < e)
            self._seen[(start, end)] = found
        return found


class _FitIndex:
    """The candidates on known tables, grouped by seat range with single tables first.

    A party's fits are then found without testing every candidate.
    """

    def __init__(self, candidates: Sequence[Candidate], known: frozenset[str]) -> None:
        groups: dict[tuple[int, int, bool], list[Candidate]] = {}
        for c in candidates:
            if known.issuperset(c.table_ids):
                key = (c.min_seats, c.max_seats, len(c.table_ids) == 1)
                groups.setdefault(key, []).append(c)
        self._groups = sorted(
            ((low, high, single, group) for (low, high, single), group in groups.items()),
            key=lambda g: (not g[2], g[0], g[1]),
        )

    def free_fits(self, party_size: int, blocked: frozenset[str]) -> Iterator[Candidate]:
        """The candidates that seat the party on unblocked tables, single tables first."""
        for low, high, _, group in self._groups:
            if low <= party_size <= high:
                yield from (c for c in group if blocked.isdisjoint(c.table_ids))


def _distinct(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per table set (the smallest seat range), whatever order they came in."""
    unique: dict[tuple[str, ...], Candidate] = {}
    for c in candidates:
        seen = unique.get(c.table_ids)
        if seen is None or (c.min_seats, c.max_seats) < (seen.min_seats, seen.max_seats):
            unique[c.table_ids] = c
    return list(unique.values())


def _pre_rank(candidate: Candidate, party_size: int) -> tuple[int, int, tuple[str, ...]]:
    return len(candidate.table_ids), candidate.waste(party_size), candidate.table_ids


def _stranded_minutes(
    shortlist: Sequence[Candidate], request: AssignmentRequest, busy: Busy
) -> dict[str, int]:
    """Minutes the party would strand on each table of the shortlist: each gap between its span
    and the nearest busy span before or after it that is shorter than the party's own stay
    (too short for a party like it). A plan strands the sum over its tables, and one that
    leaves whole turns free ranks first. Computed once per table, not once per plan."""
    stay = request.blocked_until - request.start
    stranded: dict[str, int] = {}
    for table_id in {t for c in shortlist for t in c.table_ids}:
        spans = busy.get(table_id, ())
        before = max((e for _, e in spans if e <= request.start), default=None)
        after = min((s for s, _ in spans if s >= request.blocked_until), default=None)
        gaps = (
            request.start - before if before is not None else None,
            after - request.blocked_until if after is not None else None,
        )
        stranded[table_id] = sum(gap // MINUTE for gap in gaps if gap is not None and gap < stay)
    return stranded


def _plan(
    request: AssignmentRequest,
    candidate: Candidate,
    tables: Mapping[str, TableInfo],
    context: StrategyContext,
    enabled: Mapping[str, float],
) -> Plan:
    contributions = []
    for name, weight in enabled.items():
        verdict = STRATEGIES[name](request, candidate, tables, context)
        if not 0.0 <= verdict.score <= 1.0:
            raise ValueError(f"strategy {name} scored {verdict.score}, outside [0, 1]")
        contributions.append(Contribution(name, weight, verdict.score, verdict.reason))
    total_weight = sum(enabled.values())
    total = sum(c.weight * c.score for c in contributions) / total_weight if enabled else 0.0
    return Plan(
        table_ids=candidate.table_ids,
        score=round(total, SCORE_DIGITS),
        contributions=tuple(contributions),
        total_seats=candidate.max_seats,
    )


def _stakes(
    request: AssignmentRequest,
    fits: _FitIndex,
    blocked: _Blocked,
    upcoming: Sequence[UpcomingBooking],
    shortlist: Sequence[Candidate],
) -> tuple[Stake, ...]:
    overlapping = sorted(
        (
            u
            for u in upcoming
            if u.booking_id != request.booking_id
            and u.start < request.blocked_until
            and request.start < u.blocked_until
        ),
        key=lambda u: (u.start, u.booking_id),
    )
    reach = frozenset(t for c in shortlist for t in c.table_ids)
    widest = max(len(c.table_ids) for c in shortlist)
    return tuple(_stake(u, fits, blocked, reach, widest) for u in overlapping[:MAX_STAKES])


def _stake(
    booking: UpcomingBooking, fits: _FitIndex, blocked: _Blocked, reach: frozenset[str], widest: int
) -> Stake:
    """The booking's free fits, unless no plan can take them all (then `safe`).

    Plans only use the tables in `reach`, so one free fit outside it makes the booking safe;
    so do more than `widest` pairwise disjoint fits, since a plan of at most `widest` tables
    meets at most that many. The disjoint ones are picked greedily in the order met, which
    may prove safety for one order and not another, but it changes no score (a booking not
    proven safe is judged on all its fits) nor any reason (see strategies.look_ahead).
    """
    options: dict[tuple[str, ...], Candidate] = {}
    used: set[str] = set()
    disjoint = 0
    for candidate in fits.free_fits(
        booking.party_size, blocked.over(booking.start, booking.blocked_until)
    ):
        option = candidate.table_ids
        if reach.isdisjoint(option):
            return Stake(booking, (), safe=True)
        if used.isdisjoint(option):
            used.update(option)
            disjoint += 1
            if disjoint > widest:
                return Stake(booking, (), safe=True)
        options[option] = candidate
    return Stake(booking, tuple(options.values()), safe=False)
