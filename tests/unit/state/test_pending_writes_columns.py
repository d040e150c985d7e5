"""The columns a held versioned UPDATE sets are every column a booking row has, less the fixed."""

from __future__ import annotations

from services.state.adapters.pending_writes import UPDATED
from services.state.adapters.repository import _row_values
from tests.unit.state.builders import booking

FIXED = {"booking_id", "venue_id", "request_id", "create_time"}


def test_an_update_sets_every_column_a_booking_row_has_but_the_fixed() -> None:
    assert set(UPDATED) == set(_row_values(booking())) - FIXED
