"""Use case: apply a plan through the assigner, each change checked against its booking version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from services.optimizer.application.ports import Mover, Plans
from services.optimizer.domain.errors import BelowThreshold, PlanNotApplicable
from services.optimizer.domain.records import APPLICABLE, DONE, PlanRecord, PlanStatus, after_apply
from shared.domain_errors import NotFound


class Applier:
    """Sends a plan's moves and first assignments to MoveBookings in one call; stores the outcome.

    The plan id is the call's request id, so applying twice (a retry, two ops at once) moves
    nothing twice: the assigner answers the replay with the first call's results.
    """

    def __init__(self, *, plans: Plans, mover: Mover, clock: Callable[[], datetime]) -> None:
        self._plans = plans
        self._mover = mover
        self._clock = clock

    async def apply(self, record: PlanRecord, reason: str, on_behalf_of: str = "") -> PlanRecord:
        """Apply every change; bookings in manual review are seated only `on_behalf_of` ops."""
        results = await self._mover.move(
            record.venue_id, record.changes, reason, str(record.plan_id), on_behalf_of
        )
        record = after_apply(record, results, self._clock())
        await self._plans.save(record)
        return record

    async def apply_plan(
        self,
        venue_id: str,
        plan_id: UUID,
        *,
        force: bool,
        reason: str,
        actor: str,
        authorization: str = "",
    ) -> PlanRecord:
        """A PROPOSED plan, or a BELOW_THRESHOLD one with force, applied; an applied plan as is."""
        record = await self._plans.get(venue_id, plan_id)
        if record is None:
            raise NotFound(resource="Plan", id=plan_id)
        if record.status in DONE:
            return record
        if record.status not in APPLICABLE or not record.changes:
            raise PlanNotApplicable(plan_id=plan_id, status=record.status.value)
        if record.status is PlanStatus.BELOW_THRESHOLD and not force:
            raise BelowThreshold(
                plan_id=plan_id,
                benefit=f"{record.benefit_percent:.2f}",
                threshold=f"{record.threshold_percent:g}",
            )
        why = reason or f"optimizer plan {plan_id} applied by {actor}"
        return await self.apply(record, why, authorization)
