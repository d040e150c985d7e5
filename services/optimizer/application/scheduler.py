"""Use case: re-plan each venue's service periods shortly before they start, once per shift."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from services.optimizer.application.ports import Plans, Venues
from services.optimizer.application.runs import RunRequest, Runs
from services.optimizer.domain.day import due_shifts
from services.optimizer.domain.errors import AlreadyRunning
from services.optimizer.domain.records import RunOptions

log = logging.getLogger("maitred.optimizer.scheduler")
ACTOR = "scheduler"


class Scheduler:
    """Every `interval`, starts the due shift runs of every venue (any replica may; the venue-day
    lock and the stored runs keep it to one run per shift)."""

    def __init__(
        self,
        *,
        runs: Runs,
        plans: Plans,
        venues: Venues,
        clock: Callable[[], datetime],
        lead: timedelta,
        options: RunOptions,
        interval_s: float = 60.0,
    ) -> None:
        self._runs = runs
        self._plans = plans
        self._venues = venues
        self._clock = clock
        self._lead = lead
        self._options = options
        self._interval_s = interval_s

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed; trying again next interval")
            await asyncio.sleep(self._interval_s)

    async def tick(self) -> list[str]:
        """Start every due run now; returns "venue/date/period" of each started."""
        now = self._clock()
        cutoff = now - timedelta(seconds=self._options.time_limit_s) - timedelta(minutes=10)
        await self._plans.fail_abandoned(started_before=cutoff, now=now)
        started = []
        for venue_id in await self._venues.venue_ids():
            venue = await self._venues.venue(venue_id)
            if venue is None:
                continue
            zone, periods = venue
            today = now.astimezone(zone).date()
            done = await self._plans.periods_run(venue_id, today, ACTOR)
            for name in due_shifts(periods, now, zone, self._lead, done):
                request = RunRequest(
                    venue_id, today, name, self._options, f"{ACTOR}:{today}:{name}", ACTOR
                )
                try:
                    await self._runs.start(request)
                except AlreadyRunning:
                    continue  # another run of the day is on; the next tick tries again
                started.append(f"{venue_id}/{today}/{name}")
        return started
