"""Use case: a bounded re-pack of a window that seats one more party, before a caller says no."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from services.optimizer.application.ports import Days
from services.optimizer.domain.day import REACH, Window
from services.optimizer.domain.records import PlanRecord, PlanStatus, RunOptions, planned
from shared.domain_errors import NotFound
from shared.seating.planning.model import Booking
from shared.seating.planning.rescue import rescue
from shared.seating.planning.states import BookingState

NEW_PARTY = "new-party"  # the id of a party that has no booking yet (a capacity check)


@dataclass(frozen=True)
class RescueAsk:
    """A validated FindRescuePlan request: a booking, or a party size and window."""

    venue_id: str
    booking_id: UUID | None
    party_size: int
    window: tuple[datetime, datetime] | None
    time_limit_s: float | None  # None: the venue's policy's


@dataclass(frozen=True)
class RescueAnswer:
    """The tables the party would get and the re-pack that frees them; None when there is none."""

    table_ids: tuple[str, ...]
    plan: PlanRecord | None


class Rescues:
    """Finds re-packs; never stores or applies them (callers apply them through the assigner)."""

    def __init__(
        self, *, reader: Days, clock: Callable[[], datetime], new_id: Callable[[], UUID]
    ) -> None:
        self._reader = reader
        self._clock = clock
        self._new_id = new_id

    async def find(self, ask: RescueAsk) -> RescueAnswer:
        party_size, start, end, booking_id = await self._party(ask)
        now = self._clock()
        day = await self._reader.read(ask.venue_id, Window(start - REACH, end + REACH), now)
        if day is None:
            raise NotFound(resource="Venue", id=ask.venue_id)
        pending = BookingState.ASSIGNMENT_PENDING
        new = Booking(booking_id, party_size, start, end + day.buffer, state=pending)
        others = tuple(b for b in day.problem.bookings if b.booking_id != booking_id)
        problem = replace(day.problem, bookings=others)
        limit = ask.time_limit_s or day.knobs.rescue_time_limit.total_seconds()
        plan = await asyncio.to_thread(
            rescue, problem, new, time_limit_s=limit, max_movers=day.knobs.rescue_max_movers
        )
        if plan is None:
            return RescueAnswer((), None)
        tables = plan.tables_of(booking_id) or ()
        versions = {**day.versions, booking_id: 0}
        windows = {**day.windows, booking_id: (start, end)}
        parties = {b.booking_id: b.party_size for b in (*others, new)}
        record = PlanRecord(
            plan_id=self._new_id(),
            run_id=self._new_id(),
            venue_id=ask.venue_id,
            service_date=start.astimezone(day.timezone).date(),
            service_period="",
            status=PlanStatus.PROPOSED,
            options=RunOptions(time_limit_s=limit),
            actor="rescue",
            create_time=now,
            moves=planned(plan.moves, versions, windows, parties),
            new_assignments=planned(
                tuple(m for m in plan.new_assignments if m.booking_id != booking_id),
                versions,
                windows,
                parties,
            ),
            current_objective=float(plan.current_objective),
            new_objective=float(plan.new_objective),
            benefit_percent=plan.benefit_percent,
            optimal=plan.optimal,
            best_bound=float(plan.best_bound),
            solve_seconds=plan.solve_seconds,
            snapshot_version=day.snapshot_version,
            complete_time=self._clock(),
        )
        return RescueAnswer(tuple(tables), record)

    async def _party(self, ask: RescueAsk) -> tuple[int, datetime, datetime, str]:
        if ask.booking_id is None:
            assert ask.window is not None
            return ask.party_size, ask.window[0], ask.window[1], NEW_PARTY
        found = await self._reader.booking(ask.venue_id, str(ask.booking_id))
        if found is None:
            raise NotFound(resource="Booking", id=ask.booking_id)
        party_size, start, end = found
        return party_size, start, end, str(ask.booking_id)
