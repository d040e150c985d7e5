"""Unit tests of the floor-plan change use cases on in-memory fakes: versions, strands, reviews."""

from __future__ import annotations

import dataclasses
from uuid import UUID

import pytest

from services.availability.application.floor_plan_changes import ChangeOptions
from services.availability.application.floor_plans import update_adjacency, update_table
from services.availability.domain.errors import FloorChangeStrandsBookings
from services.availability.domain.floor_plan import FloorPlan, edge
from shared.domain_errors import InvalidArgument, NotFound, StaleVersion
from tests.unit.availability.plan_builders import NOW, group, plan, table

CLOSED_T3 = table("t3", 4, 6, active=False)


class FakeRepository:
    """The one venue of `plan` and its live assignments; records every write."""

    def __init__(self, floor: FloorPlan, groups, log: list) -> None:
        self.floor, self.groups, self.log = floor, groups, log

    async def lock_venue(self, venue_id):
        return self.floor.venue if venue_id == self.floor.venue.venue_id else None

    async def load(self, venue):
        return self.floor

    async def live_groups(self, venue_id, now):
        return list(self.groups)

    async def update_table(self, record):
        self.log.append(("table", record))

    async def replace_edges(self, venue_id, edges):
        self.log.append(("edges", edges))

    async def save_venue(self, venue):
        self.log.append(("venue", venue.version))


class FakeUnitOfWork:
    def __init__(self, repository: FakeRepository) -> None:
        self.floor_plans = repository

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info) -> None:
        return None

    async def commit(self) -> None:
        self.floor_plans.log.append("commit")


class FakeStates:
    def __init__(self, log: list, failure: Exception | None = None) -> None:
        self.log, self.failure = log, failure

    async def send_to_manual_review(self, venue_id, booking_id, expected_version, reason):
        self.log.append(("review", booking_id.int, expected_version, reason))
        if self.failure:
            raise self.failure


def wiring(groups=(), failure: Exception | None = None) -> tuple[dict, list]:
    log: list = []
    repository = FakeRepository(plan(), groups, log)
    uow = lambda **_: FakeUnitOfWork(repository)  # noqa: E731
    return {"uow": uow, "states": FakeStates(log, failure), "now": NOW}, log


async def test_a_change_that_strands_nothing_writes_and_bumps_the_version_once():
    deps, log = wiring(groups=[group("t1", booking=1)])
    changed = await update_table(CLOSED_T3, ChangeOptions(expected_version=7), **deps)
    assert changed.stranded == () and changed.plan.venue.version == 8
    assert [entry[0] if isinstance(entry, tuple) else entry for entry in log] == [
        "table", "venue", "commit",
    ]  # fmt: skip
    assert log[0][1].update_time == NOW and log[1] == ("venue", 8)


async def test_a_stale_expected_version_is_aborted_before_anything_is_written():
    deps, log = wiring()
    with pytest.raises(StaleVersion) as raised:
        await update_table(CLOSED_T3, ChangeOptions(expected_version=6), **deps)
    assert raised.value.params == {"venue_id": "v1", "expected": 6, "current": 7}
    assert log == []


async def test_an_unknown_venue_or_table_is_not_found_and_a_missing_version_is_invalid():
    deps, log = wiring()
    with pytest.raises(NotFound):
        await update_table(dataclasses.replace(CLOSED_T3, venue_id="v2"), ChangeOptions(7), **deps)
    with pytest.raises(NotFound):
        await update_table(table("t9"), ChangeOptions(7), **deps)
    with pytest.raises(InvalidArgument):
        await update_table(CLOSED_T3, ChangeOptions(0), **deps)
    assert log == []


async def test_a_change_that_strands_a_booking_is_refused_without_writes_or_state_calls():
    deps, log = wiring(groups=[group("t3", party=5, booking=1), group("t1", booking=2)])
    with pytest.raises(FloorChangeStrandsBookings) as raised:
        await update_table(CLOSED_T3, ChangeOptions(expected_version=7), **deps)
    assert raised.value.booking_ids == [str(UUID(int=1))]
    assert raised.value.metadata()["booking_ids"] == str(UUID(int=1))
    assert log == []


async def test_moved_bookings_go_to_manual_review_with_their_version_before_the_commit():
    groups = [group("t3", party=5, booking=1), group("t1", "t2", party=7, booking=2)]
    deps, log = wiring(groups=groups)
    options = ChangeOptions(expected_version=7, move_stranded_to_manual_review=True)
    changed = await update_adjacency("v1", [("t3", "t4")], options, **deps)
    assert changed.stranded_ids == [str(UUID(int=2))]
    assert log == [
        ("review", 2, 3, "floor plan change: its tables are no longer adjacent"),
        ("edges", frozenset({edge("t3", "t4")})),
        ("venue", 8),
        "commit",
    ]


async def test_a_seated_party_is_never_sent_to_manual_review_and_the_change_is_refused():
    seated = dataclasses.replace(group("t3", party=5, booking=1), seated=True)
    deps, log = wiring(groups=[seated, group("t3", party=5, booking=2)])
    options = ChangeOptions(expected_version=7, move_stranded_to_manual_review=True)
    with pytest.raises(FloorChangeStrandsBookings) as raised:
        await update_table(CLOSED_T3, options, **deps)
    assert raised.value.booking_ids == [str(UUID(int=1))]
    assert raised.value.key == "strands_seated_bookings"
    assert log == []


async def test_validate_only_reports_the_stranded_bookings_and_writes_nothing():
    deps, log = wiring(groups=[group("t3", party=5, booking=1)])
    options = ChangeOptions(expected_version=7, validate_only=True)
    changed = await update_table(CLOSED_T3, options, **deps)
    assert changed.stranded_ids == [str(UUID(int=1))]
    assert changed.plan.venue.version == 7 and not changed.plan.table("t3").seats.active
    assert log == []


async def test_when_the_state_service_fails_the_floor_change_is_not_committed():
    failure = StaleVersion("stale_stranded_booking", booking_id=UUID(int=1), expected=3)
    deps, log = wiring(groups=[group("t3", party=5, booking=1)], failure=failure)
    options = ChangeOptions(expected_version=7, move_stranded_to_manual_review=True)
    with pytest.raises(StaleVersion):
        await update_table(CLOSED_T3, options, **deps)
    assert [entry[0] for entry in log] == ["review"]
