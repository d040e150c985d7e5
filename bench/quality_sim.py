"""Seeded floors and simulated booking days (with lead times) for the seating quality benchmark.

Nothing here does I/O or reads a clock. A day is one dinner service of a fixed weekday; its
requests come in the order they were made (start minus lead). `load` scales the requests to
the floor: load 1.0 asks for about TURNS table turns per table over the evening.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from bench.day_generator import BUFFER_MINUTES, PARTY_MIX, SEATS, make_floor, turn_minutes
from shared.seating.combinations import (
    Candidate,
    CombinationRule,
    ExplicitCombination,
    Seat,
    floor_candidates,
)

TURNS = 2.4  # requests per table at load 1.0: about what a dinner turns when full
FIRST_SLOT, LAST_SLOT = 17 * 60 + 30, 22 * 60  # starts on the 15-minute grid: the dinner service
PEAK_MINUTE, PEAK_WIDTH = 19 * 60 + 45, 55  # demand peaks 19:00-20:30 (a Gaussian bump)
BASE_WEIGHT = 0.25  # the share of the peak's weight every slot keeps
DAY_SPREAD = 0.12  # day-to-day variation of the request count (standard deviation, relative)
PEAK_JITTER = 15  # the day's peak moves by up to this many minutes
# (largest party, median lead in minutes): larger parties book further ahead.
LEAD_MEDIANS = ((2, 1440), (4, 2880), (8, 5760))
LEAD_SIGMA = 1.3  # lognormal spread of the lead
WALK_IN_SHARE = 0.12  # requests made in the last two hours
MAX_LEAD = 30 * 24 * 60  # nobody books more than a month ahead
MAX_TABLES = 3  # tables per derived combination on floors with adjacency
JOIN_LOSS = 1  # seats lost where two tables join, on the floor with operator rules


@dataclass(frozen=True)
class Floor:
    """A floor as the engine and the policies see it."""

    name: str
    seats: tuple[Seat, ...]
    candidates: tuple[Candidate, ...]
    edges: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Request:
    """One booking request of a simulated day."""

    key: str
    party_size: int
    start_minute: int
    blocked_until_minute: int  # start + turn + cleaning buffer
    lead_minutes: int

    @property
    def made_minute(self) -> int:
        return self.start_minute - self.lead_minutes


def table_allocation_floor() -> Floor:
    """SimOpt's TABLEALLOCATION mix: 10 two-, 5 four-, 4 six- and 2 eight-tops, no joins."""
    sizes = [2] * 10 + [4] * 5 + [6] * 4 + [8] * 2
    seats = tuple(
        Seat(f"t{n + 1:02d}", "z1", SEATS[size][0], SEATS[size][1], False)
        for n, size in enumerate(sizes)
    )
    candidates = tuple(Candidate((s.table_id,), s.min_seats, s.max_seats) for s in seats)
    return Floor("tableallocation-21", seats, candidates, frozenset())


def rows_floor(tables: int, seed: int, *, operator_rules: bool = False) -> Floor:
    """The day generator's floor of zones and rows, with derived combinations of neighbours.

    With `operator_rules`, a join loses a seat (JOIN_LOSS) and each zone's first two
    adjacent pairs are explicit combinations seating 3 to their full sum, ranked first.
    """
    made = make_floor(tables, seed)
    seats = tuple(
        Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, t.combinable) for t in made.tables
    )
    neighbours: dict[str, set[str]] = {s.table_id: set() for s in seats}
    for a, b in made.adjacency:
        neighbours[a].add(b)
        neighbours[b].add(a)
    rule, explicit = CombinationRule(), []
    if operator_rules:
        rule = CombinationRule(seats_lost_per_join=JOIN_LOSS)
        explicit = _explicit_pairs(seats, made.adjacency)
    candidates = floor_candidates(
        seats, neighbours, max_tables=MAX_TABLES, cross_zone=False, rule=rule, explicit=explicit
    )
    name = f"rows-{tables}{'-operator' if operator_rules else ''}"
    return Floor(name, seats, tuple(candidates), frozenset(made.adjacency))


def _explicit_pairs(
    seats: tuple[Seat, ...], adjacency: tuple[tuple[str, str], ...]
) -> list[ExplicitCombination]:
    by_id = {s.table_id: s for s in seats}
    per_zone: dict[str, list[ExplicitCombination]] = {}
    for a, b in adjacency:
        first, second = by_id[a], by_id[b]
        pairs = per_zone.setdefault(first.zone_id, [])
        if first.combinable and second.combinable and len(pairs) < 2:
            high = first.max_seats + second.max_seats
            pairs.append(ExplicitCombination((a, b), min(3, high), high, priority=1))
    return [pair for pairs in per_zone.values() for pair in pairs]


def make_requests(floor: Floor, load: float, seed: int) -> list[Request]:
    """One evening's requests at `floor`, in the order they were made."""
    rng = random.Random(seed)
    largest = max(s.max_seats for s in floor.seats) if len(floor.edges) == 0 else 99
    mix = [(size, weight) for size, weight in PARTY_MIX if size <= min(largest, 10)]
    mean = load * TURNS * len(floor.seats) * max(rng.gauss(1.0, DAY_SPREAD), 0.5)
    count = _poisson_large(mean, rng)
    peak = PEAK_MINUTE + rng.randint(-PEAK_JITTER, PEAK_JITTER)
    slots = list(range(FIRST_SLOT, LAST_SLOT + 1, 15))
    weights = [BASE_WEIGHT + math.exp(-(((s - peak) / PEAK_WIDTH) ** 2) / 2) for s in slots]
    requests = []
    for index in range(count):
        party = rng.choices([p for p, _ in mix], weights=[w for _, w in mix])[0]
        start = rng.choices(slots, weights=weights)[0]
        end = start + turn_minutes(party) + BUFFER_MINUTES
        requests.append(Request(f"r{index:04d}", party, start, end, _lead(party, start, rng)))
    return sorted(requests, key=lambda r: (r.made_minute, r.key))


def _lead(party: int, start: int, rng: random.Random) -> int:
    if rng.random() < WALK_IN_SHARE:
        return rng.randint(0, 120)
    median = next((m for top, m in LEAD_MEDIANS if party <= top), LEAD_MEDIANS[-1][1])
    return min(int(rng.lognormvariate(math.log(median), LEAD_SIGMA)), MAX_LEAD) + 1


def _poisson_large(mean: float, rng: random.Random) -> int:
    """A Poisson draw for a large mean (normal approximation, at least 0)."""
    return max(round(rng.gauss(mean, math.sqrt(mean))), 0)
