"""Unit tests of run windows, the shift schedule, plan verdicts and the CLI's rendering."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from google.protobuf.duration_pb2 import Duration

from services.optimizer.application.feed import Progress, RunFeed
from services.optimizer.cli import bar, summary
from services.optimizer.domain.day import Period, day_window, due_shifts, period_window
from services.optimizer.domain.records import (
    MoveResult,
    PlanRecord,
    PlanStatus,
    RunOptions,
    after_apply,
    verdict,
)
from shared.seating.planning.model import Move, Plan, SolveStatus
from shared.stubs.maitred.optimizer.v1 import plan_pb2 as pb

LONDON = ZoneInfo("Europe/London")
LUNCH = Period("lunch", 0, time(12), time(14, 30))  # Mondays
DINNER = Period("dinner", 0, time(18), time(22))


def test_a_day_is_local_midnight_to_midnight_even_across_a_clock_change():
    window = day_window(date(2026, 10, 25), LONDON)  # clocks go back: a 25-hour day
    assert window.end - window.start == timedelta(hours=25)
    assert window.start.astimezone(UTC) == datetime(2026, 10, 24, 23, tzinfo=UTC)


def test_a_period_window_includes_its_last_seating():
    window = period_window(date(2026, 11, 30), LONDON, DINNER)
    assert window.start == datetime(2026, 11, 30, 18, tzinfo=LONDON)
    assert window.start <= datetime(2026, 11, 30, 22, tzinfo=LONDON) < window.end


def test_a_shift_is_due_within_its_lead_and_only_once():
    monday = date(2026, 11, 30)
    lead = timedelta(hours=2)
    at = datetime.combine(monday, time(16, 30), LONDON)
    assert due_shifts([LUNCH, DINNER], at, LONDON, lead, set()) == ["dinner"]
    assert due_shifts([LUNCH, DINNER], at, LONDON, lead, {"dinner"}) == []
    early = datetime.combine(monday, time(15, 59), LONDON)
    assert due_shifts([LUNCH, DINNER], early, LONDON, lead, set()) == []
    started = datetime.combine(monday, time(18, 0), LONDON)
    assert due_shifts([LUNCH, DINNER], started, LONDON, lead, set()) == []
    tuesday = datetime.combine(monday + timedelta(days=1), time(16, 30), LONDON)
    assert due_shifts([LUNCH, DINNER], tuesday, LONDON, lead, set()) == []


def _plan(moves: int, new: int, current: int, after: int) -> Plan:
    move = Move("b", ("t1",), ("t2",), 1)
    return Plan(
        moves=(move,) * moves, new_assignments=(Move("n", (), ("t3",), 200),) * new,
        unseated=(), current_objective=current, new_objective=after, optimal=True,
        best_bound=after, solve_seconds=0.1, status=SolveStatus.OPTIMAL,
    )  # fmt: skip


def test_the_verdict_follows_the_threshold_and_the_dry_run():
    assert verdict(_plan(0, 0, 100, 100), 10, False)[0] is PlanStatus.NO_IMPROVEMENT
    low, detail = verdict(_plan(1, 0, 1000, 1050), 10, False)
    assert low is PlanStatus.BELOW_THRESHOLD and "5.00%" in detail and "10%" in detail
    assert verdict(_plan(1, 1, 1000, 1200), 10, False) == (PlanStatus.PROPOSED, "")
    assert verdict(_plan(1, 1, 1000, 1200), 10, True) == (
        PlanStatus.PROPOSED,
        "dry run: not applied",
    )


def _record() -> PlanRecord:
    return PlanRecord(
        plan_id=uuid.uuid4(), run_id=uuid.uuid4(), venue_id="v", service_date=date(2026, 11, 30),
        service_period="", status=PlanStatus.PROPOSED, options=RunOptions(), actor="ops",
        create_time=datetime(2026, 11, 29, tzinfo=UTC),
    )  # fmt: skip


def test_a_plan_with_a_skipped_move_is_partially_applied():
    at = datetime(2026, 11, 29, 12, tzinfo=UTC)
    full = after_apply(_record(), (MoveResult("a", "APPLIED"),), at)
    assert full.status is PlanStatus.APPLIED and full.apply_time == at
    part = after_apply(
        _record(), (MoveResult("a", "APPLIED"), MoveResult("b", "SKIPPED_STALE")), at
    )
    assert (
        part.status is PlanStatus.PARTIALLY_APPLIED and part.status_detail == "1 of 2 moves skipped"
    )


def test_the_progress_bar_shows_time_used_and_the_gap():
    progress = pb.OptimizationProgress(
        phase=pb.OPTIMIZATION_PHASE_SOLVING, elapsed=Duration(seconds=5), solutions_found=3,
        best_objective=900, best_bound=1000,
    )  # fmt: skip
    line = bar(progress, 10.0)
    assert line.startswith("SOLVING   [" + "#" * 15 + "." * 15 + "]")
    assert "5.0/10s" in line and "best 900" in line and "bound 1000" in line
    assert "gap 10.00%" in line


def test_the_summary_lists_figures_moves_and_outcomes():
    plan = pb.Plan(
        plan_id="p1", status=pb.PLAN_STATUS_PARTIALLY_APPLIED, current_objective=100,
        new_objective=150, benefit_percent=50,
        moves=[pb.PlanMove(booking_id="b1", party_size=2, from_table_ids=["t4"],
                           to_table_ids=["t1"])],
        move_results=[{"booking_id": "b1", "outcome": 2}],
    )  # fmt: skip
    text = summary(plan)
    assert "PARTIALLY_APPLIED" in text and "100 -> 150" in text and "50.00%" in text
    assert "b1  party 2: t4 -> t1  SKIPPED_STALE" in text


async def test_every_reader_of_a_run_sees_every_event_in_order():
    feed = RunFeed(_record())
    early = asyncio.create_task(_read(feed))
    await feed.publish(Progress("LOADING", 0.0))
    await feed.publish(Progress("SOLVING", 0.5, 1, 10, 20))
    late = asyncio.create_task(_read(feed))
    await feed.publish(feed.record)
    expected = ["LOADING", "SOLVING", "plan"]
    assert await early == expected and await late == expected and feed.finished


async def _read(feed: RunFeed) -> list[str]:
    return [e.phase if isinstance(e, Progress) else "plan" async for e in feed.follow()]
