"""Domain errors of floor-plan changes, beyond the ones every service shares."""

from __future__ import annotations

from collections.abc import Sequence

from shared.domain_errors import FailedPrecondition, RequestIdReused


class FloorChangeStrandsBookings(FailedPrecondition):
    """A floor change would leave live assignments impossible; the bookings are listed."""

    reason = "STRANDS_BOOKINGS"
    key = "strands_bookings"

    def __init__(
        self, booking_ids: Sequence[str], causes: Sequence[str], *, seated: bool = False
    ) -> None:
        # Seated parties cannot go to manual review, so the way out differs: say which case.
        super().__init__(
            "strands_seated_bookings" if seated else None,
            booking_ids=",".join(booking_ids),
            causes="; ".join(causes),
        )
        self.booking_ids = list(booking_ids)


class ResourceExists(RequestIdReused):
    """A create names an id another request already took (ALREADY_EXISTS, as a reused id)."""

    reason = "ALREADY_EXISTS"
    key = "resource_exists"
