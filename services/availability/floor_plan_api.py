"""The FloorPlanService servicer: proto in, use case, proto out. Nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import grpc

from services.availability.application import floor_plan_queries as queries
from services.availability.application.floor_plan_changes import ChangeOptions
from services.availability.application.floor_plan_creates import (
    create_table,
    create_venue,
    create_zone,
)
from services.availability.application.floor_plans import (
    update_adjacency,
    update_policy,
    update_table,
    update_venue,
    update_zone,
)
from services.availability.application.ports import BookingStates, UnitOfWorkFactory
from services.availability.floor_plan_convert import (
    draft_from_proto,
    floor_plan_to_proto,
    graph_to_proto,
    pairs_from_proto,
    policy_to_proto,
    table_from_proto,
    table_to_proto,
    venue_from_proto,
    venue_to_proto,
    zone_from_proto,
    zone_to_proto,
)
from shared.auth import ALL_VENUES
from shared.call_context import current_caller
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as api
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2_grpc as rpc

SERVICE = api.DESCRIPTOR.services_by_name["FloorPlanService"].full_name


def _options(request: Any) -> ChangeOptions:
    return ChangeOptions(
        expected_version=request.expected_version,
        move_stranded_to_manual_review=getattr(request, "move_stranded_to_manual_review", False),
        validate_only=getattr(request, "validate_only", False),
    )


class FloorPlanServicer(rpc.FloorPlanServiceServicer):  # type: ignore[misc]
    """Serves FloorPlanService on the floor-plan use cases."""

    def __init__(
        self, *, uow: UnitOfWorkFactory, state: BookingStates, clock: Callable[[], datetime]
    ) -> None:
        self._uow = uow
        self._state = state
        self._clock = clock

    def _changing(self) -> dict[str, Any]:
        return {"uow": self._uow, "states": self._state, "now": self._clock()}

    async def CreateVenue(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.CreateVenueResponse:
        venue = venue_from_proto(request.venue_id, request.venue)
        draft = draft_from_proto(request.venue_id, request.policy)
        venue, policy = await create_venue(
            venue,
            draft if request.HasField("policy") else None,
            request.request_id,
            uow=self._uow,
            now=self._clock(),
        )
        return api.CreateVenueResponse(venue=venue_to_proto(venue), policy=policy_to_proto(policy))

    async def GetVenue(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.GetVenueResponse:
        venue = await queries.get_venue(request.venue_id, uow=self._uow)
        return api.GetVenueResponse(venue=venue_to_proto(venue))

    async def UpdateVenue(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.UpdateVenueResponse:
        venue = venue_from_proto(request.venue_id, request.venue)
        changed = await update_venue(venue, _options(request), **self._changing())
        return api.UpdateVenueResponse(
            venue=venue_to_proto(changed.plan.venue), stranded_booking_ids=changed.stranded_ids
        )

    async def ListVenues(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.ListVenuesResponse:
        caller = current_caller()
        scope = None if ALL_VENUES in caller.venues else caller.venues
        venues, token = await queries.list_venues(
            scope, request.page_token, request.page_size, uow=self._uow
        )
        return api.ListVenuesResponse(
            venues=[venue_to_proto(v) for v in venues], next_page_token=token
        )

    async def GetFloorPlan(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.GetFloorPlanResponse:
        plan = await queries.get_floor_plan(request.venue_id, uow=self._uow)
        return api.GetFloorPlanResponse(floor_plan=floor_plan_to_proto(plan))

    async def CreateZone(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.CreateZoneResponse:
        zone = zone_from_proto(request.venue_id, request.zone.zone_id, request.zone)
        created, version = await create_zone(
            zone, request.request_id, uow=self._uow, now=self._clock()
        )
        return api.CreateZoneResponse(zone=zone_to_proto(created), venue_version=version)

    async def GetZone(self, request: Any, context: grpc.aio.ServicerContext) -> api.GetZoneResponse:
        zone, version = await queries.get_zone(request.venue_id, request.zone_id, uow=self._uow)
        return api.GetZoneResponse(zone=zone_to_proto(zone), venue_version=version)

    async def UpdateZone(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.UpdateZoneResponse:
        zone = zone_from_proto(request.venue_id, request.zone_id, request.zone)
        changed = await update_zone(zone, _options(request), **self._changing())
        updated = changed.plan.zone(request.zone_id)
        assert updated is not None
        return api.UpdateZoneResponse(
            zone=zone_to_proto(updated), venue_version=changed.plan.venue.version
        )

    async def ListZones(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.ListZonesResponse:
        zones, token, version = await queries.list_zones(
            request.venue_id, request.page_token, request.page_size, uow=self._uow
        )
        return api.ListZonesResponse(
            zones=[zone_to_proto(z) for z in zones], next_page_token=token, venue_version=version
        )

    async def CreateTable(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.CreateTableResponse:
        table = table_from_proto(request.venue_id, request.table.table_id, request.table)
        created, version = await create_table(
            table, request.request_id, uow=self._uow, now=self._clock()
        )
        return api.CreateTableResponse(table=table_to_proto(created), venue_version=version)

    async def GetTable(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.GetTableResponse:
        table, version = await queries.get_table(request.venue_id, request.table_id, uow=self._uow)
        return api.GetTableResponse(table=table_to_proto(table), venue_version=version)

    async def UpdateTable(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.UpdateTableResponse:
        table = table_from_proto(request.venue_id, request.table_id, request.table)
        changed = await update_table(table, _options(request), **self._changing())
        updated = changed.plan.table(request.table_id)
        assert updated is not None
        return api.UpdateTableResponse(
            table=table_to_proto(updated),
            venue_version=changed.plan.venue.version,
            stranded_booking_ids=changed.stranded_ids,
        )

    async def ListTables(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.ListTablesResponse:
        tables, token, version = await queries.list_tables(
            request.venue_id,
            request.zone_id,
            request.include_inactive,
            request.page_token,
            request.page_size,
            uow=self._uow,
        )
        return api.ListTablesResponse(
            tables=[table_to_proto(t) for t in tables],
            next_page_token=token,
            venue_version=version,
        )

    async def GetAdjacencyGraph(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.GetAdjacencyGraphResponse:
        plan = await queries.get_floor_plan(request.venue_id, uow=self._uow)
        return api.GetAdjacencyGraphResponse(
            adjacency_graph=graph_to_proto(request.venue_id, plan.edges),
            venue_version=plan.venue.version,
        )

    async def UpdateAdjacencyGraph(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.UpdateAdjacencyGraphResponse:
        pairs = pairs_from_proto(request.adjacency_graph)
        changed = await update_adjacency(
            request.venue_id, pairs, _options(request), **self._changing()
        )
        return api.UpdateAdjacencyGraphResponse(
            adjacency_graph=graph_to_proto(request.venue_id, changed.plan.edges),
            venue_version=changed.plan.venue.version,
            stranded_booking_ids=changed.stranded_ids,
        )

    async def GetVenuePolicy(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.GetVenuePolicyResponse:
        plan = await queries.get_floor_plan(request.venue_id, uow=self._uow)
        return api.GetVenuePolicyResponse(
            policy=policy_to_proto(plan.policy), venue_version=plan.venue.version
        )

    async def UpdateVenuePolicy(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> api.UpdateVenuePolicyResponse:
        draft = draft_from_proto(request.venue_id, request.policy)
        changed = await update_policy(
            request.venue_id, draft, _options(request), **self._changing()
        )
        return api.UpdateVenuePolicyResponse(
            policy=policy_to_proto(changed.plan.policy),
            venue_version=changed.plan.venue.version,
            stranded_booking_ids=changed.stranded_ids,
        )
