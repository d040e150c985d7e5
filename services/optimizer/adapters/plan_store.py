"""Runs and their plans as rows of optimizer_runs and optimizer_plans (one plan per run)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, literal, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.optimizer.adapters.plan_rows import plan_values, record_of, run_values
from services.optimizer.adapters.tables import optimizer_plans as plans
from services.optimizer.adapters.tables import optimizer_runs as runs
from services.optimizer.domain.records import PlanRecord, PlanStatus

Position = tuple[datetime, UUID]  # (create time, plan id) of the last plan served


class PlanStore:
    """Creates, updates and reads runs with their plans; one transaction per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(self, record: PlanRecord, request_id: str | None) -> PlanRecord:
        """Store a new run in SOLVING; the run already made for `request_id` when there is one."""
        options = record.options
        try:
            async with self._engine.begin() as db:
                await db.execute(
                    runs.insert().values(
                        run_id=record.run_id, venue_id=record.venue_id,
                        service_date=record.service_date, period_name=record.service_period,
                        seed=options.seed, time_limit_seconds=options.time_limit_s,
                        start_time=record.create_time, request_id=request_id, actor=record.actor,
                        **run_values(record),
                    )
                )  # fmt: skip
                await db.execute(
                    plans.insert().values(
                        plan_id=record.plan_id, run_id=record.run_id, venue_id=record.venue_id,
                        service_date=record.service_date, create_time=record.create_time,
                        **plan_values(record),
                    )
                )  # fmt: skip
        except IntegrityError:
            if request_id is None:
                raise
            existing = await self.by_request(record.venue_id, request_id)
            if existing is None:
                raise
            return existing
        return record

    async def save(self, record: PlanRecord) -> None:
        """Write the run's figures and the plan as they stand now."""
        async with self._engine.begin() as db:
            await db.execute(
                update(runs).where(runs.c.run_id == record.run_id).values(**run_values(record))
            )
            await db.execute(
                update(plans).where(plans.c.plan_id == record.plan_id).values(**plan_values(record))
            )

    async def get(self, venue_id: str, plan_id: UUID) -> PlanRecord | None:
        found = await self._select(plans.c.venue_id == venue_id, plans.c.plan_id == plan_id)
        return found[0] if found else None

    async def by_request(self, venue_id: str, request_id: str) -> PlanRecord | None:
        found = await self._select(runs.c.venue_id == venue_id, runs.c.request_id == request_id)
        return found[0] if found else None

    async def page(
        self,
        venue_id: str,
        service_date: date | None,
        statuses: Collection[PlanStatus],
        after: Position | None,
        limit: int,
    ) -> list[PlanRecord]:
        """The venue's plans, newest first, resuming after `after`."""
        where = [plans.c.venue_id == venue_id]
        if service_date is not None:
            where.append(plans.c.service_date == service_date)
        if statuses:
            where.append(plans.c.status.in_([s.value for s in statuses]))
        if after is not None:
            where.append(
                tuple_(plans.c.create_time, plans.c.plan_id)
                < tuple_(literal(after[0]), literal(after[1]))
            )
        return await self._select(*where, limit=limit)

    async def periods_run(self, venue_id: str, service_date: date, actor: str) -> set[str]:
        """The service periods of that day that `actor` has already started a run for."""
        async with self._engine.connect() as db:
            rows = await db.execute(
                select(runs.c.period_name).where(
                    runs.c.venue_id == venue_id,
                    runs.c.service_date == service_date,
                    runs.c.actor == actor,
                )
            )
            return {name or "" for name in rows.scalars()}

    async def fail_abandoned(self, started_before: datetime, now: datetime) -> int:
        """Mark runs still SOLVING that started before the cut-off as FAILED: their process died."""
        detail = "the run's process stopped before it finished"
        async with self._engine.begin() as db:
            stale = and_(runs.c.status == PlanStatus.SOLVING.value,
                         runs.c.start_time < started_before)  # fmt: skip
            ids = list((await db.execute(select(runs.c.run_id).where(stale))).scalars())
            if not ids:
                return 0
            await db.execute(
                update(runs)
                .where(runs.c.run_id.in_(ids))
                .values(status=PlanStatus.FAILED.value, error=detail, finish_time=now)
            )
            await db.execute(
                update(plans).where(plans.c.run_id.in_(ids)).values(status=PlanStatus.FAILED.value)
            )
        return len(ids)

    async def _select(self, *where: Any, limit: int = 1) -> list[PlanRecord]:
        query = (
            select(plans, runs)
            .select_from(plans.join(runs, plans.c.run_id == runs.c.run_id))
            .where(*where)
            .order_by(plans.c.create_time.desc(), plans.c.plan_id.desc())
            .limit(limit)
        )
        async with self._engine.connect() as db:
            rows = (await db.execute(query)).mappings().all()
        return [record_of(row) for row in rows]


__all__ = ["PlanStore", "Position"]
