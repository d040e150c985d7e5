"""The state service's BookingService, as the floor-plan use cases need it, over its gRPC stub."""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

import grpc

from shared.auth import Role, mint_token
from shared.domain_errors import StaleVersion
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc

TOKEN_TTL_SECONDS = 300
# Re-mint this long before expiry, so a token never expires in flight or on a skewed clock.
TOKEN_MARGIN_SECONDS = 60


class GrpcBookingStates:
    """Calls BookingService as the `availability` service, with a short-lived token of its own."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        *,
        secret: str,
        issuer: str,
        timeout_seconds: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._stub = rpc.BookingServiceStub(channel)
        self._secret = secret
        self._issuer = issuer
        self._timeout = timeout_seconds
        self._clock = clock
        self._token = ""
        self._expires = 0.0

    def call_metadata(self) -> list[tuple[str, str]]:
        """The authorization metadata of the next call, with a token minted anew near expiry."""
        now = self._clock()
        if now >= self._expires - TOKEN_MARGIN_SECONDS:
            self._token = mint_token(
                self._secret,
                subject="availability",
                roles=[Role.SERVICE],
                venues=["*"],
                ttl_seconds=TOKEN_TTL_SECONDS,
                issuer=self._issuer,
                now=now,
            )
            self._expires = now + TOKEN_TTL_SECONDS
        return [("authorization", f"Bearer {self._token}")]

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
                request, metadata=self.call_metadata(), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.ABORTED:
                # The booking moved since we read it: the floor change must be retried on
                # fresh facts, which is what ABORTED tells its caller.
                raise StaleVersion(
                    "stale_stranded_booking", booking_id=booking_id, expected=expected_version
                ) from error
            raise
