"""Use cases that read live availability: snapshots, capacity checks and slot search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from services.availability.application.day_models import DayModels
from services.availability.application.rescues import Rescuer
from services.availability.application.snapshot_ports import DayFacts, DemandCounts, VenueHeads
from services.availability.domain.capacity import Verdict, check_capacity
from services.availability.domain.floor import Floor, Policy, candidates_of
from services.availability.domain.occupancy import Facts
from services.availability.domain.packing import Packing
from services.availability.domain.packing_moves import moved_on
from services.availability.domain.slots import SlotOption, SlotSearch, search_slots
from services.availability.domain.snapshot import Snapshot, compute_snapshot
from services.availability.domain.yield_slots import service_dates_of, steered_options
from shared.domain_errors import FieldViolation, InvalidArgument, NotFound
from shared.seating.combinations import Candidate

MAX_WINDOW = timedelta(hours=24)
EARLIEST = datetime.min.replace(tzinfo=UTC)
MAX_CACHED = 256  # merged views and computed snapshots kept, oldest dropped first


@dataclass(frozen=True)
class View:
    """A venue's floor, policy and facts over some days, at one version."""

    floor: Floor
    policy: Policy
    facts: Facts
    candidates: tuple[Candidate, ...]
    # What the checks made on this view reuse, until the next hold expires; a view made from
    # an earlier one of the same days and floor starts with its packing, due at once.
    memo: dict[str, tuple[datetime, Packing]] = field(default_factory=dict, compare=False)

    def packing(self, now: datetime) -> Packing:
        """What the facts say as of `now`, moved on once per view and hold expiry from what
        the last one said (so only what the changes touched is worked out again)."""
        known = self.memo.get("packing")
        if known is None or now >= known[0]:
            packing = (
                Packing.of(self.facts, now)
                if known is None
                else moved_on(known[1], self.facts, now)
            )
            known = (_next_expiry(self.facts, now), packing)
            self.memo["packing"] = known
        return known[1]

    def followed_by(self, later: View) -> View:
        """`later`, starting from this view's packing when they share a floor and policy."""
        known = self.memo.get("packing")
        if known is not None and later.candidates is self.candidates:
            later.memo["packing"] = (EARLIEST, known[1])
        return later


def check_window(start: datetime | None, end: datetime | None, field: str = "window") -> None:
    if start is None or end is None or not start < end or end - start > MAX_WINDOW:
        raise InvalidArgument([FieldViolation(field, "field.bad_window", {"hours": 24})])


class Snapshots:
    """Answers from the venue days held in memory (caught up to the venue's version at each
    call, so an answer counts every change committed before the call) and the pure rules.

    A capacity check or slot search that finds no free table may still accept the party when
    the rescuer finds a re-pack of other bookings that seats it. When the venue's yield policy
    is on and would refuse the party at the asked start, a slot search offers the nearby starts
    it would admit instead.
    """

    def __init__(
        self,
        heads: VenueHeads,
        models: DayModels,
        clock: Callable[[], datetime],
        *,
        rescuer: Rescuer,
        demand: DemandCounts,
    ) -> None:
        self._heads = heads
        self._demand = demand
        self._models = models
        self._clock = clock
        self._rescuer = rescuer
        self._candidates: dict[str, tuple[tuple[object, ...], tuple[Candidate, ...]]] = {}
        self._views: dict[tuple[str, tuple[date, ...]], View] = {}
        self._snapshots: dict[tuple[str, datetime, datetime], tuple[Snapshot, datetime]] = {}

    async def version(self, venue_id: str) -> int:
        """The venue's current change version (0 when it has none or does not exist)."""
        head = await self._heads.head(venue_id)
        return head.version if head else 0

    async def view(self, venue_id: str, start: datetime, end: datetime) -> View:
        """The venue over [start, end): every local day it touches, merged at one version."""
        # Days held: one read of the change log catches them up; else the head comes first.
        held = await self._models.latest(venue_id)
        if held is None:
            head = await self._heads.head(venue_id)
            if head is None:
                raise NotFound(resource="Venue", id=venue_id)
            held = ZoneInfo(head.timezone), head.version
        zone, version = held
        days = _local_days(start, end, zone)
        loaded = await self._models.days(venue_id, days, zone, version)
        key = (venue_id, tuple(days))
        known = self._views.get(key)
        if known is not None and known.facts.version == loaded[0].version:
            return known
        latest = loaded[-1]
        facts = Facts(
            version=latest.version,
            floor_version=latest.floor_version,
            occupancies=tuple({o.allocation_id: o for d in loaded for o in d.occupancies}.values()),
            demand=tuple({x.booking_id: x for d in loaded for x in d.demand}.values()),
        )
        view = View(latest.floor, latest.policy, facts, self._combinations(venue_id, latest))
        if known is not None:
            view = known.followed_by(view)
        if len(self._views) >= MAX_CACHED:
            self._views.pop(next(iter(self._views)))
        self._views[key] = view
        return view

    def _combinations(self, venue_id: str, day: DayFacts) -> tuple[Candidate, ...]:
        # Keyed by the floor itself, not its version: a table written outside the floor-plan
        # API (which bumps the version) still changes the combinations.
        key = (day.floor, day.policy)
        known = self._candidates.get(venue_id)
        if known is None or known[0] != key:
            known = self._candidates[venue_id] = (key, candidates_of(day.floor, day.policy))
        return known[1]

    async def snapshot(self, venue_id: str, start: datetime, end: datetime) -> Snapshot:
        check_window(start, end)
        view = await self.view(venue_id, start, end)
        now = self._clock()
        key = (venue_id, start, end)
        known = self._snapshots.get(key)
        # Only time can change a snapshot at one version: a hold that expires stops counting.
        if known is not None and known[0].version == view.facts.version and now < known[1]:
            return known[0]
        snapshot = compute_snapshot(
            venue_id, view.floor, view.policy, view.facts, start, end, now=now
        )
        if len(self._snapshots) >= MAX_CACHED:
            self._snapshots.pop(next(iter(self._snapshots)))
        self._snapshots[key] = (snapshot, _next_expiry(view.facts, now))
        return snapshot

    async def check(
        self, venue_id: str, start: datetime, party_size: int, booking_id: str | None
    ) -> tuple[Verdict, int]:
        """Whether the party can start at `start`, and the version it was decided at."""
        view = await self.view(venue_id, start - timedelta(hours=6), start + timedelta(hours=12))
        now = self._clock()
        # A booking checked against itself needs its own packing, without its tables.
        packing = view.packing(now) if booking_id is None else None
        verdict = check_capacity(
            view.floor,
            view.policy,
            view.facts,
            view.candidates,
            start,
            party_size,
            now=now,
            booking_id=booking_id,
            packing=packing,
        )
        verdict = await self._rescuer.check(
            venue_id, start, party_size, verdict, view.policy.knobs.rescue_time_limit
        )
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
        head = await self._heads.head(venue_id)
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
        starts = [
            s
            for day in _local_days(*span, zone)
            for s, _ in view.policy.slot_starts(day)
            if span[0] <= s < span[1] and s > now
        ]
        steer = view.policy.yield_settings.enabled
        found = search_slots(
            view.floor,
            view.policy,
            view.facts,
            view.candidates,
            starts,
            party_size,
            now=now,
            preferred=preferred,
            limit=len(starts) if steer else limit,
            packing=view.packing(now),
        )
        if steer:
            found = await self._steered(venue_id, view, found, party_size, now, limit)
        options = await self._rescuer.slots(
            venue_id, party_size, found, limit, view.policy.knobs.rescue_time_limit
        )
        return options, view.facts.version

    async def _steered(
        self,
        venue_id: str,
        view: View,
        found: SlotSearch,
        party_size: int,
        now: datetime,
        limit: int,
    ) -> SlotSearch:
        """The search steered by the venue's yield policy (see `steered_options`)."""
        histories = {
            day: await self._demand.history(venue_id, day)
            for day in service_dates_of(found.options, view.policy)
        }
        kept = steered_options(
            found.options,
            found.anchor,
            view.floor,
            view.policy,
            view.facts,
            view.candidates,
            party_size,
            histories,
            now=now,
            limit=limit,
        )
        return SlotSearch(kept, found.squeezed, found.anchor)


def _next_expiry(facts: Facts, now: datetime) -> datetime:
    """The first moment after `now` at which a live hold stops counting (or far away)."""
    expiries = [o.expire_time for o in facts.occupancies if o.expire_time and o.expire_time > now]
    return min(expiries, default=datetime.max.replace(tzinfo=UTC))


def _local_days(start: datetime, end: datetime, zone: tzinfo) -> list[date]:
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
