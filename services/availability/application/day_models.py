"""The venue days this process serves, held in memory at one version and caught up by change.

PostgreSQL stays the truth: a day is read from it (or from the shared cache) the first time it
is asked for, then moved on by what each later version changed. When the change log no longer
reaches back to the model's version, or says the venue is gone, the days are read again.
Days nobody asked about for `idle` are dropped, and never more than `max_days` are kept.
A change from the feed is applied in the background after `catch_up_delay`, one read for all the
changes of that window: a busy venue's calls catch up themselves before the delay is over.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

from services.availability.application.day_changes import apply_changes, day_span
from services.availability.application.snapshot_ports import DayCache, DayFacts, DaySource
from shared.domain_errors import NotFound

log = logging.getLogger("maitred.availability.models")
REBUILD_ATTEMPTS = 3
# A booking's changes (created, held, assigned, confirmed) come within a few tens of ms: one
# background read catches up all of them, where one per change cost three reads a booking.
CATCH_UP_DELAY = timedelta(milliseconds=250)


@dataclass
class _Venue:
    version: int = 0
    days: dict[date, DayFacts] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reads_started: int = 0  # latest() reads begun on this venue, numbered from 1
    read_done: int = 0  # the number of the latest() read whose result the days hold
    announced: int = 0  # the newest version the change feed announced


class DayModels:
    """Venue days in memory, each venue's days at one version."""

    def __init__(
        self,
        source: DaySource,
        cache: DayCache,
        *,
        max_days: int,
        idle: timedelta,
        catch_up_delay: timedelta = CATCH_UP_DELAY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._cache = cache
        self._max_days = max_days
        self._idle = idle.total_seconds()
        self._monotonic = monotonic
        self._venues: dict[str, _Venue] = {}
        self._used: OrderedDict[tuple[str, date], float] = OrderedDict()
        self._catch_up_delay = catch_up_delay.total_seconds()
        self._background: set[asyncio.Task[None]] = set()
        self._due: dict[str, int] = {}  # venue -> the newest version the feed announced
        self.rebuilds = 0
        self.catch_ups = 0

    def loaded(self) -> list[tuple[str, date, int]]:
        """(venue, day, version) of every day held, least recently used first."""
        return [(v, d, self._venues[v].version) for v, d in self._used]

    def version_of(self, venue_id: str) -> int | None:
        venue = self._venues.get(venue_id)
        return venue.version if venue and venue.days else None

    async def days(
        self, venue_id: str, days: list[date], zone: tzinfo, version: int
    ) -> list[DayFacts]:
        """The days at one version at least `version` (the head the caller just read)."""
        venue = self._venues.setdefault(venue_id, _Venue())
        if venue.version < version or any(d not in venue.days for d in days):
            async with venue.lock:
                await self._load(venue_id, venue, days, zone, version)
                found = [venue.days[d] for d in days]
        else:
            found = [venue.days[d] for d in days]
        self._venues.setdefault(venue_id, venue)
        for day in days:
            self._touch(venue_id, day)
        self._evict()
        return found

    async def latest(self, venue_id: str) -> tuple[tzinfo, int] | None:
        """Catch the venue's held days up to the newest committed version in one change read
        (whose snapshot reads the version itself, so no separate head read is needed; the
        source may answer "nothing since" from the version alone): their time zone and
        version, or None when no days of the venue are held (read the head instead).

        Calls that wait while a read is under way share the next one, which starts after each
        of them did, so every change committed before a call is still counted."""
        venue = self._venues.get(venue_id)
        if venue is None or not venue.days:
            return None
        arrived = venue.reads_started
        async with venue.lock:
            if not venue.days:  # dropped or forgotten while this call waited
                return None
            if venue.read_done <= arrived:
                venue.reads_started += 1
                number = venue.reads_started
                await self._advance(venue_id, venue)
                venue.read_done = number
            zone = next(iter(venue.days.values())).policy.timezone
            return zone, venue.version

    def changed(self, venue_id: str, version: int) -> None:
        """A committed change (from the change feed): catch the venue's days up in the
        background after the delay, once for every change announced meanwhile; a call made
        before then catches up itself, and the background read then finds nothing to do."""
        venue = self._venues.get(venue_id)
        if venue is None or not venue.days:
            return
        venue.announced = max(venue.announced, version)
        if venue.version >= version:
            return
        if venue_id in self._due:
            self._due[venue_id] = max(self._due[venue_id], version)
            return
        self._due[venue_id] = version
        task = asyncio.create_task(self._catch_up_quietly(venue_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _catch_up_quietly(self, venue_id: str) -> None:
        try:
            await asyncio.sleep(self._catch_up_delay)
        finally:
            # A change announced from here on schedules its own catch-up; this one's read
            # starts after every change announced so far was committed, so it sees them all.
            version = self._due.pop(venue_id)
        try:
            await self.catch_up(venue_id, version)
        except Exception:  # the next call on the venue catches up (or fails) in the open
            log.warning("background catch-up failed", extra={"venue_id": venue_id})

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    async def catch_up(self, venue_id: str, version: int) -> None:
        """Move the venue's days on to `version` or later, if this process holds any."""
        venue = self._venues.get(venue_id)
        if venue is not None and venue.days and venue.version < version:
            async with venue.lock:
                if venue.version < version:
                    await self._advance(venue_id, venue)

    async def _load(
        self, venue_id: str, venue: _Venue, days: list[date], zone: tzinfo, version: int
    ) -> None:
        for day in days:
            if day not in venue.days:
                venue.days[day] = await self._read(venue_id, day, zone, version)
        versions = {facts.version for facts in venue.days.values()}
        if len(versions) == 1 and min(versions) >= version:
            venue.version = min(versions)
            return
        venue.version = min(versions)
        await self._advance(venue_id, venue)

    async def _advance(self, venue_id: str, venue: _Venue) -> None:
        behind = venue.announced > venue.version
        changes = await self._source.changes(venue_id, venue.version, behind=behind)
        if changes is None or changes.version < venue.version:
            await self._rebuild(venue_id, venue)
            return
        if changes.version == venue.version:
            return  # nothing committed since
        self.catch_ups += 1
        zone = next(iter(venue.days.values())).policy.timezone
        if changes.floor is not None and changes.floor[1].timezone != zone:
            await self._rebuild(venue_id, venue)  # the day's midnights moved
            return
        for day, facts in venue.days.items():
            if facts.version < changes.version:
                venue.days[day] = apply_changes(facts, changes)
        venue.version = changes.version

    async def _rebuild(self, venue_id: str, venue: _Venue) -> None:
        self.rebuilds += 1
        log.info("rebuilding a venue's days from PostgreSQL", extra={"venue_id": venue_id})
        for _ in range(REBUILD_ATTEMPTS):
            for day, facts in list(venue.days.items()):
                venue.days[day] = await self._read(venue_id, day, facts.policy.timezone, 0)
            versions = {facts.version for facts in venue.days.values()}
            if len(versions) == 1:
                venue.version = versions.pop()
                return
        # Writes kept landing between the days' reads: let the change log settle the rest.
        venue.version = min(facts.version for facts in venue.days.values())
        await self._advance(venue_id, venue)

    async def _read(self, venue_id: str, day: date, zone: tzinfo, version: int) -> DayFacts:
        cached = await self._cache.get(venue_id, day, version) if version else None
        if cached is not None:
            return cached
        facts = await self._source.day(venue_id, day, *day_span(day, zone))
        if facts is None:
            self._forget(venue_id)
            raise NotFound(resource="Venue", id=venue_id)
        await self._cache.put(facts)
        return facts

    def _touch(self, venue_id: str, day: date) -> None:
        self._used[(venue_id, day)] = self._monotonic()
        self._used.move_to_end((venue_id, day))

    def _evict(self) -> None:
        oldest = self._monotonic() - self._idle
        excess = len(self._used) - self._max_days
        for (venue_id, day), used in list(self._used.items()):
            if used >= oldest and excess <= 0:
                return
            venue = self._venues.get(venue_id)
            if venue is not None and venue.lock.locked():
                continue  # being caught up or loaded: its days stay until the next pass
            del self._used[(venue_id, day)]
            excess -= 1
            if venue is not None:
                venue.days.pop(day, None)
                if not venue.days:
                    del self._venues[venue_id]

    def _forget(self, venue_id: str) -> None:
        self._venues.pop(venue_id, None)
        for key in [k for k in self._used if k[0] == venue_id]:
            del self._used[key]
