"""Which roles may call each AssignerService method: the service's one role table."""

from __future__ import annotations

from shared.role_table import EVERY_ROLE, OPS_ONLY, OPS_OR_SERVICE, SERVICE_ONLY, role_table
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as api

SERVICE = api.DESCRIPTOR.services_by_name["AssignerService"].full_name
# Only ops assign by hand; the optimizer (service) moves bookings; every role may do the rest.
ROLES = role_table(
    api.DESCRIPTOR.services_by_name["AssignerService"],
    {
        "QuoteTables": EVERY_ROLE,
        "AssignBooking": EVERY_ROLE,
        "ManualAssign": OPS_ONLY,
        "ReassignBooking": OPS_OR_SERVICE,
        "MoveBookings": SERVICE_ONLY,
        "PlaceHold": EVERY_ROLE,
        "ExtendHold": EVERY_ROLE,
        "ReleaseHold": EVERY_ROLE,
        "ConfirmHold": EVERY_ROLE,
        "GetAllocation": EVERY_ROLE,
        "ListAllocations": EVERY_ROLE,
    },
)
