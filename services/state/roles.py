"""Which roles may call each BookingService method: the service's one role table."""

from __future__ import annotations

from shared.role_table import EVERY_ROLE, OPS_ONLY, SERVICE_ONLY, role_table
from shared.stubs.maitred.state.v1 import state_service_pb2 as api

# Only ops leave manual review; only the assigner (service role) records that tables moved
# or takes several steps at once.
ROLES = role_table(
    api.DESCRIPTOR.services_by_name["BookingService"],
    {
        "CreateBooking": EVERY_ROLE,
        "GetBooking": EVERY_ROLE,
        "ListBookings": EVERY_ROLE,
        "ListBookingHistory": EVERY_ROLE,
        "GetTransitionMatrix": EVERY_ROLE,
        "VerifyCapacity": EVERY_ROLE,
        "RejectBooking": EVERY_ROLE,
        "RequestAssignment": EVERY_ROLE,
        "StartAssignment": EVERY_ROLE,
        "RecordAssignment": EVERY_ROLE,
        "RecordTableChange": SERVICE_ONLY,
        "AdvanceBooking": SERVICE_ONLY,
        "ConfirmBooking": EVERY_ROLE,
        "SeatBooking": EVERY_ROLE,
        "CompleteBooking": EVERY_ROLE,
        "CancelBooking": EVERY_ROLE,
        "MarkNoShow": EVERY_ROLE,
        "SendToManualReview": EVERY_ROLE,
        "ResolveManualReview": OPS_ONLY,
    },
)
