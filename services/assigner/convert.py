"""Translations from the assigner's plans, allocations, booking views and move results to protos."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from services.assigner.domain.allocation import Allocation
from services.assigner.domain.booking import BookingView
from services.assigner.domain.moves import MoveOutcome, MoveResult
from services.assigner.domain.plans import Plan
from services.assigner.domain.strategies import STRATEGIES
from shared.seating.yield_policy import AdmissionDecision
from shared.stubs.maitred.assigner.v1 import allocation_pb2 as pb
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as api
from shared.stubs.maitred.common.v1 import common_pb2
from shared.stubs.maitred.state.v1 import booking_pb2

SOURCES = {
    "engine": pb.ALLOCATION_SOURCE_ENGINE,
    "requested": pb.ALLOCATION_SOURCE_REQUESTED,
    "manual": pb.ALLOCATION_SOURCE_MANUAL,
    "optimizer": pb.ALLOCATION_SOURCE_OPTIMIZER,
}


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


def _time_window(start: datetime, end: datetime) -> common_pb2.TimeWindow:
    return common_pb2.TimeWindow(start_time=stamp(start), end_time=stamp(end))


def _ordered(names: Sequence[str]) -> list[str]:
    """Strategy names in the venue's (registration) order, unknown ones last by name."""
    known = [name for name in STRATEGIES if name in names]
    return known + sorted(set(names) - set(known))


def plan_to_proto(plan: Plan) -> pb.TablePlan:
    return pb.TablePlan(
        table_ids=list(plan.table_ids),
        total_seats=plan.total_seats,
        total_score=plan.score,
        contributions=[
            pb.StrategyContribution(
                strategy=c.strategy, weight=c.weight, score=c.score, reason=c.reason
            )
            for c in plan.contributions
        ],
    )


def _contributions(breakdown: Mapping[str, Any]) -> list[pb.StrategyContribution]:
    strategies = breakdown.get("strategies") or {}
    return [
        pb.StrategyContribution(
            strategy=name,
            weight=float(strategies[name].get("weight", 0.0)),
            score=float(strategies[name].get("score", 0.0)),
            reason=str(strategies[name].get("reason", "")),
        )
        for name in _ordered(list(strategies))
    ]


def _source(allocation: Allocation) -> str:
    """Who chose the tables: stored with the allocation, or told by its strategy (older rows)."""
    stored = str(allocation.breakdown.get("source", ""))
    if stored in SOURCES:
        return stored
    if allocation.strategy in ("manual", "optimizer"):
        return allocation.strategy
    return "engine" if allocation.strategy else ""


def allocation_to_proto(allocation: Allocation, now: datetime) -> pb.Allocation:
    source = _source(allocation)
    strategy = str(allocation.breakdown.get("strategy") or "")
    if not strategy and source == "engine":
        strategy = allocation.strategy
    message = pb.Allocation(
        allocation_id=str(allocation.group_id),
        venue_id=allocation.venue_id,
        booking_id=str(allocation.booking_id) if allocation.booking_id else "",
        table_ids=list(allocation.table_ids),
        kind=pb.AllocationKind.Value(f"ALLOCATION_KIND_{allocation.kind}"),
        window=_time_window(allocation.start, allocation.end),
        party_size=allocation.party_size,
        actor=allocation.actor,
        source=SOURCES.get(source, pb.ALLOCATION_SOURCE_UNSPECIFIED),
        strategy=strategy,
        total_score=float(allocation.breakdown.get("score", 0.0)),
        contributions=_contributions(allocation.breakdown),
        reason=str(allocation.breakdown.get("reason", "")),
    )
    if allocation.kind == "HOLD" and allocation.expire_time is not None:
        message.expire_time.CopyFrom(stamp(allocation.expire_time))
    if allocation.create_time is not None:
        message.create_time.CopyFrom(stamp(allocation.create_time))
    ended = allocation.release_time
    if ended is None and allocation.kind == "HOLD" and allocation.expire_time is not None:
        ended = allocation.expire_time if allocation.expire_time <= now else None
    if ended is not None:
        message.release_time.CopyFrom(stamp(ended))
    return message


def booking_to_proto(view: BookingView) -> booking_pb2.Booking:
    """The booking as the state service returned it (the assigner keeps every field it sent)."""
    booking = booking_pb2.Booking(
        booking_id=str(view.booking_id),
        venue_id=view.venue_id,
        party_size=view.party_size,
        start_time=stamp(view.start),
        end_time=stamp(view.end),
        state=booking_pb2.BookingState.Value(f"BOOKING_STATE_{view.state}"),
        version=view.version,
        guest_reference=view.guest_reference,
        notes=view.notes,
        preferred_zone_id=view.preferred_zone_id or "",
        pinned=view.pinned,
        table_ids=list(view.table_ids),
        state_reason=view.state_reason,
    )
    if view.display_status:
        booking.display_status = booking_pb2.DisplayStatus.Value(
            f"DISPLAY_STATUS_{view.display_status}"
        )
    if view.create_time is not None:
        booking.create_time.CopyFrom(stamp(view.create_time))
    if view.update_time is not None:
        booking.update_time.CopyFrom(stamp(view.update_time))
    return booking


def move_result_to_proto(result: MoveResult) -> pb.BookingMoveResult:
    return pb.BookingMoveResult(
        booking_id=str(result.booking_id),
        outcome=pb.MoveOutcome.Value(f"MOVE_OUTCOME_{MoveOutcome(result.outcome).value}"),
        detail=result.detail,
        booking_version=result.booking_version,
        allocation_id=str(result.allocation_id) if result.allocation_id else "",
    )


def yield_decision_to_proto(
    decision: AdmissionDecision | None, protected_start: datetime | None
) -> api.YieldDecision | None:
    """The yield policy's decision for QuoteTables; None (unset) when the policy did not run."""
    if decision is None:
        return None
    message = api.YieldDecision(
        admit=decision.admit,
        expected_gain=decision.expected_gain,
        expected_loss=decision.expected_loss,
        protected_party_size=decision.protected_party_size or 0,
        reason=decision.reason,
    )
    if protected_start is not None:
        message.protected_slot_start_time.FromDatetime(protected_start)
    return message
