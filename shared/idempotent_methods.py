"""The methods of each service that a channel may retry on UNAVAILABLE, for `open_channel`.

    open_channel(address, service_name="state", idempotent_methods=STATE)

Listed: reads, and writes that are idempotent by their `request_id` (a replay returns the first
answer) or by nature. Not listed: writes that take an `expected_version`. If a first attempt
committed and only its answer was lost, a retry would be refused ABORTED on the version that
attempt advanced, and would report a success as a conflict. Names are checked against the
generated descriptors at import, so a renamed RPC fails loudly instead of silently not retrying.
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf.descriptor import FileDescriptor

from shared.stubs.maitred.assigner.v1 import assigner_service_pb2
from shared.stubs.maitred.availability.v1 import availability_service_pb2, floor_plan_service_pb2
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2


def full_names(file: FileDescriptor, service: str, methods: Iterable[str]) -> tuple[str, ...]:
    """`/package.Service/Method` for each method; raises KeyError for a name the service lacks."""
    descriptor = file.services_by_name[service]
    return tuple(
        f"/{descriptor.full_name}/{descriptor.methods_by_name[method].name}" for method in methods
    )


STATE = full_names(
    state_service_pb2.DESCRIPTOR,
    "BookingService",
    ["GetBooking", "ListBookings", "ListBookingHistory", "GetTransitionMatrix", "CreateBooking"],
)

AVAILABILITY = full_names(
    availability_service_pb2.DESCRIPTOR,
    "AvailabilityService",
    # A stream is retried only until its first message arrives.
    ["GetSnapshot", "WatchSnapshots", "CheckCapacity", "SearchSlots"],
) + full_names(
    floor_plan_service_pb2.DESCRIPTOR,
    "FloorPlanService",
    [
        *("GetVenue", "ListVenues", "GetFloorPlan", "GetZone", "ListZones", "GetTable"),
        *("ListTables", "GetAdjacencyGraph", "GetVenuePolicy"),
        *("CreateVenue", "CreateZone", "CreateTable"),
    ],
)

ASSIGNER = full_names(
    assigner_service_pb2.DESCRIPTOR,
    "AssignerService",
    # MoveBookings and PlaceHold replay their first answer by request_id (a retry that arrives
    # while the first still runs waits for it); releasing a released hold changes nothing.
    ["QuoteTables", "GetAllocation", "ListAllocations", "MoveBookings", "PlaceHold", "ReleaseHold"],
)

OPTIMIZER = full_names(
    optimizer_service_pb2.DESCRIPTOR,
    "OptimizerService",
    # A replayed OptimizeVenueDay attaches to the run its request_id started.
    ["GetPlan", "ListPlans", "FindRescuePlan", "OptimizeVenueDay"],
)
