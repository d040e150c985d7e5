"""The state service's BookingService as the coordinator drives it, over the gRPC stub."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any
from uuid import UUID

import grpc

from services.assigner.domain.booking import BookingView, DependencyDown, Superseded
from shared.service_token import ServiceToken
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc

DOWN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
SUPERSEDED = (grpc.StatusCode.ABORTED, grpc.StatusCode.FAILED_PRECONDITION)


def view_of(booking: pb.Booking) -> BookingView:
    return BookingView(
        booking_id=UUID(booking.booking_id),
        venue_id=booking.venue_id,
        state=pb.BookingState.Name(booking.state).removeprefix("BOOKING_STATE_"),
        version=booking.version,
        party_size=booking.party_size,
        start=booking.start_time.ToDatetime(tzinfo=UTC),
        end=booking.end_time.ToDatetime(tzinfo=UTC),
        preferred_zone_id=booking.preferred_zone_id or None,
        table_ids=tuple(booking.table_ids),
    )


class GrpcBookings:
    """Reads and moves bookings as the `assigner` service; maps failures to domain exceptions."""

    def __init__(
        self, channel: grpc.aio.Channel, token: ServiceToken, timeout: float = 5.0
    ) -> None:
        self._stub = rpc.BookingServiceStub(channel)
        self._token = token
        self._timeout = timeout

    async def _call(self, method: Callable[..., Awaitable[Any]], request: Any) -> BookingView:
        try:
            response = await method(request, metadata=self._token.metadata(), timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() in DOWN:
                raise DependencyDown(f"state: {error.code().name}") from error
            if error.code() in SUPERSEDED:
                raise Superseded(error.details()) from error
            raise
        return view_of(response.booking)

    async def get(self, venue_id: str, booking_id: UUID) -> BookingView:
        request = api.GetBookingRequest(venue_id=venue_id, booking_id=str(booking_id))
        return await self._call(self._stub.GetBooking, request)

    async def move(
        self, command: str, booking: BookingView, reason: str, table_ids: tuple[str, ...] = ()
    ) -> BookingView:
        """Apply one transition RPC (by name, e.g. "VerifyCapacity") at the booking's version."""
        fields: dict[str, Any] = {
            "venue_id": booking.venue_id,
            "booking_id": str(booking.booking_id),
            "expected_version": booking.version,
            "reason": reason[:500],
        }
        if table_ids:
            fields["table_ids"] = list(table_ids)
        request = getattr(api, f"{command}Request")(**fields)
        return await self._call(getattr(self._stub, command), request)
