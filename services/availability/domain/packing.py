"""What capacity checks at one moment reuse: busy spans, waiting bookings, pacing, fits."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from services.availability.domain.occupancy import Demand, Facts, Occupancy
from shared.seating.combinations import Candidate

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Request:
    """A party that needs tables over [start, blocked_until)."""

    party_size: int
    start: datetime
    blocked_until: datetime
    # Requests key the fit cache hundreds of times per check: hash them once.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.party_size, self.start, self.blocked_until)))

    def __hash__(self) -> int:
        return self._hash


class Busy:
    """Every table's blocked spans, indexed so that "which tables are blocked over a span"
    takes a binary search per table rather than a scan of the day."""

    def __init__(self, spans: dict[str, list[tuple[datetime, datetime]]]) -> None:
        # In whole microseconds: comparing aware datetimes costs a time-zone call each.
        self._index: dict[str, tuple[list[int], list[int]]] = {}
        for table_id, found in spans.items():
            ordered = sorted((_micros(start), _micros(end)) for start, end in found)
            # reach[i]: the latest end among the first i + 1 spans by start.
            reach = list(accumulate((end for _, end in ordered), max))
            self._index[table_id] = ([start for start, _ in ordered], reach)
        self._taken: dict[tuple[datetime, datetime], frozenset[str]] = {}

    @classmethod
    def of(cls, occupancies: Iterable[Occupancy]) -> Busy:
        """The tables' blocked spans from the occupancies that count."""
        spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        for occupancy in occupancies:
            for table_id in occupancy.table_ids:
                spans[table_id].append((occupancy.start, occupancy.end))
        return cls(spans)

    def taken(self, start: datetime, end: datetime) -> frozenset[str]:
        """The tables blocked at some moment of [start, end), found once per span: the
        waiting bookings share a few dozen spans, and a candidate is then one set test."""
        key = (start, end)
        found = self._taken.get(key)
        if found is None:
            first, last = _micros(start), _micros(end)
            found = self._taken[key] = frozenset(
                table_id
                for table_id, (starts, reach) in self._index.items()
                if (before_end := bisect_left(starts, last)) and reach[before_end - 1] > first
            )
        return found


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


class Pacing:
    """The covers and parties whose bookings start in any span, from prefix sums."""

    def __init__(self, live: Sequence[Occupancy], waiting: Sequence[Demand]) -> None:
        parties = sorted(
            [(o.start, o.party_size) for o in live if o.party_size]
            + [(d.start, d.party_size) for d in waiting]
        )
        self._starts = [start for start, _ in parties]
        self._covers = [0, *accumulate(size for _, size in parties)]

    def load(self, slot: datetime, interval: timedelta) -> tuple[int, int]:
        """The covers and parties whose bookings start in [slot, slot + interval)."""
        first = bisect_left(self._starts, slot)
        after = bisect_left(self._starts, slot + interval)
        return self._covers[after] - self._covers[first], after - first


class Waiting:
    """The waiting bookings as requests with their cleaning buffer, indexed by start, so the
    ones whose span overlaps a party's take a binary search rather than a scan of the day."""

    def __init__(self, waiting: Sequence[Demand], buffer: timedelta) -> None:
        # Equal requests share one object, so the fit cache finds them by identity.
        shared: dict[Request, Request] = {}
        requests = []
        for d in waiting:
            request = Request(d.party_size, d.start, d.end + buffer)
            requests.append(shared.setdefault(request, request))
        # Positions in `waiting` by start: overlapping() keeps the order of `waiting`.
        by_start = sorted((r.start, n) for n, r in enumerate(requests))
        self._starts = [start for start, _ in by_start]
        self._positions = [n for _, n in by_start]
        self._requests = requests
        self._longest = max((r.blocked_until - r.start for r in requests), default=timedelta(0))
        # Largest party first, then in the order of `waiting` (a stable sort): the order in
        # which a packing seats them, with their spans in microseconds for a plain scan.
        self._ranked = sorted(
            ((r, _micros(r.start), _micros(r.blocked_until)) for r in requests),
            key=lambda found: -found[0].party_size,
        )

    def overlapping(self, start: datetime, end: datetime) -> list[Request]:
        """The requests whose span overlaps [start, end), in the order of the waiting list."""
        first = bisect_right(self._starts, start - self._longest)
        last = bisect_left(self._starts, end)
        found = map(self._requests.__getitem__, sorted(self._positions[first:last]))
        return [r for r in found if r.blocked_until > start]

    def largest_first(self, start: datetime, end: datetime) -> list[Request]:
        """The same requests as `overlapping`, largest party first (equal ones as there)."""
        first, last = _micros(start), _micros(end)
        return [r for r, begins, ends in self._ranked if begins < last and ends > first]


@dataclass
class FitCache:
    """The fits by party size, and the free fits by request against one `Busy` (and the
    tables among them)."""

    by_size: dict[int, list[Candidate]] = field(default_factory=dict)
    by_request: dict[Request, list[Candidate]] = field(default_factory=dict)
    tables: dict[Request, frozenset[str]] = field(default_factory=dict)


@dataclass
class Contest:
    """What the waiting bookings make of one span: the ones that overlap it (largest party
    first); once a party with a free fit asks, the ones that could be seated there too (with a
    free fit of their own), grouped by the tables they could contend for, and whether each
    group can be seated without it (None until a party asks)."""

    competing: list[Request]
    rivals: tuple[Request, ...] | None = None
    # Each group's tables and its rivals' positions in `rivals`.
    groups: list[tuple[frozenset[str], frozenset[int]]] = field(default_factory=list)
    seatable: list[bool | None] = field(default_factory=list)


@dataclass
class Packing:
    """Everything a capacity check reads from the facts as of one moment, made once."""

    busy: Busy
    waiting: list[Demand]
    pacing: Pacing
    fits: FitCache
    indexed: dict[timedelta, Waiting] = field(default_factory=dict)
    # By (start, blocked until, buffer): every party size with the same turn shares one.
    contests: dict[tuple[datetime, datetime, timedelta], Contest] = field(default_factory=dict)

    @classmethod
    def of(cls, facts: Facts, now: datetime, *, excluding: str | None = None) -> Packing:
        live = facts.live(now, excluding=excluding)
        waiting = facts.waiting(excluding=excluding)
        return cls(Busy.of(live), waiting, Pacing(live, waiting), FitCache())

    def competing(
        self, start: datetime, end: datetime, buffer: timedelta, *, largest_first: bool = False
    ) -> list[Request]:
        """The waiting bookings (their spans `buffer` longer) that overlap [start, end), in
        the order of the waiting list or, with `largest_first`, largest party first."""
        if buffer not in self.indexed:
            self.indexed[buffer] = Waiting(self.waiting, buffer)
        index = self.indexed[buffer]
        return index.largest_first(start, end) if largest_first else index.overlapping(start, end)


def fitting(candidates: Sequence[Candidate], party_size: int, cache: FitCache) -> list[Candidate]:
    """The candidates that fit a party, fewest tables then least waste first (cached by size)."""
    if party_size not in cache.by_size:
        cache.by_size[party_size] = sorted(
            (c for c in candidates if c.fits(party_size)),
            key=lambda c: (len(c.table_ids), c.waste(party_size)),
        )
    return cache.by_size[party_size]


def free_fits(
    request: Request, candidates: Sequence[Candidate], busy: Busy, cache: FitCache
) -> list[Candidate]:
    """The fits of a request whose tables are free over its span (cached by request)."""
    if request not in cache.by_request:
        taken = busy.taken(request.start, request.blocked_until)
        cache.by_request[request] = [
            c
            for c in fitting(candidates, request.party_size, cache)
            if taken.isdisjoint(c.table_ids)
        ]
    return cache.by_request[request]
