"""The AssignerService RPCs on holds and stored allocations: proto in, use case, proto out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import grpc

from services.assigner.application.holds import Holds
from services.assigner.application.paging import list_allocations, page_size
from services.assigner.application.ports import AllocationReads
from services.assigner.convert import allocation_to_proto
from services.assigner.domain import validation as check
from services.assigner.domain.allocation import Allocation
from services.assigner.downstream import translated
from services.assigner.request_convert import allocation_query_of, hold_order_of, ttl_of
from shared.call_context import current_caller
from shared.domain_errors import NotFound
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as api


def allocation_message(allocation: Allocation | None, now: datetime) -> Any:
    """The allocation as its proto message, or None (the field left unset) without one."""
    return allocation_to_proto(allocation, now) if allocation else None


class AllocationRpcs:
    """AssignerService's hold and allocation RPCs; the servicer (grpc_api.py) hands them here."""

    def __init__(
        self, *, holds: Holds, reads: AllocationReads, clock: Callable[[], datetime]
    ) -> None:
        self._holds = holds
        self._reads = reads
        self._clock = clock

    def _allocation(self, allocation: Allocation | None) -> Any:
        return allocation_message(allocation, self._clock())

    @translated
    async def PlaceHold(
        self, request: api.PlaceHoldRequest, context: grpc.aio.ServicerContext
    ) -> api.PlaceHoldResponse:
        order = hold_order_of(request, current_caller().subject)
        return api.PlaceHoldResponse(hold=self._allocation(await self._holds.place(order)))

    @translated
    async def ExtendHold(
        self, request: api.ExtendHoldRequest, context: grpc.aio.ServicerContext
    ) -> api.ExtendHoldResponse:
        venue_id = check.venue_id_of(request.venue_id)
        hold_id = check.uuid_of(request.hold_id, "hold_id")
        check.check_ttl(ttl_of(request))
        hold = await self._holds.extend(venue_id, hold_id, ttl_of(request))
        return api.ExtendHoldResponse(hold=self._allocation(hold))

    @translated
    async def ReleaseHold(
        self, request: api.ReleaseHoldRequest, context: grpc.aio.ServicerContext
    ) -> api.ReleaseHoldResponse:
        venue_id = check.venue_id_of(request.venue_id)
        hold = await self._holds.release(venue_id, check.uuid_of(request.hold_id, "hold_id"))
        return api.ReleaseHoldResponse(hold=self._allocation(hold))

    @translated
    async def GetAllocation(
        self, request: api.GetAllocationRequest, context: grpc.aio.ServicerContext
    ) -> api.GetAllocationResponse:
        venue_id = check.venue_id_of(request.venue_id)
        allocation_id = check.uuid_of(request.allocation_id, "allocation_id")
        allocation = await self._reads.get(allocation_id)
        if allocation is None or allocation.venue_id != venue_id:
            raise NotFound(resource="Allocation", id=allocation_id)
        return api.GetAllocationResponse(allocation=self._allocation(allocation))

    @translated
    async def ListAllocations(
        self, request: api.ListAllocationsRequest, context: grpc.aio.ServicerContext
    ) -> api.ListAllocationsResponse:
        query = allocation_query_of(request, self._clock())
        size = page_size(request.page_size, default=100, maximum=500)
        page, token = await list_allocations(query, request.page_token, size, store=self._reads)
        return api.ListAllocationsResponse(
            allocations=[self._allocation(a) for a in page], next_page_token=token
        )
