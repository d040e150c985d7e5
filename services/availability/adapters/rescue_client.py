"""The optimizer's FindRescuePlan, as capacity checks and slot search ask it, over the gRPC stub."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import grpc
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from shared.service_token import ServiceToken
from shared.stubs.maitred.common.v1 import common_pb2
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as api
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2_grpc as rpc

log = logging.getLogger("maitred.availability.rescue")

# Beyond the solver's own limit: reading the window from PostgreSQL and the round trip.
MARGIN = timedelta(milliseconds=250)


def _stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


class GrpcRescue:
    """Asks OptimizerService for a re-pack as the `availability` service.

    Whatever goes wrong (the optimizer down, late or failing) is answered "no re-pack" with a
    warning: a capacity check or slot search keeps its fast-path answer and never fails for it.
    """

    def __init__(self, channel: grpc.aio.Channel, token: ServiceToken) -> None:
        self._stub = rpc.OptimizerServiceStub(channel)
        self._token = token

    async def find(
        self, venue_id: str, party_size: int, start: datetime, end: datetime, time_limit: timedelta
    ) -> tuple[str, ...] | None:
        limit = Duration()
        limit.FromTimedelta(time_limit)
        request = api.FindRescuePlanRequest(
            venue_id=venue_id,
            party_size=party_size,
            window=common_pb2.TimeWindow(start_time=_stamp(start), end_time=_stamp(end)),
            time_limit=limit,
        )
        try:
            reply = await self._stub.FindRescuePlan(
                request,
                metadata=self._token.metadata(),
                timeout=(time_limit + MARGIN).total_seconds(),
            )
        except grpc.aio.AioRpcError as error:
            log.warning(
                "rescue unavailable; the fast path's answer stands",
                extra={"venue_id": venue_id, "code": error.code().name, "error": error.details()},
            )
            return None
        except Exception:
            log.exception(
                "rescue failed; the fast path's answer stands", extra={"venue_id": venue_id}
            )
            return None
        return tuple(reply.table_ids) if reply.found else None
