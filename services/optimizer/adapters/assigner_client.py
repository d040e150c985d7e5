"""The assigner's MoveBookings over gRPC, as the optimizer applies its plans."""

from __future__ import annotations

import grpc

from services.optimizer.domain.errors import AssignerDown
from services.optimizer.domain.records import MoveResult, PlannedMove
from shared.service_token import ServiceToken
from shared.stubs.maitred.assigner.v1 import allocation_pb2 as allocation_pb
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as api
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2_grpc as rpc

DOWN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
# The assigner seats bookings in manual review only for ops: it checks the credentials of the
# ops user applying a plan, forwarded under this header.
ON_BEHALF_HEADER = "x-maitred-on-behalf-of"


class GrpcMover:
    """Applies a plan's changes in one MoveBookings call as the `optimizer` service."""

    def __init__(self, channel: grpc.aio.Channel, token: ServiceToken, timeout: float = 30.0):
        self._stub = rpc.AssignerServiceStub(channel)
        self._token = token
        self._timeout = timeout

    async def move(
        self,
        venue_id: str,
        changes: tuple[PlannedMove, ...],
        reason: str,
        request_id: str,
        on_behalf_of: str = "",
    ) -> tuple[MoveResult, ...]:
        request = api.MoveBookingsRequest(
            venue_id=venue_id,
            moves=[
                api.BookingMove(
                    booking_id=c.booking_id,
                    expected_version=c.booking_version,
                    table_ids=list(c.to_table_ids),
                )
                for c in changes
            ],
            reason=reason[:500],
            request_id=request_id,
        )
        try:
            metadata = self._token.metadata()
            if on_behalf_of:
                metadata.append((ON_BEHALF_HEADER, on_behalf_of))
            response = await self._stub.MoveBookings(
                request, metadata=metadata, timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            if error.code() in DOWN:
                raise AssignerDown(dependency=f"The assigner ({error.code().name})") from error
            raise
        return tuple(
            MoveResult(
                booking_id=r.booking_id,
                outcome=allocation_pb.MoveOutcome.Name(r.outcome).removeprefix("MOVE_OUTCOME_"),
                detail=r.detail,
                booking_version=r.booking_version,
                allocation_id=r.allocation_id,
            )
            for r in response.results
        )
