"""What capacity checks at one moment reuse: busy spans, waiting bookings, pacing, fits."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence, Set
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
    # The span in microseconds since the epoch, for plain comparisons.
    first: int = field(init=False, repr=False, compare=False)
    last: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.party_size, self.start, self.blocked_until)))
        object.__setattr__(self, "first", micros(self.start))
        object.__setattr__(self, "last", micros(self.blocked_until))

    def __hash__(self) -> int:
        return self._hash


class Busy:
    """Every table's blocked spans, indexed so that "which tables are blocked over a span"
    takes a binary search per table rather than a scan of the day."""

    def __init__(self, spans: dict[str, list[tuple[datetime, datetime]]]) -> None:
        # In whole microseconds: comparing aware datetimes costs a time-zone call each.
        self._index = {table_id: _indexed(found) for table_id, found in spans.items()}
        self._taken: dict[tuple[datetime, datetime], frozenset[str]] = {}

    @classmethod
    def of(cls, occupancies: Iterable[Occupancy], only: Set[str] | None = None) -> Busy:
        """The tables' blocked spans from the occupancies that count (of `only` those tables)."""
        spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        for occupancy in occupancies:
            for table_id in occupancy.table_ids:
                if only is None or table_id in only:
                    spans[table_id].append((occupancy.start, occupancy.end))
        return cls(spans)

    def moved(self, occupancies: Iterable[Occupancy], changed: Sequence[Touch]) -> Busy:
        """This index with the tables of `changed` read again from `occupancies` (those that
        count now), keeping the blocked tables of every span already asked for, where only
        the changed tables are looked at again."""
        tables = frozenset(t for touch in changed for t in touch.tables)
        moved = Busy.of(occupancies, tables)
        moved._index = {
            **{t: found for t, found in self._index.items() if t not in tables},
            **moved._index,
        }
        for (start, end), found in self._taken.items():
            first, last = micros(start), micros(end)
            if any(touch.overlaps(first, last) for touch in changed):
                again = frozenset(t for t in tables if moved._blocked(t, first, last))
                found = (found - tables) | again
            moved._taken[(start, end)] = found
        return moved

    def taken(self, start: datetime, end: datetime) -> frozenset[str]:
        """The tables blocked at some moment of [start, end), found once per span: the
        waiting bookings share a few dozen spans, and a candidate is then one set test."""
        key = (start, end)
        found = self._taken.get(key)
        if found is None:
            first, last = micros(start), micros(end)
            found = self._taken[key] = frozenset(
                table_id
                for table_id, (starts, reach) in self._index.items()
                if (before_end := bisect_left(starts, last)) and reach[before_end - 1] > first
            )
        return found

    def _blocked(self, table_id: str, first: int, last: int) -> bool:
        found = self._index.get(table_id)
        if found is None:
            return False
        starts, reach = found
        before_end = bisect_left(starts, last)
        return bool(before_end) and reach[before_end - 1] > first


def _indexed(spans: list[tuple[datetime, datetime]]) -> tuple[list[int], list[int]]:
    """A table's spans by start, and reach[i]: the latest end among the first i + 1."""
    ordered = sorted((micros(start), micros(end)) for start, end in spans)
    return [start for start, _ in ordered], list(accumulate((end for _, end in ordered), max))


@dataclass(frozen=True)
class Touch:
    """Tables whose facts changed over [first, last) (microseconds since the epoch)."""

    tables: frozenset[str]
    first: int
    last: int

    @classmethod
    def of(cls, tables: Iterable[str], start: datetime, end: datetime) -> Touch:
        return cls(frozenset(tables), micros(start), micros(end))

    def overlaps(self, first: int, last: int) -> bool:
        return self.first < last and first < self.last


def micros(moment: datetime) -> int:
    """Microseconds since the epoch: integers compare without a time-zone call."""
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
