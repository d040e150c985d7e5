"""Use case: re-plan a venue's day (or one service period) in the background, one run at a time."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.optimizer.application.applying import Applier
from services.optimizer.application.feed import Progress, RunFeed
from services.optimizer.application.ports import Days, Plans, RunLocks
from services.optimizer.application.solving import solve_with_progress
from services.optimizer.domain.day import Window, run_window
from services.optimizer.domain.errors import AlreadyRunning, AssignerDown
from services.optimizer.domain.records import PlanRecord, PlanStatus, RunOptions, finished
from services.optimizer.metrics import OPTIMIZER_BENEFIT, OPTIMIZER_RUN
from shared.domain_errors import NotFound
from shared.seating.planning.model import SolveStatus

log = logging.getLogger("maitred.optimizer.runs")
LOCK_SLACK_S = 120.0  # the venue-day lock outlives the time limit by this much (load, apply)


@dataclass(frozen=True)
class RunRequest:
    """A validated OptimizeVenueDay request."""

    venue_id: str
    service_date: date
    service_period: str
    options: RunOptions
    request_id: str | None
    actor: str
    # An ops caller's `authorization`, kept in memory only: with it the run may seat bookings in
    # manual review when it applies its plan; without it (the scheduler) it leaves them to ops.
    authorization: str = ""


class Runs:
    """Starts runs under the venue-day lock, streams their progress and stores their plans."""

    def __init__(
        self,
        *,
        reader: Days,
        plans: Plans,
        locks: RunLocks,
        applier: Applier,
        clock: Callable[[], datetime],
        new_id: Callable[[], UUID],
        workers: int = 2,
    ) -> None:
        self._reader = reader
        self._plans = plans
        self._locks = locks
        self._applier = applier
        self._clock = clock
        self._new_id = new_id
        self._workers = workers
        self._feeds: dict[tuple[str, str], RunFeed] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, request: RunRequest) -> RunFeed:
        """The feed of a new run, or of the run this request_id already started."""
        if request.request_id and (known := await self._known(request)) is not None:
            return known
        window = await self._window(request)
        run_id, plan_id = self._new_id(), self._new_id()
        ttl = request.options.time_limit_s + LOCK_SLACK_S
        token = await self._locks.acquire(request.venue_id, request.service_date, run_id, ttl)
        if token is None:
            holder = await self._locks.holder(request.venue_id, request.service_date)
            raise AlreadyRunning(
                venue_id=request.venue_id, service_date=request.service_date, run_id=holder or "?"
            )
        record = PlanRecord(
            plan_id=plan_id, run_id=run_id, venue_id=request.venue_id,
            service_date=request.service_date, service_period=request.service_period,
            status=PlanStatus.SOLVING, options=request.options, actor=request.actor,
            create_time=self._clock(),
        )  # fmt: skip
        try:
            stored = await self._plans.create(record, request.request_id)
        except BaseException:  # no run without its row: free the venue-day at once
            await self._release_quietly(record, token)
            raise
        if stored.run_id != run_id:  # the same request_id won a race elsewhere: follow it
            await self._locks.release(request.venue_id, request.service_date, token)
            return await self._replayed(stored)
        feed = RunFeed(record)
        key = (request.venue_id, request.request_id) if request.request_id else None
        if key is not None:
            self._feeds[key] = feed
        await feed.publish(Progress("LOADING", 0.0, detail="reading the venue's bookings"))
        run = self._run(feed, window, token, key, request.authorization)
        self._spawn(run, f"run-{run_id}")
        return feed

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        # A fresh context: the run outlives the call that started it, and must not inherit
        # that call's deadline (or anything else the call set) for its own outgoing calls.
        task = asyncio.create_task(work, name=name, context=contextvars.Context())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait(self) -> None:
        """Let every run in progress finish (on shutdown, within the grace period)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _known(self, request: RunRequest) -> RunFeed | None:
        assert request.request_id is not None
        feed = self._feeds.get((request.venue_id, request.request_id))
        if feed is not None:
            return feed
        stored = await self._plans.by_request(request.venue_id, request.request_id)
        return await self._replayed(stored) if stored is not None else None

    async def _replayed(self, record: PlanRecord) -> RunFeed:
        """A feed for a run made earlier or by another replica: its plan once it is finished."""
        feed = RunFeed(record)
        await feed.publish(Progress("SOLVING", 0.0, detail=f"following run {record.run_id}"))
        self._spawn(self._poll(feed, record), f"follow-{record.run_id}")
        return feed

    async def _poll(self, feed: RunFeed, record: PlanRecord) -> None:
        # A run ends within its time limit and the lock's slack; past that its process died,
        # and the reader gets the row as it stands (the scheduler marks it FAILED later).
        deadline = time.monotonic() + record.options.time_limit_s + LOCK_SLACK_S
        while record.status is PlanStatus.SOLVING and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            record = await self._plans.get(record.venue_id, record.plan_id) or record
        await feed.publish(record)

    async def _window(self, request: RunRequest) -> Window:
        venue = await self._reader.venue(request.venue_id)
        if venue is None:
            raise NotFound(resource="Venue", id=request.venue_id)
        zone, periods = venue
        return run_window(request.service_date, zone, periods, request.service_period)

    async def _run(
        self,
        feed: RunFeed,
        window: Window,
        token: str,
        key: tuple[str, str] | None,
        authorization: str,
    ) -> None:
        record = feed.record
        began = time.monotonic()
        try:
            record = await self._solve_and_apply(feed, window, began, authorization)
        except Exception:  # a run must always end with a stored, explained plan
            log.exception("optimizer run failed", extra={"run_id": str(record.run_id)})
            # The detail is shown to callers: the cause stays in the log, under the run id.
            detail = f"the run failed unexpectedly; the service log has run {record.run_id}"
            record = replace(
                record, status=PlanStatus.FAILED, status_detail=detail, complete_time=self._clock()
            )
            await self._save_quietly(record)
        finally:
            await self._release_quietly(record, token)
        OPTIMIZER_RUN.observe(time.monotonic() - began)
        if record.status is not PlanStatus.FAILED:
            OPTIMIZER_BENEFIT.observe(record.benefit_percent)
        await feed.publish(record)
        if key is not None:  # replays from now on find the stored plan
            self._feeds.pop(key, None)

    async def _solve_and_apply(
        self, feed: RunFeed, window: Window, began: float, authorization: str
    ) -> PlanRecord:
        record = feed.record
        options = record.options
        day = await self._reader.read(
            record.venue_id, window, self._clock(), move_penalty=options.move_penalty,
            with_review=bool(authorization),
        )  # fmt: skip
        if day is None:
            raise NotFound(resource="Venue", id=record.venue_id)
        problem = day.problem
        detail = f"loaded {len(problem.bookings)} bookings, {len(problem.tables)} tables"
        await feed.publish(Progress("LOADING", time.monotonic() - began, detail=detail))
        plan = await solve_with_progress(
            day.problem, feed, began, options.time_limit_s, options.seed, self._workers
        )
        if plan.status is SolveStatus.FALLBACK:
            await feed.publish(
                Progress("FALLBACK", time.monotonic() - began, plan.solutions,
                         plan.new_objective, plan.best_bound, "keeping the current seating")
            )  # fmt: skip
        record = finished(record, plan, day, self._clock())
        await self._plans.save(record)
        if record.status is PlanStatus.PROPOSED and not options.dry_run:
            await feed.publish(
                Progress("APPLYING", time.monotonic() - began, plan.solutions,
                         plan.new_objective, plan.best_bound,
                         f"applying {len(record.changes)} changes")
            )  # fmt: skip
            try:
                reason = f"optimizer plan {record.plan_id}"
                record = await self._applier.apply(record, reason, authorization)
            except AssignerDown as error:
                who = error.params["dependency"]
                detail = f"not applied: {who} did not answer; retry with ApplyPlan"
                record = replace(record, status_detail=detail)
                await self._plans.save(record)
        return record

    async def _release_quietly(self, record: PlanRecord, token: str) -> None:
        # The lock expires on its own; a Redis hiccup must not keep the plan from its readers.
        try:
            await self._locks.release(record.venue_id, record.service_date, token)
        except Exception:
            log.warning("could not release the run lock", extra={"run_id": str(record.run_id)})

    async def _save_quietly(self, record: PlanRecord) -> None:
        try:
            await self._plans.save(record)
        except Exception:
            log.exception("could not store the failed run", extra={"run_id": str(record.run_id)})
