"""The engine's pluggable scorers, registered by name, and the venue facts they read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from itertools import combinations
from types import MappingProxyType

from services.assigner.domain.plans import (
    AssignmentRequest,
    SuccessCounts,
    TableInfo,
    UpcomingBooking,
)
from shared.seating.combinations import Candidate

TABLE_DECAY = 0.6  # adjacency keeps 60% per extra table: 1 table 1.0, 2 tables 0.6, 3 0.36
TIGHT_SHARE = 0.5  # a fully meshed combination climbs half way to one table fewer
GUEST_MISS = 0.5  # outside the guest's zone, the venue's order counts at half
BANDS = ((2, "1-2"), (4, "3-4"), (6, "5-6"), (8, "7-8"))

HistoryKey = tuple[str, str, int]  # (table_key, party_band, local hour)


@dataclass(frozen=True)
class Stake:
    """An overlapping later booking and the free table sets that still fit it (look-ahead).

    `options` lists every such set unless `safe`: the booking then keeps a free fit whichever
    scored plan is chosen, so its options need not be kept.
    """

    booking: UpcomingBooking
    options: tuple[Candidate, ...]
    safe: bool

    def stranded_by(self, taken: frozenset[str]) -> bool:
        return not self.safe and all(
            not taken.isdisjoint(option.table_ids) for option in self.options
        )


@dataclass(frozen=True)
class StrategyContext:
    """What the strategies know beyond the plan: the venue's graph, tastes, history and day.

    `stakes` is derived by the engine from the candidates and busy spans; callers leave it unset.
    """

    edges: frozenset[tuple[str, str]] = frozenset()
    zone_preference: tuple[str, ...] = ()
    history: Mapping[HistoryKey, SuccessCounts] = field(default_factory=dict)
    upcoming: tuple[UpcomingBooking, ...] = ()
    timezone: tzinfo = UTC
    stakes: tuple[Stake, ...] | None = None


@dataclass(frozen=True)
class Assessment:
    """One strategy's verdict on one plan: a score in [0, 1] and the reason, for ops."""

    score: float
    reason: str


Strategy = Callable[
    [AssignmentRequest, Candidate, Mapping[str, TableInfo], StrategyContext], Assessment
]

_REGISTRY: dict[str, Strategy] = {}
STRATEGIES: Mapping[str, Strategy] = MappingProxyType(_REGISTRY)  # in registration order


def strategy(name: str) -> Callable[[Strategy], Strategy]:
    """Register a scorer under `name`; the engine runs every registered one."""

    def register(scorer: Strategy) -> Strategy:
        if name in _REGISTRY:
            raise ValueError(f"strategy {name!r} is already registered")
        _REGISTRY[name] = scorer
        return scorer

    return register


def unknown_strategies(weights: Mapping[str, float]) -> list[str]:
    """The names in `weights` that no strategy is registered under, sorted."""
    return sorted(name for name in weights if name not in _REGISTRY)


def party_band(size: int) -> str:
    """The party-size band history is aggregated by: 1-2, 3-4, 5-6, 7-8 or 9+."""
    if size < 1:
        raise ValueError(f"a party has at least one guest, not {size}")
    return next((band for top, band in BANDS if size <= top), "9+")


def table_key(table_ids: Iterable[str]) -> str:
    """The key of a table set in the history: its ids, sorted, joined by '+'."""
    return "+".join(sorted(table_ids))


def local_hour(moment: datetime, timezone: tzinfo) -> int:
    """The hour of `moment` at the venue; a naive time is taken as already local."""
    return moment.hour if moment.tzinfo is None else moment.astimezone(timezone).hour


@strategy("exact_fit")
def exact_fit(
    request: AssignmentRequest,
    candidate: Candidate,
    tables: Mapping[str, TableInfo],
    context: StrategyContext,
) -> Assessment:
    """1 / (1 + wasted seats): no waste 1.0, one spare seat 0.5, two 0.33.

    Seats lost where tables join are wasted too: two 2-tops joined to seat 3 waste a seat, as
    a 4-top seating 3 does (it takes two tables besides, which adjacency weighs), so a floor
    whose joins lose seats does not trade its small tables for a snug-looking join.
    """
    table_seats = sum(tables[t].max_seats for t in candidate.table_ids if t in tables)
    waste = max(candidate.max_seats, table_seats) - request.party_size
    waste = max(waste, 0)
    lost = max(table_seats - candidate.max_seats, 0)
    joined = f" ({_seats(lost)} lost where they join)" if lost else ""
    return Assessment(1 / (1 + waste), f"{_seats(waste)} spare on {_describe(candidate)}{joined}")


@strategy("adjacency")
def adjacency(
    request: AssignmentRequest,
    candidate: Candidate,
    tables: Mapping[str, TableInfo],
    context: StrategyContext,
) -> Assessment:
    """TABLE_DECAY per extra table, plus a bonus for adjacencies beyond a chain's."""
    count = len(candidate.table_ids)
    if count == 1:
        return Assessment(1.0, "a single table, no join")
    edges = context.edges
    joins = sum(
        1 for a, b in combinations(candidate.table_ids, 2) if (a, b) in edges or (b, a) in edges
    )
    extra_possible = (count - 1) * (count - 2) // 2  # a full mesh's joins beyond a chain's
    tightness = min(max(joins - (count - 1), 0) / extra_possible, 1.0) if extra_possible else 0.0
    base = TABLE_DECAY ** (count - 1)
    score = base + (base / TABLE_DECAY - base) * TIGHT_SHARE * tightness
    shape = f", {joins} adjacencies among them" if count > 2 else ""
    return Assessment(score, f"{count} tables joined{shape}")


@strategy("zone_preference")
def zone_preference(
    request: AssignmentRequest,
    candidate: Candidate,
    tables: Mapping[str, TableInfo],
    context: StrategyContext,
) -> Assessment:
    """Guest's zone 1.0; else the venue's order by rank (halved for a guest miss); 0.5 neutral."""
    zones = sorted({tables[t].zone_id for t in candidate.table_ids})
    where = f"zone {zones[0]}" if len(zones) == 1 else "zones " + " and ".join(zones)
    wanted = request.preferred_zone_id
    if wanted and zones == [wanted]:
        return Assessment(1.0, f"in {where}, the guest's choice")
    order = context.zone_preference
    rank = max((order.index(z) if z in order else len(order)) for z in zones)
    venue_score = 1 - rank / len(order) if order else 0.0
    if rank >= len(order):
        venue_text = "outside the venue's preferred zones" if order else ""
    else:
        venue_text = f"the venue's choice {rank + 1} of {len(order)}"
    if wanted:
        miss = ", ".join(filter(None, (f"not the guest's zone {wanted}", venue_text)))
        return Assessment(GUEST_MISS * venue_score, f"in {where}, {miss}")
    if not order:
        return Assessment(0.5, f"in {where}; no zone preference")
    return Assessment(venue_score, f"in {where}, {venue_text}")


@strategy("historical_success")
def historical_success(
    request: AssignmentRequest,
    candidate: Candidate,
    tables: Mapping[str, TableInfo],
    context: StrategyContext,
) -> Assessment:
    """Laplace-smoothed success rate, (successes + 1) / (seatings + 2); 0.5 without history."""
    band = party_band(request.party_size)
    hour = local_hour(request.start, context.timezone)
    counts = context.history.get((table_key(candidate.table_ids), band, hour))
    when = f"parties of {band} at {hour:02d}:00"
    good = max(counts.successes, 0) if counts else 0
    seatings = good + (max(counts.failures, 0) if counts else 0)
    if seatings == 0:
        return Assessment(0.5, f"no history for {when}")
    return Assessment((good + 1) / (seatings + 2), f"{good} of {seatings} past {when} went well")


@strategy("look_ahead")
def look_ahead(
    request: AssignmentRequest,
    candidate: Candidate,
    tables: Mapping[str, TableInfo],
    context: StrategyContext,
) -> Assessment:
    """1 - the share of overlapping bookings, with a free fit today, that this plan strands."""
    if context.stakes is None:
        raise ValueError("look_ahead needs the stakes the engine derives; call rank_plans")
    stakes = [s for s in context.stakes if s.safe or s.options]
    if not stakes:
        return Assessment(1.0, "no later booking depends on these tables")
    taken = frozenset(candidate.table_ids)
    lost = [s for s in stakes if not s.safe and s.stranded_by(taken)]
    tz = context.timezone
    if lost:
        more = f" and {len(lost) - 1} more" if len(lost) > 1 else ""
        reason = f"leaves no free fit for {_party(lost[0].booking, tz)}{more}"
        return Assessment(1 - len(lost) / len(stakes), f"{reason} ({len(stakes)} overlapping)")
    return Assessment(1.0, _spared(stakes, tz))


def _spared(stakes: list[Stake], tz: tzinfo) -> str:
    """Why a plan that strands nobody is safe: the booking it leaves its only fit, if any.

    Only facts that do not depend on the order of the candidates are named: whether a
    booking has exactly one free fit, never how many it has.
    """
    scarce = next((s for s in stakes if not s.safe and len(s.options) == 1), None)
    if scarce is not None:
        only = scarce.options[0]  # its covers are the venue's for the set, not a sum of seats
        fit = f"the only fit ({'+'.join(only.table_ids)}, {only.max_seats} seats)"
        return f"keeps {fit} free for {_party(scarce.booking, tz)}"
    if len(stakes) == 1:
        return f"leaves a free fit for {_party(stakes[0].booking, tz)}"
    return f"leaves a free fit for each of the {len(stakes)} overlapping bookings"


def _seats(count: int) -> str:
    return "no seats" if count == 0 else "1 seat" if count == 1 else f"{count} seats"


def _describe(candidate: Candidate) -> str:
    if len(candidate.table_ids) == 1:
        seats = candidate.max_seats
        article = "an" if str(seats).startswith("8") or seats in (11, 18) else "a"
        return f"{article} {seats}-top"
    return f"{len(candidate.table_ids)} tables of {candidate.max_seats} seats"


def _party(booking: UpcomingBooking, timezone: tzinfo) -> str:
    start = booking.start if booking.start.tzinfo is None else booking.start.astimezone(timezone)
    return f"a party of {booking.party_size} at {start:%H:%M}"
