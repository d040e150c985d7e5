"""Which roles may call each AvailabilityService and FloorPlanService method: one role table."""

from __future__ import annotations

from shared.role_table import EVERY_ROLE, OPS_ONLY, role_table
from shared.stubs.maitred.availability.v1 import availability_service_pb2, floor_plan_service_pb2

# Only ops change floor plans; every role may read them and availability (within its venues).
ROLES = {
    **role_table(
        availability_service_pb2.DESCRIPTOR.services_by_name["AvailabilityService"],
        {
            "GetSnapshot": EVERY_ROLE,
            "WatchSnapshots": EVERY_ROLE,
            "CheckCapacity": EVERY_ROLE,
            "SearchSlots": EVERY_ROLE,
        },
    ),
    **role_table(
        floor_plan_service_pb2.DESCRIPTOR.services_by_name["FloorPlanService"],
        {
            "CreateVenue": OPS_ONLY,
            "GetVenue": EVERY_ROLE,
            "UpdateVenue": OPS_ONLY,
            "ListVenues": EVERY_ROLE,
            "GetFloorPlan": EVERY_ROLE,
            "CreateZone": OPS_ONLY,
            "GetZone": EVERY_ROLE,
            "UpdateZone": OPS_ONLY,
            "ListZones": EVERY_ROLE,
            "CreateTable": OPS_ONLY,
            "GetTable": EVERY_ROLE,
            "UpdateTable": OPS_ONLY,
            "ListTables": EVERY_ROLE,
            "GetAdjacencyGraph": EVERY_ROLE,
            "UpdateAdjacencyGraph": OPS_ONLY,
            "GetVenuePolicy": EVERY_ROLE,
            "UpdateVenuePolicy": OPS_ONLY,
        },
    ),
}
