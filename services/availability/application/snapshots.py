"""Use cases that read live availability: snapshots, capacity checks and slot search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.availability.application.rescues import Rescuer
from services.availability.application.snapshot_ports import DayCache, DayFacts, DaySource
from services.availability.domain.capacity import Verdict, check_capacity
from services.availability.domain.floor import Floor, Policy
from services.availability.domain.occupancy import Facts
from services.availability.domain.slots import SlotOption, search_slots
from services.availability.domain.snapshot import Snapshot, compute_snapshot
from shared.domain_errors import FieldViolation, InvalidArgument, NotFound
from shared.seating.combinations import Candidate, Seat, connected_sets

MAX_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class View:
    """A venue's floor, policy and facts over some days, at one version."""

    floor: Floor
    policy: Policy
    facts: Facts
    candidates: tuple[Candidate, ...]


def check_window(start: datetime | None, end: datetime | None, field: str = "window") -> None:
    if start is None or end is None or not start < end or end - start > MAX_WINDOW:
        raise InvalidArgument([FieldViolation(field, "field.bad_window", {"hours": 24})])


class Snapshots:
    """Reads venue days (cache first, PostgreSQL when missing) and applies the pure rules.

    A capacity check or slot search that finds no free table may still accept the party when
    the rescuer finds a re-pack of other bookings that seats it.
    """

    def __init__(
        self,
        source: DaySource,
        cache: DayCache,
        clock: Callable[[], datetime],
        *,
        rescuer: Rescuer,
    ) -> None:
        self._source = source
        self._cache = cache
        self._clock = clock
        self._rescuer = rescuer
        self._candidates: dict[tuple[str, int, int, bool], tuple[Candidate, ...]] = {}

    async def version(self, venue_id: str) -> int:
        """The venue's current change version (0 when it has none or does not exist)."""
        head = await self._source.head(venue_id)
        return head.version if head else 0

    async def view(self, venue_id: str, start: datetime, end: datetime) -> View:
        """The venue over [start, end): every local day it touches, merged at one version."""
        head = await self._source.head(venue_id)
        if head is None:
            raise NotFound(resource="Venue", id=venue_id)
        zone = ZoneInfo(head.timezone)
        days = _local_days(start, end, zone)
        loaded = [await self._day(venue_id, day, zone, head.version) for day in days]
        for _ in range(3):  # a write landed between two days' reads: read them again
            if len({d.version for d in loaded}) == 1:
                break
            loaded = [await self._read(venue_id, day, zone) for day in days]
        latest = max(loaded, key=lambda d: d.version)
        facts = Facts(
            version=min(d.version for d in loaded),
            floor_version=latest.floor_version,
            occupancies=tuple({o.allocation_id: o for d in loaded for o in d.occupancies}.values()),
            demand=tuple({x.booking_id: x for d in loaded for x in d.demand}.values()),
        )
        return View(latest.floor, latest.policy, facts, self._combinations(venue_id, latest))

    async def _day(self, venue_id: str, day: date, zone: ZoneInfo, version: int) -> DayFacts:
        cached = await self._cache.get(venue_id, day, version)
        return cached if cached is not None else await self._read(venue_id, day, zone)

    async def _read(self, venue_id: str, day: date, zone: ZoneInfo) -> DayFacts:
        start = datetime.combine(day, time(0), zone)
        facts = await self._source.day(venue_id, day, start, start + timedelta(days=1))
        if facts is None:
            raise NotFound(resource="Venue", id=venue_id)
        await self._cache.put(facts)
        return facts

    def _combinations(self, venue_id: str, day: DayFacts) -> tuple[Candidate, ...]:
        policy = day.policy
        key = (venue_id, day.floor_version, policy.max_tables_per_combination,
               policy.allow_cross_zone_combinations)  # fmt: skip
        if key not in self._candidates:
            seats = [Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, t.combinable)
                     for t in day.floor.active_tables()]  # fmt: skip
            self._candidates[key] = tuple(
                connected_sets(seats, day.floor.neighbours(), max_tables=key[2], cross_zone=key[3])
            )
        return self._candidates[key]

    async def snapshot(self, venue_id: str, start: datetime, end: datetime) -> Snapshot:
        check_window(start, end)
        view = await self.view(venue_id, start, end)
        return compute_snapshot(venue_id, view.floor, view.policy, view.facts, start, end,
                                now=self._clock())  # fmt: skip

    async def check(
        self, venue_id: str, start: datetime, party_size: int, booking_id: str | None
    ) -> tuple[Verdict, int]:
        """Whether the party can start at `start`, and the version it was decided at."""
        view = await self.view(venue_id, start - timedelta(hours=6), start + timedelta(hours=12))
        verdict = check_capacity(view.floor, view.policy, view.facts, view.candidates, start,
                                 party_size, now=self._clock(), booking_id=booking_id)  # fmt: skip
        verdict = await self._rescuer.check(venue_id, start, party_size, verdict)
        return verdict, view.facts.version

    async def search(
        self,
        venue_id: str,
        party_size: int,
        span: tuple[datetime, datetime] | date,
        preferred: datetime | None,
        limit: int,
    ) -> tuple[list[SlotOption], int]:
        """The start times at which the party fits (some after a re-pack), best first, and the
        version used."""
        head = await self._source.head(venue_id)
        if head is None:
            raise NotFound(resource="Venue", id=venue_id)
        zone = ZoneInfo(head.timezone)
        if isinstance(span, date):
            start = datetime.combine(span, time(0), zone)
            span = (start, start + timedelta(days=1))
        view = await self.view(
            venue_id, span[0] - timedelta(hours=6), span[1] + timedelta(hours=12)
        )
        now = self._clock()
        starts = [s for day in _local_days(*span, zone) for s, _ in view.policy.slot_starts(day)
                  if span[0] <= s < span[1] and s > now]  # fmt: skip
        found = search_slots(view.floor, view.policy, view.facts, view.candidates, starts,
                             party_size, now=now, preferred=preferred, limit=limit)  # fmt: skip
        options = await self._rescuer.slots(venue_id, party_size, found, limit)
        return options, view.facts.version


def _local_days(start: datetime, end: datetime, zone: ZoneInfo) -> list[date]:
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
