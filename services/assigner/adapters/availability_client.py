"""The availability service's CheckCapacity, as the coordinator asks it, over the gRPC stub."""

from __future__ import annotations

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from services.assigner.application.coordinator_ports import Capacity
from services.assigner.domain.booking import BookingView, DependencyDown
from shared.service_token import ServiceToken
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as rpc


class GrpcCapacity:
    """Asks AvailabilityService whether a booking fits, counting everything but itself."""

    def __init__(
        self, channel: grpc.aio.Channel, token: ServiceToken, timeout: float = 5.0
    ) -> None:
        self._stub = rpc.AvailabilityServiceStub(channel)
        self._token = token
        self._timeout = timeout

    async def check(self, booking: BookingView) -> Capacity:
        start = Timestamp()
        start.FromDatetime(booking.start)
        request = api.CheckCapacityRequest(
            venue_id=booking.venue_id,
            start_time=start,
            party_size=booking.party_size,
            booking_id=str(booking.booking_id),
        )
        try:
            reply = await self._stub.CheckCapacity(
                request, metadata=self._token.metadata(), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise DependencyDown(f"availability: {error.code().name}") from error
            raise
        reason = api.CapacityRejectionReason.Name(reply.rejection_reason)
        return Capacity(
            reply.accepted, reason.removeprefix("CAPACITY_REJECTION_REASON_"), reply.detail
        )
