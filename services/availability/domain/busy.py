"""Which tables are blocked over a span, and how a change to some tables moves that on."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from services.availability.domain.occupancy import Occupancy

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


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
