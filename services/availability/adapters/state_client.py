"""The state service's BookingService, as the floor-plan use cases need it, over its gRPC stub."""

from __future__ import annotations

from uuid import UUID

import grpc

from shared.domain_errors import StaleVersion
from shared.service_token import ServiceToken
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc


class GrpcBookingStates:
    """Calls BookingService as the `availability` service, with a short-lived token of its own."""

    def __init__(
        self, channel: grpc.aio.Channel, token: ServiceToken, *, timeout_seconds: float = 5.0
    ) -> None:
        self._stub = rpc.BookingServiceStub(channel)
        self._token = token
        self._timeout = timeout_seconds

    async def send_to_manual_review(
        self, venue_id: str, booking_id: UUID, expected_version: int, reason: str
    ) -> None:
        request = api.SendToManualReviewRequest(
            venue_id=venue_id,
            booking_id=str(booking_id),
            expected_version=expected_version,
            reason=reason,
        )
        try:
            await self._stub.SendToManualReview(
                request, metadata=self._token.metadata(), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.ABORTED:
                # The booking moved since we read it: the floor change must be retried on
                # fresh facts, which is what ABORTED tells its caller.
                raise StaleVersion(
                    "stale_stranded_booking", booking_id=booking_id, expected=expected_version
                ) from error
            raise
