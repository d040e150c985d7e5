"""Which allocations a booking keeps when their record at the state service failed."""

from __future__ import annotations

import pytest

from services.assigner.domain.unrecorded import keeps_unrecorded


def test_tables_the_booking_recorded_after_all_are_kept():
    assert keeps_unrecorded("CONFIRMED", ["b", "a"], ["a", "b"], other_live_groups=1)


def test_a_moved_booking_keeps_new_tables_that_are_its_only_ones():
    assert keeps_unrecorded("ASSIGNED", ["old"], ["new"], other_live_groups=0)


def test_a_moved_booking_that_still_has_other_tables_in_force_lets_the_new_ones_go():
    assert not keeps_unrecorded("ASSIGNED", ["old"], ["new"], other_live_groups=1)


@pytest.mark.parametrize(
    "state",
    ["ASSIGNMENT_PENDING", "ASSIGNMENT_IN_PROGRESS", "MANUAL_REVIEW", "CANCELLED", "NO_SHOW",
     "REJECTED"],
)  # fmt: skip
def test_a_booking_that_does_not_hold_tables_lets_unrecorded_ones_go(state):
    assert not keeps_unrecorded(state, [], ["t1"], other_live_groups=0)
