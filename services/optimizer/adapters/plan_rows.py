"""Runs and plans as the rows of optimizer_runs and optimizer_plans, and back."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from services.optimizer.adapters.tables import optimizer_plans as plans
from services.optimizer.domain.records import (
    MoveResult,
    PlannedMove,
    PlanRecord,
    PlanStatus,
    RunOptions,
)


def move_json(move: PlannedMove) -> dict[str, Any]:
    row = asdict(move)
    row["window"] = [move.window[0].isoformat(), move.window[1].isoformat()]
    return row


def move_of(row: dict[str, Any]) -> PlannedMove:
    start, end = (datetime.fromisoformat(t) for t in row["window"])
    return PlannedMove(
        row["booking_id"], row["party_size"], (start, end), tuple(row["from_table_ids"]),
        tuple(row["to_table_ids"]), row["booking_version"], row["benefit"],
    )  # fmt: skip


def run_values(record: PlanRecord) -> dict[str, Any]:
    return {
        "status": record.status.value,
        "current_objective": record.current_objective,
        "objective": record.new_objective,
        "best_bound": record.best_bound,
        "optimal": record.optimal,
        "benefit_percent": record.benefit_percent,
        "error": record.status_detail,
        "finish_time": record.complete_time,
        "snapshot_version": record.snapshot_version,
        "solve_seconds": record.solve_seconds,
        "unassigned": list(record.unassigned),
        "options": options_json(record),
    }


def options_json(record: PlanRecord) -> dict[str, Any]:
    options = record.options
    return {"move_penalty": options.move_penalty, "dry_run": options.dry_run,
            "threshold_percent": record.threshold_percent}  # fmt: skip


def plan_values(record: PlanRecord) -> dict[str, Any]:
    return {
        "status": record.status.value,
        "benefit_percent": record.benefit_percent,
        "moves": [move_json(m) for m in record.moves],
        "newly_seated": [move_json(m) for m in record.new_assignments],
        "apply_report": {"results": [asdict(r) for r in record.results]},
        "apply_time": record.apply_time,
    }


def record_of(row: Any) -> PlanRecord:
    options = row["options"] or {}
    return PlanRecord(
        plan_id=row["plan_id"],
        run_id=row[plans.c.run_id],
        venue_id=row[plans.c.venue_id],
        service_date=row[plans.c.service_date],
        service_period=row["period_name"] or "",
        status=PlanStatus(row[plans.c.status]),
        options=RunOptions(
            float(row["time_limit_seconds"]),
            row["seed"],
            options.get("move_penalty"),
            bool(options.get("dry_run")),
        ),
        actor=row["actor"],
        create_time=row[plans.c.create_time],
        status_detail=row["error"],
        moves=tuple(move_of(m) for m in row["moves"]),
        new_assignments=tuple(move_of(m) for m in row["newly_seated"]),
        unassigned=tuple(row["unassigned"]),
        current_objective=row["current_objective"] or 0.0,
        new_objective=row["objective"] or 0.0,
        benefit_percent=row[plans.c.benefit_percent],
        optimal=bool(row["optimal"]),
        best_bound=row["best_bound"] or 0.0,
        solve_seconds=row["solve_seconds"],
        snapshot_version=row["snapshot_version"],
        threshold_percent=float(options.get("threshold_percent", 10.0)),
        results=tuple(MoveResult(**r) for r in (row["apply_report"] or {}).get("results", [])),
        complete_time=row["finish_time"],
        apply_time=row[plans.c.apply_time],
    )
