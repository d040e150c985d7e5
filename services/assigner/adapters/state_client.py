"""The state service's BookingService as the coordinator drives it, over the gRPC stub."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any
from uuid import UUID

import grpc

from services.assigner.domain.booking import (
    BookingGone,
    BookingState,
    BookingView,
    DependencyDown,
    Step,
    Superseded,
)
from shared.service_token import ServiceToken
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc

DOWN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
SUPERSEDED = (grpc.StatusCode.ABORTED, grpc.StatusCode.FAILED_PRECONDITION)


def _display(value: int) -> str:
    """The display status name; empty for one this build does not know yet."""
    known = value in pb.DisplayStatus.values() and value != pb.DISPLAY_STATUS_UNSPECIFIED
    return pb.DisplayStatus.Name(value).removeprefix("DISPLAY_STATUS_") if known else ""


def view_of(booking: pb.Booking) -> BookingView:
    return BookingView(
        booking_id=UUID(booking.booking_id),
        venue_id=booking.venue_id,
        state=BookingState(pb.BookingState.Name(booking.state).removeprefix("BOOKING_STATE_")),
        version=booking.version,
        party_size=booking.party_size,
        start=booking.start_time.ToDatetime(tzinfo=UTC),
        end=booking.end_time.ToDatetime(tzinfo=UTC),
        preferred_zone_id=booking.preferred_zone_id or None,
        table_ids=tuple(booking.table_ids),
        display_status=_display(booking.display_status),
        guest_reference=booking.guest_reference,
        notes=booking.notes,
        pinned=booking.pinned,
        state_reason=booking.state_reason,
        create_time=booking.create_time.ToDatetime(tzinfo=UTC),
        update_time=booking.update_time.ToDatetime(tzinfo=UTC),
    )


class GrpcBookings:
    """Reads and moves bookings as the `assigner` service; maps failures to domain exceptions."""

    def __init__(
        self, channel: grpc.aio.Channel, token: ServiceToken, timeout: float = 5.0
    ) -> None:
        self._stub = rpc.BookingServiceStub(channel)
        self._token = token
        self._timeout = timeout

    async def _call(
        self, method: Callable[..., Awaitable[Any]], request: Any, on_behalf_of: str = ""
    ) -> BookingView:
        metadata = [("authorization", on_behalf_of)] if on_behalf_of else self._token.metadata()
        try:
            response = await method(request, metadata=metadata, timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() in DOWN:
                raise DependencyDown(f"state: {error.code().name}") from error
            if error.code() in SUPERSEDED:
                raise Superseded(error.details()) from error
            if error.code() == grpc.StatusCode.NOT_FOUND:
                raise BookingGone(error.details()) from error
            raise
        return view_of(response.booking)

    async def get(self, venue_id: str, booking_id: UUID) -> BookingView:
        request = api.GetBookingRequest(venue_id=venue_id, booking_id=str(booking_id))
        return await self._call(self._stub.GetBooking, request)

    async def move(
        self,
        command: str,
        booking: BookingView,
        reason: str,
        table_ids: tuple[str, ...] = (),
        *,
        target_state: str = "",
        on_behalf_of: str = "",
    ) -> BookingView:
        """Apply one transition RPC (by name, e.g. "VerifyCapacity") at the booking's version.

        `target_state` (e.g. "ASSIGNED") is for ResolveManualReview. `on_behalf_of`, an
        `authorization` value, makes the call as that caller instead of as the assigner (ops
        only may move a booking out of manual review, and the history names who did).
        """
        fields: dict[str, Any] = {
            "venue_id": booking.venue_id,
            "booking_id": str(booking.booking_id),
            "expected_version": booking.version,
            "reason": reason[:500],
        }
        if table_ids:
            fields["table_ids"] = list(table_ids)
        if target_state:
            fields["target_state"] = pb.BookingState.Value(f"BOOKING_STATE_{target_state}")
        request = getattr(api, f"{command}Request")(**fields)
        return await self._call(getattr(self._stub, command), request, on_behalf_of)

    async def advance(self, booking: BookingView, steps: tuple[Step, ...]) -> BookingView:
        """Take several automated steps in one transaction (AdvanceBooking), at its version."""
        request = api.AdvanceBookingRequest(
            venue_id=booking.venue_id,
            booking_id=str(booking.booking_id),
            expected_version=booking.version,
            steps=[
                api.BookingStep(
                    target_state=pb.BookingState.Value(f"BOOKING_STATE_{step.target}"),
                    reason=step.reason[:500],
                    table_ids=list(step.table_ids),
                )
                for step in steps
            ],
        )
        return await self._call(self._stub.AdvanceBooking, request)

    async def record_tables(
        self, booking: BookingView, table_ids: tuple[str, ...], reason: str
    ) -> BookingView:
        """Record that an ASSIGNED or CONFIRMED booking now has these tables (RecordTableChange),
        at the booking's version; it keeps its state."""
        return await self.move("RecordTableChange", booking, reason, table_ids)
