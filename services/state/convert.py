"""Translations between the state service's protos and its domain objects."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from google.protobuf.timestamp_pb2 import Timestamp

from services.state.domain.model import Booking, StateChange
from services.state.domain.states import BookingState, DisplayStatus, Transition
from shared.domain_errors import FieldViolation, InvalidArgument
from shared.stubs.maitred.state.v1 import booking_pb2 as pb

STATE_PREFIX = "BOOKING_STATE_"
DISPLAY_PREFIX = "DISPLAY_STATUS_"


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def moment(stamp: Timestamp) -> datetime:
    result: datetime = stamp.ToDatetime(tzinfo=UTC)
    return result


def state_to_proto(state: BookingState) -> int:
    return int(pb.BookingState.Value(STATE_PREFIX + state.value))


def state_from_proto(value: int, field: str) -> BookingState:
    """The domain state of a proto enum value; INVALID_ARGUMENT naming `field` otherwise."""
    name = pb.BookingState.Name(value) if value in pb.BookingState.values() else ""
    if not name or value == pb.BOOKING_STATE_UNSPECIFIED:
        raise InvalidArgument([FieldViolation(field, "field.required")])
    return BookingState(name.removeprefix(STATE_PREFIX))


def display_to_proto(status: DisplayStatus) -> int:
    return int(pb.DisplayStatus.Value(DISPLAY_PREFIX + status.value))


def display_from_proto(value: int, field: str) -> DisplayStatus:
    if value not in pb.DisplayStatus.values() or value == pb.DISPLAY_STATUS_UNSPECIFIED:
        raise InvalidArgument([FieldViolation(field, "field.not_a_target")])
    return DisplayStatus(pb.DisplayStatus.Name(value).removeprefix(DISPLAY_PREFIX))


def booking_id_from(text: str, field: str = "booking_id") -> UUID:
    """The booking id of a request; INVALID_ARGUMENT when missing or not a UUID."""
    if not text:
        raise InvalidArgument([FieldViolation(field, "field.required")])
    try:
        return UUID(text)
    except ValueError as error:
        raise InvalidArgument(
            [FieldViolation(field, "field.bad_format", {"format": "a UUID"})]
        ) from error


def booking_to_proto(booking: Booking) -> pb.Booking:
    return pb.Booking(
        booking_id=str(booking.booking_id),
        venue_id=booking.venue_id,
        party_size=booking.party_size,
        start_time=timestamp(booking.start_time),
        end_time=timestamp(booking.end_time),
        state=state_to_proto(booking.state),  # type: ignore[arg-type]
        display_status=display_to_proto(booking.display_status),  # type: ignore[arg-type]
        version=booking.version,
        guest_reference=booking.guest_reference,
        notes=booking.notes,
        preferred_zone_id=booking.preferred_zone_id or "",
        pinned=booking.pinned,
        table_ids=list(booking.table_ids),
        state_reason=booking.state_reason,
        create_time=timestamp(booking.create_time),
        update_time=timestamp(booking.update_time),
    )


def change_to_proto(change: StateChange) -> pb.BookingStateChange:
    return pb.BookingStateChange(
        from_state=state_to_proto(change.from_state) if change.from_state else 0,  # type: ignore[arg-type]
        to_state=state_to_proto(change.to_state),  # type: ignore[arg-type]
        version=change.version,
        actor=change.actor,
        reason=change.reason,
        trace_id=change.trace_id,
        change_time=timestamp(change.change_time),
    )


def transition_to_proto(transition: Transition) -> pb.Transition:
    return pb.Transition(
        from_state=state_to_proto(transition.from_state),  # type: ignore[arg-type]
        to_state=state_to_proto(transition.to_state),  # type: ignore[arg-type]
        rpc=transition.command.value,
        allowed_roles=[
            pb.Role.Value("ROLE_" + role.name) for role in sorted(transition.allowed_roles)
        ],
    )
