"""Which roles may call which AssignerService methods; a method not named here is open to all."""

from __future__ import annotations

from shared.auth import Role
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as api

SERVICE = api.DESCRIPTOR.services_by_name["AssignerService"].full_name
# Only ops assign by hand; the optimizer (service) moves bookings; every role may do the rest.
ASSIGNER_ROLES: dict[str, frozenset[Role]] = {
    f"/{SERVICE}/ManualAssign": frozenset({Role.OPS}),
    f"/{SERVICE}/ReassignBooking": frozenset({Role.OPS, Role.SERVICE}),
    f"/{SERVICE}/MoveBookings": frozenset({Role.SERVICE}),
}
