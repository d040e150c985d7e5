"""Rescue on the day model in memory: the bounded re-pack searched by this process itself."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from services.availability.application.snapshots import View
from services.availability.domain.repack import REACH, repack_problem
from shared.seating.planning.rescue import rescue

log = logging.getLogger("maitred.availability.rescue")


class MemoryRescue:
    """Searches a re-pack on the venue's day as the capacity check read it (the same model,
    at the same version or later), with the optimizer's search, so it answers as the
    optimizer's FindRescuePlan would from PostgreSQL. It never fails: it says None instead."""

    def __init__(
        self,
        views: Callable[[str, datetime, datetime], Awaitable[View]],
        clock: Callable[[], datetime],
    ) -> None:
        self._views = views
        self._clock = clock

    async def find(
        self, venue_id: str, party_size: int, start: datetime, end: datetime, time_limit: timedelta
    ) -> tuple[str, ...] | None:
        try:
            view = await self._views(venue_id, start - REACH, end + REACH)
            problem, new = repack_problem(
                view.floor,
                view.policy,
                view.facts,
                view.candidates,
                start,
                end,
                party_size,
                now=self._clock(),
            )
            # The solver runs outside the event loop: other calls go on meanwhile.
            plan = await asyncio.to_thread(
                rescue,
                problem,
                new,
                time_limit_s=time_limit.total_seconds(),
                max_movers=view.policy.knobs.rescue_max_movers,
            )
        except Exception:
            log.exception(
                "rescue failed; the fast path's answer stands", extra={"venue_id": venue_id}
            )
            return None
        return plan.tables_of(new.booking_id) if plan is not None else None
