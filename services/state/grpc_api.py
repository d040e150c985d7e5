"""The BookingService servicer: proto in, use case, proto out. Nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import grpc

from services.state.application.create_booking import create_booking
from services.state.application.move_booking import (
    advance_booking,
    move_booking,
    record_table_change,
)
from services.state.application.ports import UnitOfWorkFactory
from services.state.application.queries import ListFilter, get_booking, list_bookings, list_history
from services.state.convert import (
    booking_id_from,
    booking_to_proto,
    change_to_proto,
    display_from_proto,
    display_to_proto,
    moment,
    state_from_proto,
    state_to_proto,
    transition_to_proto,
)
from services.state.domain.model import Move
from services.state.domain.states import DISPLAY_STATUS, Command, transition_matrix
from services.state.domain.steps import Step
from services.state.domain.table_change import TableChange
from services.state.domain.validation import (
    NewBooking,
    validate_advance_request,
    validate_move_request,
    validate_table_change_request,
)
from shared.call_context import current_call, current_caller
from shared.request_fingerprint import request_fingerprint
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc
from shared.time_range import LIST_SPAN, check_moment, check_span


def _transition(command: Command) -> Callable[..., Any]:
    """A servicer method for one transition RPC; they differ only by command."""
    response_type = getattr(api, f"{command.value}Response")

    async def handler(
        self: BookingServicer, request: Any, context: grpc.aio.ServicerContext
    ) -> Any:
        table_ids = tuple(getattr(request, "table_ids", ()))
        validate_move_request(
            venue_id=request.venue_id,
            booking_id=request.booking_id,
            reason=request.reason,
            table_ids=table_ids,
        )
        target = None
        if command is Command.RESOLVE_MANUAL_REVIEW:
            target = state_from_proto(request.target_state, "target_state")
        move = Move(
            command=command,
            expected_version=request.expected_version,
            reason=request.reason,
            target=target,
            table_ids=table_ids,
        )
        booking = await move_booking(
            request.venue_id,
            booking_id_from(request.booking_id),
            move,
            current_caller(),
            uow=self._uow,
            now=self._clock(),
            trace_id=current_call().trace_id,
        )
        return response_type(booking=booking_to_proto(booking))

    handler.__name__ = command.value
    return handler


class BookingServicer(rpc.BookingServiceServicer):  # type: ignore[misc]
    """Serves BookingService on the state service's use cases."""

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Callable[[], datetime],
        new_id: Callable[[], UUID],
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._new_id = new_id

    async def CreateBooking(
        self, request: api.CreateBookingRequest, context: grpc.aio.ServicerContext
    ) -> api.CreateBookingResponse:
        wanted = request.booking
        new = NewBooking(
            request_id=request.request_id,
            venue_id=request.venue_id,
            party_size=wanted.party_size,
            start_time=check_moment(moment(wanted.start_time), "booking.start_time")
            if wanted.HasField("start_time")
            else None,
            guest_reference=wanted.guest_reference,
            notes=wanted.notes,
            preferred_zone_id=wanted.preferred_zone_id or None,
            pinned=wanted.pinned,
        )
        booking = await create_booking(
            new,
            current_caller(),
            fingerprint=request_fingerprint(request),
            uow=self._uow,
            now=self._clock(),
            new_id=self._new_id,
            trace_id=current_call().trace_id,
        )
        return api.CreateBookingResponse(booking=booking_to_proto(booking))

    async def GetBooking(
        self, request: api.GetBookingRequest, context: grpc.aio.ServicerContext
    ) -> api.GetBookingResponse:
        booking_id = booking_id_from(request.booking_id)
        booking = await get_booking(request.venue_id, booking_id, uow=self._uow)
        return api.GetBookingResponse(booking=booking_to_proto(booking))

    async def ListBookings(
        self, request: api.ListBookingsRequest, context: grpc.aio.ServicerContext
    ) -> api.ListBookingsResponse:
        wanted = ListFilter(
            venue_id=request.venue_id,
            states=frozenset(state_from_proto(s, "states") for s in request.states),
            display_statuses=frozenset(
                display_from_proto(d, "display_statuses") for d in request.display_statuses
            ),
            start_from=moment(request.start_time_from)
            if request.HasField("start_time_from")
            else None,
            start_to=moment(request.start_time_to) if request.HasField("start_time_to") else None,
        )
        if wanted.start_from is not None and wanted.start_to is not None:
            check_span(wanted.start_from, wanted.start_to, LIST_SPAN, "start_time_to")
        page, token = await list_bookings(
            wanted, request.page_token, request.page_size, uow=self._uow
        )
        return api.ListBookingsResponse(
            bookings=[booking_to_proto(b) for b in page], next_page_token=token
        )

    async def ListBookingHistory(
        self, request: api.ListBookingHistoryRequest, context: grpc.aio.ServicerContext
    ) -> api.ListBookingHistoryResponse:
        booking_id = booking_id_from(request.booking_id)
        changes, token = await list_history(
            request.venue_id, booking_id, request.page_token, request.page_size, uow=self._uow
        )
        return api.ListBookingHistoryResponse(
            changes=[change_to_proto(c) for c in changes], next_page_token=token
        )

    async def GetTransitionMatrix(
        self, request: api.GetTransitionMatrixRequest, context: grpc.aio.ServicerContext
    ) -> api.GetTransitionMatrixResponse:
        return api.GetTransitionMatrixResponse(
            transitions=[transition_to_proto(t) for t in transition_matrix()],
            display_statuses=[
                pb.DisplayStatusMapping(
                    state=state_to_proto(state),  # type: ignore[arg-type]
                    display_status=display_to_proto(status),  # type: ignore[arg-type]
                )
                for state, status in DISPLAY_STATUS.items()
            ],
        )

    async def RecordTableChange(
        self, request: api.RecordTableChangeRequest, context: grpc.aio.ServicerContext
    ) -> api.RecordTableChangeResponse:
        """Not a transition (the state stays), so not in the matrix; service role only."""
        table_ids = tuple(request.table_ids)
        validate_table_change_request(
            venue_id=request.venue_id,
            booking_id=request.booking_id,
            reason=request.reason,
            table_ids=table_ids,
        )
        booking = await record_table_change(
            request.venue_id,
            booking_id_from(request.booking_id),
            TableChange(request.expected_version, request.reason, table_ids),
            current_caller(),
            uow=self._uow,
            now=self._clock(),
            trace_id=current_call().trace_id,
        )
        return api.RecordTableChangeResponse(booking=booking_to_proto(booking))

    async def AdvanceBooking(
        self, request: api.AdvanceBookingRequest, context: grpc.aio.ServicerContext
    ) -> api.AdvanceBookingResponse:
        """Several automated steps in one transaction; service role only."""
        validate_advance_request(
            venue_id=request.venue_id,
            booking_id=request.booking_id,
            steps=[(s.target_state, s.reason, tuple(s.table_ids)) for s in request.steps],
        )
        steps = tuple(
            Step(
                state_from_proto(step.target_state, f"steps[{index}].target_state"),
                step.reason,
                tuple(step.table_ids),
            )
            for index, step in enumerate(request.steps)
        )
        booking = await advance_booking(
            request.venue_id,
            booking_id_from(request.booking_id),
            request.expected_version,
            steps,
            current_caller(),
            uow=self._uow,
            now=self._clock(),
            trace_id=current_call().trace_id,
        )
        return api.AdvanceBookingResponse(booking=booking_to_proto(booking))

    VerifyCapacity = _transition(Command.VERIFY_CAPACITY)
    RejectBooking = _transition(Command.REJECT)
    RequestAssignment = _transition(Command.REQUEST_ASSIGNMENT)
    StartAssignment = _transition(Command.START_ASSIGNMENT)
    RecordAssignment = _transition(Command.RECORD_ASSIGNMENT)
    ConfirmBooking = _transition(Command.CONFIRM)
    SeatBooking = _transition(Command.SEAT)
    CompleteBooking = _transition(Command.COMPLETE)
    CancelBooking = _transition(Command.CANCEL)
    MarkNoShow = _transition(Command.MARK_NO_SHOW)
    SendToManualReview = _transition(Command.SEND_TO_MANUAL_REVIEW)
    ResolveManualReview = _transition(Command.RESOLVE_MANUAL_REVIEW)
