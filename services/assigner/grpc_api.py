"""The AssignerService servicer: booking RPCs here, hold and allocation ones in allocation_api."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import grpc

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.adapters.on_behalf import ON_BEHALF_HEADER
from services.assigner.adapters.state_client import GrpcBookings
from services.assigner.allocation_api import AllocationRpcs, allocation_message
from services.assigner.application.assign import EngineAssigner
from services.assigner.application.booking_tables import BookingTables, Outcome
from services.assigner.application.holds import Holds
from services.assigner.application.moves import Moves
from services.assigner.application.quotes import party_view, quote_booking, quote_party
from services.assigner.convert import (
    booking_to_proto,
    move_result_to_proto,
    plan_to_proto,
    yield_decision_to_proto,
)
from services.assigner.domain import validation as check
from services.assigner.domain.allocation import Allocation
from services.assigner.downstream import translated
from services.assigner.request_convert import move_request_of, window_of
from shared.call_context import current_caller
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as api
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2_grpc as rpc


def _authorization(context: grpc.aio.ServicerContext) -> str:
    """The caller's own credentials, to act on its behalf towards the state service."""
    return str(dict(context.invocation_metadata() or ()).get("authorization", ""))


class AssignerServicer(rpc.AssignerServiceServicer):  # type: ignore[misc]
    """Serves AssignerService: the booking RPCs here, the hold and allocation RPCs by its
    `AllocationRpcs` (allocation_api.py)."""

    def __init__(
        self,
        *,
        assigner: EngineAssigner,
        store: AllocationStore,
        bookings: GrpcBookings,
        clock: Callable[[], datetime],
        moves: Moves,
        is_ops: Callable[[str, str], bool] | None = None,
    ) -> None:
        """`moves` serves MoveBookings (the coordinator's rescue shares it).
        `is_ops` checks forwarded ops credentials (ON_BEHALF_HEADER); none are taken when None."""
        holds = Holds(assigner=assigner, store=store, clock=clock)
        self._allocations = AllocationRpcs(holds=holds, reads=store.reads, clock=clock)
        self._clock = clock
        self._is_ops = is_ops
        self._assigner = assigner
        self._bookings = bookings
        self._tables = BookingTables(assigner=assigner, store=store, bookings=bookings, clock=clock)
        self._moves = moves

    def _allocation(self, allocation: Allocation | None) -> Any:
        return allocation_message(allocation, self._clock())

    def _outcome(self, outcome: Outcome) -> dict[str, Any]:
        return {
            "allocation": self._allocation(outcome.allocation),
            "booking": booking_to_proto(outcome.booking),
        }

    @translated
    async def QuoteTables(
        self, request: api.QuoteTablesRequest, context: grpc.aio.ServicerContext
    ) -> api.QuoteTablesResponse:
        venue_id = check.venue_id_of(request.venue_id)
        limit = check.plan_limit(request.max_plans)
        if request.booking_id:
            booking_id = check.uuid_of(request.booking_id, "booking_id")
            quote = await quote_booking(
                venue_id, booking_id, limit, assigner=self._assigner, bookings=self._bookings
            )
        else:
            party = check.party_size_of(request.party_size)
            start, end = window_of(request)
            view = party_view(venue_id, party, start, end, request.preferred_zone_id or None)
            quote = await quote_party(view, limit, assigner=self._assigner)
        return api.QuoteTablesResponse(
            plans=[plan_to_proto(p) for p in quote.plans],
            yield_decision=yield_decision_to_proto(quote.decision, quote.protected_start),
        )

    @translated
    async def AssignBooking(
        self, request: api.AssignBookingRequest, context: grpc.aio.ServicerContext
    ) -> api.AssignBookingResponse:
        outcome = await self._tables.assign(
            check.venue_id_of(request.venue_id),
            check.uuid_of(request.booking_id, "booking_id"),
            check.version_of(request.expected_version),
        )
        return api.AssignBookingResponse(**self._outcome(outcome))

    @translated
    async def ManualAssign(
        self, request: api.ManualAssignRequest, context: grpc.aio.ServicerContext
    ) -> api.ManualAssignResponse:
        """Ops' tables, written as theirs; the state moves as them too (only ops leave review)."""
        outcome = await self._tables.assign_by_hand(
            check.venue_id_of(request.venue_id),
            check.uuid_of(request.booking_id, "booking_id"),
            check.version_of(request.expected_version),
            check.table_ids_of(request.table_ids, required=True),
            check.reason_of(request.reason),
            actor=current_caller().subject,
            on_behalf_of=_authorization(context),
        )
        return api.ManualAssignResponse(**self._outcome(outcome))

    @translated
    async def ReassignBooking(
        self, request: api.ReassignBookingRequest, context: grpc.aio.ServicerContext
    ) -> api.ReassignBookingResponse:
        """Named tables: the live assignment is swapped for them in one transaction (never two
        sets at once, and on a clash the old tables stay), then recorded in the state service
        (RecordTableChange: a new version, the same state). No tables named: an ASSIGNED
        booking goes back to ASSIGNMENT_PENDING with the reason (its tables are freed with that
        change) and the coordinator assigns it afresh; a CONFIRMED booking must be given
        tables."""
        caller = current_caller()
        outcome = await self._tables.reassign(
            check.venue_id_of(request.venue_id),
            check.uuid_of(request.booking_id, "booking_id"),
            check.version_of(request.expected_version),
            check.table_ids_of(request.table_ids, required=False),
            check.reason_of(request.reason),
            actor=caller.subject,
            by_ops=caller.is_ops,
        )
        return api.ReassignBookingResponse(
            **self._outcome(outcome), previous_allocation=self._allocation(outcome.previous)
        )

    @translated
    async def MoveBookings(
        self, request: api.MoveBookingsRequest, context: grpc.aio.ServicerContext
    ) -> api.MoveBookingsResponse:
        """All moves still at their versions are written in one transaction (so swaps and
        chains work), then recorded in the state service; the rest are skipped, never forced."""
        move = move_request_of(request)
        forwarded = str(dict(context.invocation_metadata() or ()).get(ON_BEHALF_HEADER, ""))
        ops = self._is_ops is not None and self._is_ops(forwarded, move.venue_id)
        results = await self._moves.move(
            move, current_caller().subject, on_behalf_of=forwarded if ops else ""
        )
        return api.MoveBookingsResponse(results=[move_result_to_proto(r) for r in results])

    @translated
    async def ConfirmHold(
        self, request: api.ConfirmHoldRequest, context: grpc.aio.ServicerContext
    ) -> api.ConfirmHoldResponse:
        """The hold becomes the booking's assignment (same id and rows), then the booking is
        recorded ASSIGNED; the booking must be ASSIGNMENT_PENDING or ASSIGNMENT_IN_PROGRESS."""
        outcome = await self._tables.confirm_hold(
            check.venue_id_of(request.venue_id),
            check.uuid_of(request.hold_id, "hold_id"),
            check.uuid_of(request.booking_id, "booking_id"),
            check.version_of(request.expected_version),
            current_caller().subject,
        )
        return api.ConfirmHoldResponse(**self._outcome(outcome))

    # Holds and stored allocations, served by AllocationRpcs.

    async def PlaceHold(
        self, request: api.PlaceHoldRequest, context: grpc.aio.ServicerContext
    ) -> api.PlaceHoldResponse:
        return await self._allocations.PlaceHold(request, context)

    async def ExtendHold(
        self, request: api.ExtendHoldRequest, context: grpc.aio.ServicerContext
    ) -> api.ExtendHoldResponse:
        return await self._allocations.ExtendHold(request, context)

    async def ReleaseHold(
        self, request: api.ReleaseHoldRequest, context: grpc.aio.ServicerContext
    ) -> api.ReleaseHoldResponse:
        return await self._allocations.ReleaseHold(request, context)

    async def GetAllocation(
        self, request: api.GetAllocationRequest, context: grpc.aio.ServicerContext
    ) -> api.GetAllocationResponse:
        return await self._allocations.GetAllocation(request, context)

    async def ListAllocations(
        self, request: api.ListAllocationsRequest, context: grpc.aio.ServicerContext
    ) -> api.ListAllocationsResponse:
        return await self._allocations.ListAllocations(request, context)
