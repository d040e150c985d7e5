"""Answers reused at one version stop being reused the moment a hold expires."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.availability.application.day_models import DayModels
from services.availability.application.rescues import RescueOff, Rescuer
from services.availability.application.snapshots import Snapshots
from services.availability.domain.capacity import Rejection
from services.availability.domain.occupancy import Kind, Occupancy
from shared.seating.demand import DemandHistory
from tests.unit.availability.floors import DAY, NOW
from tests.unit.availability.test_day_models import FakeSource, NoCache

SEVEN = DAY + timedelta(hours=19)
EXPIRY = NOW + timedelta(minutes=10)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class NoDemandCounts:
    """The venue here has no yield policy on: a search never asks for its history."""

    async def history(self, venue_id: str, day: date) -> DemandHistory:
        raise AssertionError("demand counts are read only with the yield policy on")


def held_table() -> tuple[FakeSource, Snapshots, Clock]:
    """The one table held over 19:00-20:30 until EXPIRY, at one version from then on."""
    source, clock = FakeSource(), Clock()
    source.write(
        Occupancy("g1", Kind.HOLD, ("t1",), SEVEN, SEVEN + timedelta(minutes=90),
                  expire_time=EXPIRY),
        "g1",
    )  # fmt: skip
    models = DayModels(source, NoCache(), max_days=8, idle=timedelta(hours=1))
    rescuer = Rescuer(RescueOff(), timedelta(milliseconds=300))
    snapshots = Snapshots(source, models, clock, rescuer=rescuer, demand=NoDemandCounts())
    return source, snapshots, clock


async def test_a_capacity_check_at_the_same_version_counts_a_hold_only_until_it_expires():
    source, snapshots, clock = held_table()
    refused, version = await snapshots.check("v", SEVEN, 2, None)
    assert refused.rejection is Rejection.NO_TABLE_FITS
    clock.now = EXPIRY + timedelta(seconds=1)
    accepted, later = await snapshots.check("v", SEVEN, 2, None)
    assert accepted.accepted and later == version == source.version


async def test_a_snapshot_at_the_same_version_drops_a_hold_once_it_expires():
    _, snapshots, clock = held_table()
    window = (DAY + timedelta(hours=17), DAY + timedelta(hours=22))
    first = await snapshots.snapshot("v", *window)
    assert first is await snapshots.snapshot("v", *window)  # reused while nothing changed
    assert [len(found) for _, found in first.tables] == [1]
    clock.now = EXPIRY
    after = await snapshots.snapshot("v", *window)
    assert after.version == first.version and [len(found) for _, found in after.tables] == [0]


async def test_a_slot_search_at_the_same_version_offers_a_start_once_its_hold_expires():
    _, snapshots, clock = held_table()
    before, _ = await snapshots.search("v", 2, (SEVEN, SEVEN + timedelta(minutes=30)), None, 5)
    assert before == []
    clock.now = EXPIRY
    after, _ = await snapshots.search("v", 2, (SEVEN, SEVEN + timedelta(minutes=30)), None, 5)
    assert [option.start for option in after] == [SEVEN]
