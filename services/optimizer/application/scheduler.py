"""Use case: re-plan each venue's service periods shortly before they start, once per shift."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from services.optimizer.application.ports import Plans, TickLease, Venues
from services.optimizer.application.runs import RunRequest, Runs
from services.optimizer.domain.day import due_shifts
from services.optimizer.domain.errors import AlreadyRunning
from services.optimizer.domain.records import RunOptions

log = logging.getLogger("maitred.optimizer.scheduler")
ACTOR = "scheduler"


class Scheduler:
    """Every `interval`, starts the due shift runs of every venue.

    With a `lease`, only the replica that holds it looks (one scan per interval in the
    cluster); without, every replica does. Either way the venue-day lock, the runs' request ids
    and the stored runs keep it to one run per shift.
    """

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
        lease: TickLease | None = None,
    ) -> None:
        self._runs = runs
        self._plans = plans
        self._venues = venues
        self._clock = clock
        self._lead = lead
        self._options = options
        self._interval_s = interval_s
        self._lease = lease

    async def run(self) -> None:
        while True:
            try:
                await self.turn()
            except Exception:
                log.exception("scheduler tick failed; trying again next interval")
            await asyncio.sleep(self._interval_s)

    async def turn(self) -> list[str] | None:
        """Tick if this replica has the turn (None when another one has it)."""
        # A lease a little shorter than the interval: the holder's next tick finds it free.
        if self._lease is not None and not await self._lease.take(self._interval_s * 0.9):
            return None
        return await self.tick()

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
