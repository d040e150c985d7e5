"""Who may move, and how a plan's benefit is measured."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from shared.seating.planning.model import Plan, SolveStatus, movable
from tests.unit.optimizer.scenes import at, booking

FREEZE = timedelta(minutes=45)


@pytest.mark.parametrize(
    ("start", "changes", "expected"),
    [
        (at(20), {}, True),
        (at(20), {"pinned": True}, False),
        (at(20), {"state": "SEATED"}, False),
        (at(20), {"state": "COMPLETED"}, False),
        (at(20), {"state": "MANUAL_REVIEW"}, True),
        (at(18, 44), {}, False),
        (at(18, 45), {}, True),
    ],
    ids=["confirmed", "pinned", "seated", "completed", "waiting", "frozen", "just outside"],
)
def test_only_unpinned_unseated_bookings_outside_the_freeze_window_move(
    start: datetime, changes: dict[str, Any], expected: bool
) -> None:
    made = booking("b", 2, start, **changes)

    assert movable(made, at(18), FREEZE) is expected


def plan(current: int, new: int) -> Plan:
    return Plan((), (), (), current, new, True, float(new), 0.1, SolveStatus.OPTIMAL)


def test_the_benefit_is_the_gain_in_percent_of_the_current_objective() -> None:
    assert plan(1000, 1100).benefit_percent == pytest.approx(10.0)
    assert plan(-200, -100).benefit_percent == pytest.approx(50.0)


def test_an_empty_day_measures_its_benefit_against_one_point() -> None:
    assert plan(0, 250).benefit_percent == pytest.approx(25_000.0)
