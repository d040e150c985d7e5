"""The methods the contracts mark idempotent: exactly the reads and request_id-idempotent writes."""

from __future__ import annotations

import json

from shared.channels import idempotent_methods, service_config
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2
from shared.stubs.maitred.availability.v1 import availability_service_pb2, floor_plan_service_pb2
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2

STATE = "/maitred.state.v1.BookingService/"
AVAILABILITY = "/maitred.availability.v1.AvailabilityService/"
FLOOR = "/maitred.availability.v1.FloorPlanService/"
ASSIGNER = "/maitred.assigner.v1.AssignerService/"
OPTIMIZER = "/maitred.optimizer.v1.OptimizerService/"

# The list shared/idempotent_methods.py held before the contracts carried it. Writes that
# take an expected_version stay out: a retry after a lost answer would report a conflict.
RETRIED_BEFORE = {
    *(STATE + m for m in ("GetBooking", "ListBookings", "ListBookingHistory")),
    *(STATE + m for m in ("GetTransitionMatrix", "CreateBooking")),
    *(AVAILABILITY + m for m in ("GetSnapshot", "WatchSnapshots", "CheckCapacity", "SearchSlots")),
    *(FLOOR + m for m in ("GetVenue", "ListVenues", "GetFloorPlan", "GetZone", "ListZones")),
    *(FLOOR + m for m in ("GetTable", "ListTables", "GetAdjacencyGraph", "GetVenuePolicy")),
    *(FLOOR + m for m in ("CreateVenue", "CreateZone", "CreateTable")),
    *(ASSIGNER + m for m in ("QuoteTables", "GetAllocation", "ListAllocations")),
    *(ASSIGNER + m for m in ("MoveBookings", "PlaceHold", "ReleaseHold")),
    *(OPTIMIZER + m for m in ("GetPlan", "ListPlans", "FindRescuePlan", "OptimizeVenueDay")),
}
# Methods marked idempotent in their contracts since then (a new RPC that is: add it here).
MARKED_SINCE: set[str] = set()
MARKED = RETRIED_BEFORE | MARKED_SINCE
FILES = [
    state_service_pb2.DESCRIPTOR,
    availability_service_pb2.DESCRIPTOR,
    floor_plan_service_pb2.DESCRIPTOR,
    assigner_service_pb2.DESCRIPTOR,
    optimizer_service_pb2.DESCRIPTOR,
]


def test_the_contracts_mark_the_same_methods_idempotent_as_the_list_they_replace():
    assert set(idempotent_methods(FILES)) == MARKED


def test_a_versioned_write_is_not_marked_idempotent():
    marked = set(idempotent_methods(FILES))
    assert STATE + "ConfirmBooking" not in marked
    assert FLOOR + "UpdateVenuePolicy" not in marked
    assert ASSIGNER + "AssignBooking" not in marked


def test_the_service_config_retries_only_the_marked_methods_of_the_target():
    config = json.loads(service_config(idempotent_methods([state_service_pb2.DESCRIPTOR])))
    (method_config,) = config["methodConfig"]
    retried = {f"/{name['service']}/{name['method']}" for name in method_config["name"]}
    assert retried == {name for name in MARKED if name.startswith(STATE)}
    assert method_config["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
