"""Use case: seat a booking at the engine's best plan that the database accepts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from uuid import UUID

from services.assigner.application.allocation_guard import AllocationGuard
from services.assigner.application.coordinator_ports import Seating, VenueRules
from services.assigner.domain.booking import BookingView
from services.assigner.domain.engine import rank_plans
from services.assigner.domain.errors import AllocationConflict, BookingNotReady
from services.assigner.domain.plans import AssignmentRequest, Plan
from services.assigner.domain.venue_day import VenueDay
from shared.domain_errors import NotFound
from shared.seating.admission import SeatedBooking, YieldView, admission, with_venue_turns
from shared.seating.demand import DemandHistory
from shared.seating.yield_policy import AdmissionDecision

# The span of a service day the yield policy weighs, from local midnight: late seatings included.
SERVICE_DAY = timedelta(hours=30)
YIELD = "yield"  # the strategy name a refusal by the yield policy carries


class YieldReader(Protocol):
    async def yield_view(
        self, venue_id: str, day_start: datetime, day_end: datetime, day: date, now: datetime
    ) -> tuple[tuple[SeatedBooking, ...], DemandHistory]:
        """Who holds tables over [day_start, day_end), and the demand history of the service
        date `day`: the counts of the dates before it only, never its own requests."""
        ...

    async def tried(self, booking_id: UUID) -> bool:
        """Whether an assignment attempt of the booking is on record."""
        ...


class DayReader(YieldReader, Protocol):
    async def read(
        self,
        venue_id: str,
        start: datetime,
        end: datetime,
        now: datetime,
        excluding: UUID | None = None,
    ) -> VenueDay | None:
        """The venue around [start, end), widened by its look-ahead horizon either side."""
        ...


class Writer(Protocol):
    async def assign(
        self,
        venue_id: str,
        booking_id: UUID,
        table_ids: Sequence[str],
        start: datetime,
        end: datetime,
        *,
        now: datetime,
        actor: str,
        strategy: str,
        breakdown: dict[str, Any],
        attempt_reason: str | None = None,
        version: int | None = None,
    ) -> tuple[Any, bool]:
        """The booking's live assignment (written now, or found) and whether this call wrote it;
        raises AllocationConflict when a rival holds one of the tables, and BookingNotReady
        when `version` is given and the booking is no longer at it."""
        ...


class DaySession(Writer, YieldReader, Protocol):
    """A try's reads (the day, the yield policy's view) and its first write, in one transaction
    (and on its one connection: a try never waits for a second one from the pool)."""

    async def read(
        self,
        venue_id: str,
        start: datetime,
        end: datetime,
        now: datetime,
        excluding: UUID | None = None,
    ) -> VenueDay | None: ...

    async def version(self, booking_id: UUID) -> int | None:
        """The booking's version, its row locked against change until this transaction ends."""
        ...


class DaySessions(Protocol):
    def session(self) -> AbstractAsyncContextManager[DaySession]:
        """A transaction that commits when the block ends and rolls back on an error."""
        ...


class Allocations(Writer, Protocol):
    """The writer on its own transactions, and the booking's live assignment."""

    async def live_assignment(self, booking_id: UUID) -> Any: ...

    async def release_unless_recorded(self, group_id: UUID, now: datetime) -> bool: ...


def winning_strategy(plan: Plan) -> str:
    """The strategy that added most to the plan's score."""
    best = max(plan.contributions, key=lambda c: (c.weight * c.score, c.strategy), default=None)
    return best.strategy if best else ""


def breakdown(plan: Plan) -> dict[str, Any]:
    return {
        "score": round(plan.score, 6),
        "strategies": {
            c.strategy: {"weight": c.weight, "score": round(c.score, 6), "reason": c.reason}
            for c in plan.contributions
        },
    }


def request_for(booking: BookingView, day: VenueDay) -> AssignmentRequest:
    return AssignmentRequest(
        booking_id=str(booking.booking_id),
        party_size=booking.party_size,
        start=booking.start,
        blocked_until=booking.end + day.buffer,
        preferred_zone_id=booking.preferred_zone_id,
    )


class EngineAssigner:
    """Ranks plans with the engine and writes the first one the exclusion constraint allows."""

    def __init__(
        self,
        reader: DayReader,
        store: Allocations,
        clock: Callable[[], datetime],
        sessions: DaySessions,
        lead_clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`lead_clock` is the "now" the yield policy measures a booking's lead from; the real
        `clock` unless a benchmark replays simulated leads (AssignerSettings.yield_clock_file)."""
        self._reader = reader
        self._store = store
        self._clock = clock
        self._sessions = sessions
        self._lead_clock = lead_clock or clock
        self._guard = AllocationGuard(store, clock)

    async def day(
        self, venue_id: str, start: datetime, end: datetime, excluding: UUID | None = None
    ) -> VenueDay:
        """The venue's day around [start, end) (as far as the venue's look-ahead horizon
        reaches), without `excluding`'s own allocations."""
        day = await self._reader.read(venue_id, start, end, self._clock(), excluding)
        if day is None:
            raise NotFound(resource="Venue", id=venue_id)
        return day

    async def plans(self, booking: BookingView, limit: int = 10) -> tuple[list[Plan], VenueDay]:
        """The ranked plans for a booking, and the day they were ranked on."""
        day = await self.day(booking.venue_id, booking.start, booking.end, booking.booking_id)
        return self._ranked(booking, day, limit), day

    @staticmethod
    def _ranked(booking: BookingView, day: VenueDay, limit: int = 10) -> list[Plan]:
        request = request_for(booking, day)
        return rank_plans(
            request, day.tables, day.candidates, day.busy, day.context, day.weights, limit=limit
        )

    async def assign(self, booking: BookingView, *, note_attempt: bool = False) -> Seating:
        """Seat the booking at its live assignment, else at the best plan the database takes.

        The day is read and the best plan written in one transaction; when a rival took one of
        its tables meanwhile, that transaction ends and each next plan is written in its own.
        """
        plans: list[Plan] = []
        try:
            async with self._sessions.session() as session:
                day = await self._day_of(session, booking)
                rules = VenueRules(day.auto_confirm, day.retry_budget)  # with the day: no read
                existing = day.own_assignment  # read in the day's transaction: no read of its own
                if existing is not None:
                    # Read after it (under the booking's row lock, held until the session
                    # ends), the version is at least the one its writer wrote at: a stale view
                    # (a duplicate event) must not record, nor on failing release, tables the
                    # booking's current drive holds.
                    if await session.version(booking.booking_id) != booking.version:
                        raise BookingNotReady("booking_moved", booking_id=booking.booking_id)
                    return Seating(
                        existing.table_ids,
                        existing.strategy or "existing",
                        "already allocated",
                        existing.group_id,
                        rules,
                        # Its writer noted the try with it: a re-drive notes no second one.
                        attempt_noted=note_attempt,
                    )
                plans = self._ranked(booking, day)
                if not plans:
                    return Seating((), "", "no table fits", rules=rules)
                decision = await self.admission(booking, day, session)
                if decision is not None and not decision.admit:
                    return Seating((), YIELD, decision.reason, rules=rules, refused=True)
                return await self._write(session, booking, day, rules, plans[0], note_attempt)
        except AllocationConflict:
            pass  # a rival took a table since the floor was read: the next plans, each alone
        for plan in plans[1:]:
            try:
                return await self._write(self._store, booking, day, rules, plan, note_attempt)
            except AllocationConflict:
                continue
        return Seating((), "", "conflicts exhausted", rules=rules)

    async def _day_of(self, session: DaySession, booking: BookingView) -> VenueDay:
        day = await session.read(
            booking.venue_id, booking.start, booking.end, self._clock(), booking.booking_id
        )
        if day is None:
            raise NotFound(resource="Venue", id=booking.venue_id)
        return day

    async def _write(
        self,
        writer: Writer,
        booking: BookingView,
        day: VenueDay,
        rules: VenueRules,
        plan: Plan,
        note_attempt: bool,
    ) -> Seating:
        strategy = winning_strategy(plan)
        top = next((c.reason for c in plan.contributions if c.strategy == strategy), "")
        allocation, wrote = await writer.assign(
            booking.venue_id,
            booking.booking_id,
            plan.table_ids,
            booking.start,
            booking.end + day.buffer,
            now=self._clock(),
            actor="assigner",
            strategy=strategy,
            breakdown=breakdown(plan),
            attempt_reason=top if note_attempt else None,
            version=booking.version,  # a stale view of the booking writes nothing
        )
        if not wrote:  # a rival's allocation for the booking, its attempt noted by it
            top = next(
                (c.reason for c in plan.contributions if c.strategy == allocation.strategy), ""
            )
        return Seating(
            allocation.table_ids,
            allocation.strategy,
            top,
            allocation.group_id,
            rules,
            attempt_noted=note_attempt,
        )

    async def admission(
        self, booking: BookingView, day: VenueDay, reader: YieldReader | None = None
    ) -> AdmissionDecision | None:
        """The yield policy's decision on seating the booking now; None while the policy is off
        or once the booking has been tried: the policy judges a booking once, on its first try,
        never a retry, a re-assignment or a booking ops resumed. `reader` reads what it needs
        (the assigner's own reader unless told otherwise)."""
        reader = reader or self._reader
        if not day.yield_settings.enabled or await reader.tried(booking.booking_id):
            return None
        timezone = day.context.timezone
        local_day = booking.start.astimezone(timezone).date()
        midnight = datetime.combine(local_day, time(), timezone)
        now = self._clock()
        seated, history = await reader.yield_view(
            booking.venue_id, midnight, midnight + SERVICE_DAY, local_day, now
        )
        settings = with_venue_turns(day.yield_settings, day.turn_times, day.buffer)
        view = YieldView(settings, day.seats, seated, history)
        return admission(
            view,
            day.candidates,
            party_size=booking.party_size,
            start=booking.start,
            blocked_until=booking.end + day.buffer,
            timezone=timezone,
            now=self._lead_clock(),
        )

    @asynccontextmanager
    async def recorded(self, group_id: UUID | None) -> AsyncIterator[None]:
        """Wraps the record of the allocation `assign` wrote: released if the record fails."""
        if group_id is None:
            yield
            return
        async with self._guard.recorded(group_id):
            yield
