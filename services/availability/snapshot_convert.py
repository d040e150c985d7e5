"""Translations between availability protos and the snapshot and capacity domain objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from services.availability.domain.capacity import Rejection, Verdict
from services.availability.domain.occupancy import Demand, Occupancy
from services.availability.domain.slots import SlotOption
from services.availability.domain.snapshot import SlotFigures, Snapshot
from shared.domain_errors import FieldViolation, InvalidArgument
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import snapshot_pb2 as pb
from shared.stubs.maitred.common.v1 import common_pb2
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.time_range import check_moment

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def stamp(moment: datetime) -> Timestamp:
    """The Timestamp of a moment (naive ones taken as UTC), as `Timestamp.FromDatetime` makes
    it, without its time-tuple round trip: a whole snapshot makes about a thousand."""
    since = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) - EPOCH
    return Timestamp(seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1000)


def moment_of(message: object, field: str, path: str) -> datetime:
    """The time in `message.field`; INVALID_ARGUMENT naming `path` when unset or out of range."""
    if not message.HasField(field):  # type: ignore[attr-defined]
        raise InvalidArgument([FieldViolation(path, "field.required")])
    value: datetime = getattr(message, field).ToDatetime(tzinfo=UTC)
    return check_moment(value, path)


def window_of(request: object, field: str = "window") -> tuple[datetime, datetime]:
    if not request.HasField(field):  # type: ignore[attr-defined]
        raise InvalidArgument([FieldViolation(field, "field.required")])
    window = getattr(request, field)
    return (
        moment_of(window, "start_time", f"{field}.start_time"),
        moment_of(window, "end_time", f"{field}.end_time"),
    )


def _window(start: datetime, end: datetime) -> common_pb2.TimeWindow:
    return common_pb2.TimeWindow(start_time=stamp(start), end_time=stamp(end))


def _interval(occupancy: Occupancy, table_id: str) -> pb.OccupiedInterval:
    interval = pb.OccupiedInterval(
        kind=pb.OccupancyKind.Value(f"OCCUPANCY_KIND_{occupancy.kind.value}"),
        window=_window(occupancy.start, occupancy.end),
        allocation_id=occupancy.allocation_id,
        booking_id=occupancy.booking_id or "",
        party_size=occupancy.party_size,
        combined_table_ids=[t for t in occupancy.table_ids if t != table_id],
    )
    if occupancy.expire_time is not None:
        interval.expire_time.CopyFrom(stamp(occupancy.expire_time))
    return interval


def table_to_proto(table_id: str, spans: tuple[Occupancy, ...]) -> pb.TableOccupancy:
    return pb.TableOccupancy(table_id=table_id, intervals=[_interval(o, table_id) for o in spans])


def demand_to_proto(demand: Demand) -> pb.PendingDemand:
    return pb.PendingDemand(
        booking_id=demand.booking_id,
        party_size=demand.party_size,
        window=_window(demand.start, demand.end),
        state=booking_pb2.BookingState.Value(f"BOOKING_STATE_{demand.state}"),
    )


def slot_to_proto(slot: SlotFigures) -> pb.SlotCapacity:
    message = pb.SlotCapacity(
        start_time=stamp(slot.start),
        free_seats=slot.free_seats,
        free_tables=[pb.FreeTableCount(max_seats=s, count=c) for s, c in slot.free_tables],
        booked_covers=slot.booked_covers,
        booked_parties=slot.booked_parties,
    )
    if slot.covers_headroom is not None:
        message.covers_headroom = slot.covers_headroom
    if slot.parties_headroom is not None:
        message.parties_headroom = slot.parties_headroom
    return message


def snapshot_to_proto(snapshot: Snapshot) -> pb.Snapshot:
    return pb.Snapshot(
        venue_id=snapshot.venue_id,
        window=_window(snapshot.start, snapshot.end),
        version=snapshot.version,
        floor_plan_version=snapshot.floor_version,
        tables=[table_to_proto(table_id, spans) for table_id, spans in snapshot.tables],
        pending_demand=[demand_to_proto(d) for d in snapshot.demand],
        slots=[slot_to_proto(s) for s in snapshot.slots],
        compute_time=stamp(snapshot.compute_time),
    )


def verdict_to_proto(verdict: Verdict, version: int) -> api.CheckCapacityResponse:
    response = api.CheckCapacityResponse(
        accepted=verdict.accepted,
        rejection_reason=_reason(verdict.rejection),
        detail=verdict.detail,
        rescue_needed=verdict.rescue_needed,
        snapshot_version=version,
    )
    if verdict.end_time is not None:
        response.end_time.CopyFrom(stamp(verdict.end_time))
    return response


def _reason(rejection: Rejection | None) -> Any:
    if rejection is None:
        return api.CAPACITY_REJECTION_REASON_UNSPECIFIED
    return api.CapacityRejectionReason.Value(f"CAPACITY_REJECTION_REASON_{rejection.value}")


def option_to_proto(option: SlotOption) -> api.SlotCandidate:
    return api.SlotCandidate(
        start_time=stamp(option.start),
        end_time=stamp(option.end),
        service_period=option.period,
        rescue_needed=option.rescue_needed,
    )
