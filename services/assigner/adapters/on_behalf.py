"""Checks the ops credentials a service forwards for a call made on an ops user's behalf."""

from __future__ import annotations

from collections.abc import Callable

from shared.auth import bearer_token, verify_token
from shared.domain_errors import Unauthenticated

# MoveBookings reads it: the optimizer forwards the `authorization` of the ops user applying a
# plan, so bookings in manual review may leave it as that user.
ON_BEHALF_HEADER = "x-maitred-on-behalf-of"


def ops_verifier(secret: str, issuer: str) -> Callable[[str, str], bool]:
    """A check that an `authorization` value is a valid ops token covering the venue."""

    def is_ops(authorization: str, venue_id: str) -> bool:
        if not authorization:
            return False
        try:
            caller = verify_token(bearer_token(authorization), secret, issuer=issuer)
        except Unauthenticated:
            return False
        return caller.is_ops and caller.covers(venue_id)

    return is_ops
