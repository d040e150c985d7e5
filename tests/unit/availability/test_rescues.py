"""The rescuer asks for a re-pack only where one can help, within its limits, and ranks results."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from services.availability.application.rescues import RescueOff, Rescuer
from services.availability.domain.capacity import Rejection, Verdict
from services.availability.domain.slots import SlotOption, SlotSearch
from tests.unit.availability.floors import DAY

SEVEN = DAY + timedelta(hours=19)
LIMIT = timedelta(milliseconds=300)


class FakeRescue:
    """Finds a re-pack at the given starts; records every ask; may hang from one ask on."""

    def __init__(self, *, at: set[datetime] | None = None, hang_from: int | None = None) -> None:
        self.at = at
        self.hang_from = hang_from
        self.asked: list[tuple[str, int, datetime, datetime, timedelta]] = []

    async def find(
        self, venue_id: str, party_size: int, start: datetime, end: datetime, time_limit: timedelta
    ) -> tuple[str, ...] | None:
        self.asked.append((venue_id, party_size, start, end, time_limit))
        if self.hang_from is not None and len(self.asked) > self.hang_from:
            await asyncio.Event().wait()
        return ("t4",) if self.at is None or start in self.at else None


def refused(reason: Rejection = Rejection.NO_TABLE_FITS, *, contested: bool = False) -> Verdict:
    return Verdict(False, reason, "no", SEVEN + timedelta(hours=2), contested=contested)


def at(minutes: int, *, rescue: bool = False) -> SlotOption:
    """An option starting `minutes` after 19:00 (before it when negative)."""
    start = SEVEN + timedelta(minutes=minutes)
    return SlotOption(start, start + timedelta(hours=2), "dinner", 0, rescue_needed=rescue)


async def test_a_refusal_for_want_of_a_table_is_accepted_when_a_repack_exists():
    port = FakeRescue()

    verdict = await Rescuer(port, LIMIT).check("v", SEVEN, 6, refused())

    assert verdict.accepted and verdict.rescue_needed and verdict.rejection is None
    assert verdict.detail == "fits at t4 after a re-pack"
    # The booking's own span, without the cleaning buffer (the optimizer adds it).
    assert port.asked == [("v", 6, SEVEN, SEVEN + timedelta(hours=2), LIMIT)]


async def test_no_repack_leaves_the_refusal_as_it_was():
    verdict = await Rescuer(FakeRescue(at=set()), LIMIT).check("v", SEVEN, 6, refused())
    assert verdict == refused()
    assert await Rescuer(RescueOff(), LIMIT).check("v", SEVEN, 6, refused()) == refused()


async def test_other_refusals_and_contested_ones_are_never_sent_for_a_repack():
    port = FakeRescue()
    rescuer = Rescuer(port, LIMIT)
    for verdict in (refused(Rejection.PACING_COVERS), refused(Rejection.CLOSED),
                    refused(contested=True)):  # fmt: skip
        assert await rescuer.check("v", SEVEN, 6, verdict) == verdict
    assert port.asked == []


async def test_slot_search_asks_about_the_nearest_squeezed_starts_and_ranks_them_in():
    port = FakeRescue(at={SEVEN, SEVEN + timedelta(minutes=15)})
    squeezed = [at(0, rescue=True), at(15, rescue=True), at(-15, rescue=True),
                at(30, rescue=True)]  # fmt: skip
    search = SlotSearch([at(-120), at(120)], squeezed, SEVEN)

    options = await Rescuer(port, LIMIT).slots("v", 6, search, limit=10)

    assert [a[2] for a in port.asked] == [o.start for o in squeezed[:3]]
    assert options == [at(0, rescue=True), at(15, rescue=True), at(-120), at(120)]


async def test_slot_search_never_pushes_a_free_option_out_for_a_rescued_one():
    port = FakeRescue()
    squeezed = [at(0, rescue=True), at(15, rescue=True)]
    free = [at(-120), at(120)]

    assert await Rescuer(port, LIMIT).slots("v", 6, SlotSearch(free, squeezed, SEVEN), 2) == free
    assert port.asked == []
    three = await Rescuer(port, LIMIT).slots("v", 6, SlotSearch(free, squeezed, SEVEN), 3)
    assert three == [at(0, rescue=True), *free]


async def test_slot_search_keeps_what_it_saved_when_the_budget_runs_out():
    port = FakeRescue(hang_from=1)
    squeezed = [at(0, rescue=True), at(15, rescue=True), at(30, rescue=True)]
    rescuer = Rescuer(port, timedelta(milliseconds=5))

    options = await rescuer.slots("v", 6, SlotSearch([], squeezed, SEVEN), limit=10)

    assert options == [at(0, rescue=True)]
    assert len(port.asked) == 2  # the hanging ask was cut short; the third never made


async def test_the_venues_time_limit_replaces_the_default_for_checks_and_slot_searches():
    port = FakeRescue()
    venue_limit = timedelta(milliseconds=1200)
    rescuer = Rescuer(port, LIMIT)

    await rescuer.check("v", SEVEN, 6, refused(), venue_limit)
    squeezed = [at(15, rescue=True)]
    await rescuer.slots("v", 6, SlotSearch([], squeezed, SEVEN), 3, venue_limit)

    assert [asked[-1] for asked in port.asked] == [venue_limit, venue_limit]
