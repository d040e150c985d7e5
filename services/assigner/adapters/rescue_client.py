"""The optimizer's FindRescuePlan, as the coordinator asks it for a booking, over the gRPC stub."""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID

import grpc

from services.assigner.application.coordinator_ports import RescuePlan
from services.assigner.domain.moves import MoveOrder
from shared.seating.knobs import MAX_RESCUE_TIME_LIMIT
from shared.service_token import ServiceToken
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as api
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2_grpc as rpc

log = logging.getLogger("maitred.assigner.rescue")

# Beyond the solver's own limit: reading the window from PostgreSQL and the round trip. The
# coordinator works in the background, so it can afford more slack than a capacity check.
MARGIN = timedelta(milliseconds=500)


def plan_of(reply: api.FindRescuePlanResponse) -> RescuePlan:
    """The booking's tables and the other bookings' moves, each at its planned version."""
    moves = tuple(
        MoveOrder(UUID(m.booking_id), m.booking_version, tuple(m.to_table_ids))
        for m in reply.plan.moves
    )
    return RescuePlan(tuple(reply.table_ids), moves)


class GrpcRescuePlans:
    """Asks OptimizerService for a re-pack that seats a booking, as the `assigner` service.

    Whatever goes wrong (the optimizer down, late, failing or answering nonsense) is answered
    "no re-pack" with a warning: the journey takes its retry path and never fails for it.
    """

    def __init__(self, channel: grpc.aio.Channel, token: ServiceToken) -> None:
        self._stub = rpc.OptimizerServiceStub(channel)
        self._token = token

    async def find(
        self, venue_id: str, booking_id: UUID, time_limit: timedelta | None
    ) -> RescuePlan | None:
        request = api.FindRescuePlanRequest(venue_id=venue_id, booking_id=str(booking_id))
        if time_limit is not None:
            request.time_limit.FromTimedelta(time_limit)
        # Without a limit the optimizer takes the venue's, which is at most its own maximum.
        time_limit = time_limit or MAX_RESCUE_TIME_LIMIT
        context = {"venue_id": venue_id, "booking_id": str(booking_id)}
        try:
            reply = await self._stub.FindRescuePlan(
                request,
                metadata=self._token.metadata(),
                timeout=(time_limit + MARGIN).total_seconds(),
            )
            plan = plan_of(reply) if reply.found and reply.table_ids else None
        except grpc.aio.AioRpcError as error:
            log.warning(
                "rescue unavailable; the booking takes the retry path",
                extra={**context, "code": error.code().name, "error": error.details()},
            )
            return None
        except Exception:
            log.exception("rescue failed; the booking takes the retry path", extra=context)
            return None
        return plan
