"""Optimizer requests to validated use-case inputs, and stored plans to protos."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from services.optimizer.application.feed import Progress
from services.optimizer.application.rescues import RescueAsk
from services.optimizer.application.runs import RunRequest
from services.optimizer.domain.records import MoveResult, PlannedMove, PlanRecord, RunOptions
from shared.domain_errors import FieldViolation, InvalidArgument
from shared.seating.knobs import MAX_RESCUE_TIME_LIMIT
from shared.stubs.maitred.assigner.v1 import allocation_pb2
from shared.stubs.maitred.common.v1 import common_pb2
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as api
from shared.stubs.maitred.optimizer.v1 import plan_pb2 as pb
from shared.time_range import check_day, check_moment

MAX_TIME_LIMIT_S = 120.0
DEFAULT_TIME_LIMIT_S = 10.0
MAX_RESCUE_S = MAX_RESCUE_TIME_LIMIT.total_seconds()
MAX_PARTY = 100
MAX_REQUEST_ID = 64
MAX_MOVE_PENALTY = 1_000_000


def fail(field: str, key: str, **params: object) -> InvalidArgument:
    return InvalidArgument([FieldViolation(field, key, params)])


def required(value: str, field: str) -> str:
    if not value:
        raise fail(field, "field.required")
    return value


def uuid_of(text: str, field: str) -> UUID:
    try:
        return UUID(required(text, field))
    except ValueError as error:
        raise fail(field, "field.bad_format", format="a UUID") from error


def date_of(text: str, field: str) -> date:
    try:
        day = date.fromisoformat(required(text, field))
    except ValueError as error:
        raise fail(field, "field.bad_format", format="YYYY-MM-DD") from error
    return check_day(day, field)


def _seconds(duration: Duration, field: str, maximum: float) -> float:
    seconds = float(duration.ToTimedelta().total_seconds())
    if not 0 < seconds <= maximum:
        raise fail(field, "field.out_of_range", min="0 s (excluded)", max=f"{maximum:g} s")
    return seconds


def run_request(
    request: api.OptimizeVenueDayRequest, actor: str, authorization: str = ""
) -> RunRequest:
    options = request.options
    limit = DEFAULT_TIME_LIMIT_S
    if options.HasField("time_limit"):
        limit = _seconds(options.time_limit, "options.time_limit", MAX_TIME_LIMIT_S)
    if not 0 <= options.move_penalty <= MAX_MOVE_PENALTY:
        raise fail("options.move_penalty", "field.out_of_range", min=0, max=MAX_MOVE_PENALTY)
    if len(request.request_id) > MAX_REQUEST_ID:
        raise fail("request_id", "field.too_long", max=MAX_REQUEST_ID)
    return RunRequest(
        venue_id=required(request.venue_id, "venue_id"),
        service_date=date_of(request.service_date, "service_date"),
        service_period=request.service_period,
        options=RunOptions(
            time_limit_s=limit,
            seed=options.seed,
            move_penalty=round(options.move_penalty) if options.move_penalty else None,
            dry_run=options.dry_run,
        ),
        request_id=request.request_id or None,
        actor=actor,
        authorization=authorization,
    )


def rescue_ask(request: api.FindRescuePlanRequest) -> RescueAsk:
    venue_id = required(request.venue_id, "venue_id")
    limit = None  # the venue's own rescue time limit
    if request.HasField("time_limit"):
        limit = _seconds(request.time_limit, "time_limit", MAX_RESCUE_S)
    if request.booking_id:
        return RescueAsk(venue_id, uuid_of(request.booking_id, "booking_id"), 0, None, limit)
    if not 1 <= request.party_size <= MAX_PARTY:
        raise fail("party_size", "field.out_of_range", min=1, max=MAX_PARTY)
    if not request.HasField("window"):
        raise fail("window", "field.required")
    window = request.window
    for name in ("start_time", "end_time"):
        if not window.HasField(name):
            raise fail(f"window.{name}", "field.required")
    start = check_moment(window.start_time.ToDatetime(tzinfo=UTC), "window.start_time")
    end = check_moment(window.end_time.ToDatetime(tzinfo=UTC), "window.end_time")
    if not timedelta(0) < end - start <= timedelta(hours=12):
        raise fail("window", "field.bad_window", hours=12)
    return RescueAsk(venue_id, None, request.party_size, (start, end), limit)


def _stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


def _duration(seconds: float) -> Duration:
    result = Duration()
    result.FromTimedelta(timedelta(seconds=seconds))
    return result


def _move(move: PlannedMove) -> pb.PlanMove:
    return pb.PlanMove(
        booking_id=move.booking_id,
        party_size=move.party_size,
        window=common_pb2.TimeWindow(
            start_time=_stamp(move.window[0]), end_time=_stamp(move.window[1])
        ),
        from_table_ids=list(move.from_table_ids),
        to_table_ids=list(move.to_table_ids),
        booking_version=move.booking_version,
        benefit=move.benefit,
    )


def result_to_proto(result: MoveResult) -> allocation_pb2.BookingMoveResult:
    return allocation_pb2.BookingMoveResult(
        booking_id=result.booking_id,
        outcome=allocation_pb2.MoveOutcome.Value(f"MOVE_OUTCOME_{result.outcome}"),
        detail=result.detail,
        booking_version=result.booking_version,
        allocation_id=result.allocation_id,
    )


def plan_to_proto(record: PlanRecord, *, rescue: bool = False) -> pb.Plan:
    options = record.options
    fields: dict[str, Any] = {
        "plan_id": "" if rescue else str(record.plan_id),
        "run_id": "" if rescue else str(record.run_id),
        "venue_id": record.venue_id,
        "service_date": record.service_date.isoformat(),
        "service_period": record.service_period,
        "kind": pb.PLAN_KIND_RESCUE if rescue else pb.PLAN_KIND_DAY,
        "status": pb.PlanStatus.Value(f"PLAN_STATUS_{record.status.value}"),
        "status_detail": record.status_detail,
        "moves": [_move(m) for m in record.moves],
        "new_assignments": [_move(m) for m in record.new_assignments],
        "unassigned_booking_ids": list(record.unassigned),
        "current_objective": record.current_objective,
        "new_objective": record.new_objective,
        "benefit_percent": record.benefit_percent,
        "optimal": record.optimal,
        "best_bound": record.best_bound,
        "solve_duration": _duration(record.solve_seconds),
        "options": pb.OptimizeOptions(
            time_limit=_duration(options.time_limit_s),
            seed=options.seed,
            move_penalty=float(options.move_penalty or 0),
            dry_run=options.dry_run,
        ),
        "snapshot_version": record.snapshot_version,
        "move_results": [result_to_proto(r) for r in record.results],
        "actor": record.actor,
        "create_time": _stamp(record.create_time),
    }
    if record.complete_time is not None:
        fields["complete_time"] = _stamp(record.complete_time)
    if record.apply_time is not None:
        fields["apply_time"] = _stamp(record.apply_time)
    return pb.Plan(**fields)


def progress_to_proto(progress: Progress) -> pb.OptimizationProgress:
    return pb.OptimizationProgress(
        phase=pb.OptimizationPhase.Value(f"OPTIMIZATION_PHASE_{progress.phase}"),
        elapsed=_duration(progress.elapsed_s),
        solutions_found=progress.solutions,
        best_objective=progress.best_objective,
        best_bound=progress.best_bound,
        detail=progress.detail,
    )
