"""What capacity checks at one moment reuse: busy spans, waiting bookings, pacing, fits."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

from services.availability.domain.busy import Busy, micros
from services.availability.domain.occupancy import Demand, Facts, Occupancy
from shared.seating.combinations import Candidate


@dataclass(frozen=True)
class Request:
    """A party that needs tables over [start, blocked_until)."""

    party_size: int
    start: datetime
    blocked_until: datetime
    # Requests key the fit cache hundreds of times per check: hash them once.
    _hash: int = field(init=False, repr=False, compare=False)
    # The span in microseconds since the epoch, for plain comparisons.
    first: int = field(init=False, repr=False, compare=False)
    last: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.party_size, self.start, self.blocked_until)))
        object.__setattr__(self, "first", micros(self.start))
        object.__setattr__(self, "last", micros(self.blocked_until))

    def __hash__(self) -> int:
        return self._hash


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

    def __init__(
        self, waiting: Sequence[Demand], buffer: timedelta, earlier: Waiting | None = None
    ) -> None:
        # Equal requests share one object, so the fit cache finds them by identity; a booking
        # unchanged since `earlier` keeps its request (and its span in microseconds).
        made = earlier._made if earlier is not None else {}
        self._made: dict[str, tuple[Demand, Request]] = {}
        shared: dict[Request, Request] = {}
        requests = []
        for d in waiting:
            known = made.get(d.booking_id)
            if known is None or known[0] is not d:
                known = (d, Request(d.party_size, d.start, d.end + buffer))
            self._made[d.booking_id] = known
            requests.append(shared.setdefault(known[1], known[1]))
        # Positions in `waiting` by start: overlapping() keeps the order of `waiting`.
        by_start = sorted(range(len(requests)), key=lambda n: requests[n].first)
        self._starts = [requests[n].start for n in by_start]
        self._positions = by_start
        self._requests = requests
        self._longest = max((r.blocked_until - r.start for r in requests), default=timedelta(0))
        # Largest party first, then in the order of `waiting` (a stable sort): the order in
        # which a packing seats them.
        self._ranked = sorted(requests, key=lambda r: -r.party_size)

    def overlapping(self, start: datetime, end: datetime) -> list[Request]:
        """The requests whose span overlaps [start, end), in the order of the waiting list."""
        first = bisect_right(self._starts, start - self._longest)
        last = bisect_left(self._starts, end)
        found = map(self._requests.__getitem__, sorted(self._positions[first:last]))
        return [r for r in found if r.blocked_until > start]

    def largest_first(self, start: datetime, end: datetime) -> list[Request]:
        """The same requests as `overlapping`, largest party first (equal ones as there)."""
        first, last = micros(start), micros(end)
        return [r for r in self._ranked if r.first < last and r.last > first]


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
    # The hull of its span and the competing requests' (microseconds): outside it, a change
    # to the busy tables alters none of what the contest was worked out from.
    reach: tuple[int, int]
    rivals: tuple[Request, ...] | None = None
    # Each group's tables and its rivals' positions in `rivals`.
    groups: list[tuple[frozenset[str], frozenset[int]]] = field(default_factory=list)
    seatable: list[bool | None] = field(default_factory=list)
    # The free fits the rivals were worked out from; `suspect` once a change touched the
    # reach since: the rivals stand only if those fits are still what they were.
    fits: dict[Request, list[Candidate]] = field(default_factory=dict)
    suspect: bool = False


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
    # The occupancies that counted, and the waiting indexes of the packing this one was moved
    # on from (their requests are reused): see packing_moves.
    live: list[Occupancy] = field(default_factory=list)
    earlier: dict[timedelta, Waiting] = field(default_factory=dict)

    @classmethod
    def of(cls, facts: Facts, now: datetime, *, excluding: str | None = None) -> Packing:
        live = facts.live(now, excluding=excluding)
        waiting = facts.waiting(excluding=excluding)
        return cls(Busy.of(live), waiting, Pacing(live, waiting), FitCache(), live=live)

    def competing(
        self, start: datetime, end: datetime, buffer: timedelta, *, largest_first: bool = False
    ) -> list[Request]:
        """The waiting bookings (their spans `buffer` longer) that overlap [start, end), in
        the order of the waiting list or, with `largest_first`, largest party first."""
        if buffer not in self.indexed:
            self.indexed[buffer] = Waiting(self.waiting, buffer, self.earlier.get(buffer))
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
