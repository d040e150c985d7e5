"""Translations from the assigner's request protos to validated domain values and orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from services.assigner.application.holds import HoldOrder
from services.assigner.domain.allocation import AllocationQuery
from services.assigner.domain.moves import MoveRequest
from services.assigner.domain.validation import (
    check_request_id,
    check_ttl,
    check_window,
    fail,
    move_orders_of,
    optional_uuid,
    party_size_of,
    reason_of,
    request_id_of,
    table_ids_of,
    venue_id_of,
)
from shared.stubs.maitred.assigner.v1 import allocation_pb2 as pb
from shared.time_range import LIST_SPAN, check_moment, check_span

KINDS: dict[int, str] = {
    pb.ALLOCATION_KIND_HOLD: "HOLD",
    pb.ALLOCATION_KIND_ASSIGNMENT: "ASSIGNMENT",
}


def _moment(message: Any, name: str, path: str) -> datetime:
    if not message.HasField(name):
        raise fail(path, "field.required")
    value: datetime = getattr(message, name).ToDatetime(tzinfo=UTC)
    return check_moment(value, path)


def window_of(request: Any, *, capped: bool = True) -> tuple[datetime, datetime]:
    """The request's `window`, required, its start before its end (INVALID_ARGUMENT otherwise)."""
    if not request.HasField("window"):
        raise fail("window", "field.required")
    window = request.window
    start = _moment(window, "start_time", "window.start_time")
    end = _moment(window, "end_time", "window.end_time")
    check_window(start, end, "window", capped=capped)
    if not capped:
        check_span(start, end, LIST_SPAN, "window")
    return start, end


def ttl_of(request: Any) -> timedelta | None:
    """The request's `ttl` when set."""
    if not request.HasField("ttl"):
        return None
    result: timedelta = request.ttl.ToTimedelta()
    return result


def kinds_of(values: Sequence[int]) -> frozenset[str]:
    for index, value in enumerate(values):
        if value not in KINDS:
            raise fail(f"kinds[{index}]", "field.out_of_range", min=1, max=len(KINDS))
    return frozenset(KINDS[v] for v in values)


def move_request_of(request: Any) -> MoveRequest:
    """The MoveBookings request, validated; INVALID_ARGUMENT naming every bad field otherwise."""
    return MoveRequest(
        venue_id=venue_id_of(request.venue_id),
        orders=move_orders_of(
            [(m.booking_id, m.expected_version, list(m.table_ids)) for m in request.moves]
        ),
        reason=reason_of(request.reason),
        request_id=request_id_of(request.request_id),
    )


def hold_order_of(request: Any, actor: str) -> HoldOrder:
    """The PlaceHold request, validated: named tables, or a party size for the engine."""
    venue_id = venue_id_of(request.venue_id)
    table_ids = table_ids_of(request.table_ids, required=False)
    party = request.party_size
    if party or not table_ids:
        party_size_of(party)
    start, end = window_of(request)
    check_ttl(ttl_of(request))
    check_request_id(request.request_id)
    return HoldOrder(
        venue_id=venue_id,
        start=start,
        end=end,
        table_ids=table_ids,
        party_size=party,
        ttl=ttl_of(request),
        request_id=request.request_id,
        booking_id=optional_uuid(request.booking_id, "booking_id"),
        actor=actor,
    )


def allocation_query_of(request: Any, now: datetime) -> AllocationQuery:
    """The ListAllocations request's filters, validated; `now` decides which holds count."""
    return AllocationQuery(
        venue_id=venue_id_of(request.venue_id),
        now=now,
        booking_id=optional_uuid(request.booking_id, "booking_id"),
        kinds=kinds_of(request.kinds),
        window=window_of(request, capped=False) if request.HasField("window") else None,
        include_released=request.include_released,
    )
