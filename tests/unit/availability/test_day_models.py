"""Day models: loaded once, caught up by change, rebuilt on a gap, and bounded in memory."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from services.availability.application.day_models import DayModels
from services.availability.application.snapshot_ports import DayFacts, Head, VenueChanges
from services.availability.domain.floor import Floor, Table
from services.availability.domain.occupancy import Kind, Occupancy
from shared.domain_errors import NotFound
from tests.unit.availability.floors import DAY, policy

FIRST = DAY.date()
SECOND = FIRST + timedelta(days=1)
FLOOR = Floor((Table("t1", "z", 1, 4),))


def hold(group: str, start: datetime) -> Occupancy:
    return Occupancy(group, Kind.HOLD, ("t1",), start, start + timedelta(hours=1),
                     expire_time=start)  # fmt: skip


class FakeSource:
    """The venue's days at the current version, and a change log that may have lost versions."""

    def __init__(self) -> None:
        self.version = 1
        self.occupancies: dict[str, Occupancy] = {}
        self.log: dict[int, set[str]] = {}
        self.day_reads = 0
        self.change_reads = 0
        self.behind: list[bool] = []  # each change read's `behind`
        self.gone = False
        self.paused: asyncio.Event | None = None  # set: the next change read waits for it
        self.reading = asyncio.Event()  # the paused read has taken its view and waits
        self.gate: asyncio.Event | None = None  # when set, every change read waits for it

    def write(self, occupancy: Occupancy | None, group: str) -> None:
        self.version += 1
        if occupancy is None:
            self.occupancies.pop(group, None)
        else:
            self.occupancies[group] = occupancy
        self.log[self.version] = {group}

    async def head(self, venue_id: str) -> Head | None:
        return None if self.gone else Head("UTC", self.version)

    async def day(
        self, venue_id: str, day: date, start: datetime, end: datetime
    ) -> DayFacts | None:
        if self.gone:
            return None
        self.day_reads += 1
        found = tuple(sorted((o for o in self.occupancies.values() if o.overlaps(start, end)),
                             key=lambda o: o.allocation_id))  # fmt: skip
        return DayFacts(venue_id, day, self.version, 1, FLOOR, policy(), found, ())

    async def changes(
        self, venue_id: str, since: int, *, behind: bool = False
    ) -> VenueChanges | None:
        self.change_reads += 1
        self.behind.append(behind)
        # The snapshot is taken as the read starts: a write during the wait is not in it.
        version, occupancies = self.version, dict(self.occupancies)
        if self.gate is not None:
            await self.gate.wait()
        if self.gone:
            return None
        versions = range(since + 1, version + 1)
        if any(v not in self.log for v in versions):
            return None
        groups = frozenset(g for v in versions for g in self.log[v])
        fresh = tuple(o for g, o in occupancies.items() if g in groups)
        found = VenueChanges(version, frozenset(), groups, fresh, (), None)
        if self.paused is not None:  # the read took its view; it answers once let go
            paused, self.paused = self.paused, None
            self.reading.set()
            await paused.wait()
        return found


class NoCache:
    async def get(self, venue_id: str, day: date, version: int) -> DayFacts | None:
        return None

    async def put(self, facts: DayFacts) -> None:
        return None


class Clock:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


def models(
    source: FakeSource,
    *,
    max_days: int = 8,
    clock: Clock | None = None,
    catch_up_delay: timedelta = timedelta(0),
) -> DayModels:
    return DayModels(source, NoCache(), max_days=max_days, idle=timedelta(minutes=30),
                     catch_up_delay=catch_up_delay, monotonic=clock or Clock())  # fmt: skip


async def test_a_day_is_read_once_and_then_moved_on_by_what_changed():
    source = FakeSource()
    held = models(source)
    await held.days("v", [FIRST, SECOND], UTC, source.version)
    evening = datetime.combine(FIRST, datetime.min.time(), UTC) + timedelta(hours=23, minutes=30)
    source.write(hold("g1", evening), "g1")  # spans both days
    first, second = await held.days("v", [FIRST, SECOND], UTC, source.version)
    assert source.day_reads == 2
    assert [o.allocation_id for o in first.occupancies] == ["g1"]
    assert [o.allocation_id for o in second.occupancies] == ["g1"]
    source.write(None, "g1")
    first, second = await held.days("v", [FIRST, SECOND], UTC, source.version)
    assert first.occupancies == second.occupancies == ()
    assert first.version == second.version == source.version
    assert (source.day_reads, held.catch_ups, held.rebuilds) == (2, 2, 0)


async def test_a_version_missing_from_the_log_rebuilds_the_days_from_the_source():
    source = FakeSource()
    held = models(source)
    await held.days("v", [FIRST], UTC, source.version)
    source.write(hold("g1", DAY + timedelta(hours=19)), "g1")
    del source.log[source.version]  # pruned before this process caught up
    (day,) = await held.days("v", [FIRST], UTC, source.version)
    assert [o.allocation_id for o in day.occupancies] == ["g1"]
    assert (held.rebuilds, source.day_reads) == (1, 2)


async def test_a_newly_asked_day_is_brought_to_the_version_of_the_days_already_held():
    source = FakeSource()
    held = models(source)
    await held.days("v", [FIRST], UTC, source.version)
    source.write(hold("g1", DAY + timedelta(hours=19)), "g1")
    # The second day is read at the new version; the first is caught up to match it.
    first, second = await held.days("v", [FIRST, SECOND], UTC, source.version - 1)
    assert first.version == second.version == source.version
    assert [o.allocation_id for o in first.occupancies] == ["g1"]


async def test_days_nobody_asks_about_are_dropped_after_the_idle_time():
    source, clock = FakeSource(), Clock()
    held = models(source, clock=clock)
    await held.days("v", [FIRST], UTC, source.version)
    clock.seconds += 31 * 60
    await held.days("w", [SECOND], UTC, source.version)
    assert [(venue, day) for venue, day, _ in held.loaded()] == [("w", SECOND)]


async def test_never_more_than_the_maximum_of_days_is_held_least_recently_used_first():
    source = FakeSource()
    held = models(source, max_days=2)
    for venue in ("a", "b"):
        await held.days(venue, [FIRST], UTC, source.version)
    await held.days("a", [FIRST], UTC, source.version)  # "a" is now the most recent
    await held.days("c", [FIRST], UTC, source.version)
    assert [venue for venue, _, _ in held.loaded()] == ["a", "c"]


async def test_a_venue_that_is_gone_is_not_found_and_forgotten():
    source = FakeSource()
    held = models(source)
    await held.days("v", [FIRST], UTC, source.version)
    source.gone = True
    source.version += 1  # a version the log does not hold: the days are read again
    with pytest.raises(NotFound):
        await held.days("v", [FIRST], UTC, source.version)
    assert held.loaded() == []


async def test_a_change_from_the_feed_catches_the_days_up_before_the_next_call():
    source = FakeSource()
    held = models(source)
    await held.days("v", [FIRST], UTC, source.version)
    source.write(hold("g1", DAY + timedelta(hours=19)), "g1")
    held.changed("v", source.version)
    held.changed("w", source.version)  # a venue this process does not hold: nothing to do
    for _ in range(100):  # bounded: the catch-up runs on the next turns of the loop
        if held.version_of("v") == source.version:
            break
        await asyncio.sleep(0)
    assert held.version_of("v") == source.version and held.catch_ups == 1
    (day,) = await held.days("v", [FIRST], UTC, source.version)
    assert [o.allocation_id for o in day.occupancies] == ["g1"] and held.catch_ups == 1
    assert [venue for venue, _, _ in held.loaded()] == ["v"]
    await held.close()


async def test_the_changes_announced_within_the_delay_cost_one_background_read():
    source = FakeSource()
    held = models(source, catch_up_delay=timedelta(milliseconds=50))
    await held.days("v", [FIRST], UTC, source.version)
    for group in ("g1", "g2", "g3"):
        source.write(hold(group, DAY + timedelta(hours=19)), group)
        held.changed("v", source.version)
        for _ in range(5):  # turns of the loop between changes, as between the feed's messages
            await asyncio.sleep(0)
    for _ in range(200):  # bounded: the catch-up runs once the delay is over
        if held.version_of("v") == source.version:
            break
        await asyncio.sleep(0.01)
    assert held.version_of("v") == source.version and held.catch_ups == 1
    (day,) = await held.days("v", [FIRST], UTC, source.version)
    assert [o.allocation_id for o in day.occupancies] == ["g1", "g2", "g3"]
    await held.close()


async def test_a_change_announced_during_a_background_read_gets_a_read_of_its_own():
    source = FakeSource()
    held = models(source)
    await held.days("v", [FIRST], UTC, source.version)
    source.paused = let_go = asyncio.Event()
    source.write(hold("g1", DAY + timedelta(hours=19)), "g1")
    held.changed("v", source.version)
    await asyncio.wait_for(source.reading.wait(), timeout=5)  # the first read saw only g1
    source.write(hold("g2", DAY + timedelta(hours=20)), "g2")
    held.changed("v", source.version)  # too late for the read in flight: it needs its own
    let_go.set()
    for _ in range(100):
        if held.version_of("v") == source.version:
            break
        await asyncio.sleep(0)
    assert held.version_of("v") == source.version and held.catch_ups == 2
    (day,) = await held.days("v", [FIRST], UTC, source.version)
    assert [o.allocation_id for o in day.occupancies] == ["g1", "g2"]
    await held.close()


async def test_latest_catches_held_days_up_in_one_change_read_and_says_nothing_unheld():
    source = FakeSource()
    held = models(source)
    assert await held.latest("v") is None  # nothing held: the caller reads the head
    await held.days("v", [FIRST], UTC, source.version)
    source.write(hold("g1", DAY + timedelta(hours=19)), "g1")
    zone, version = await held.latest("v")  # type: ignore[misc]
    assert (zone, version, source.change_reads) == (UTC, source.version, 1)
    (day,) = await held.days("v", [FIRST], UTC, version)
    assert [o.allocation_id for o in day.occupancies] == ["g1"]
    assert await held.latest("v") == (UTC, source.version)  # nothing new: still one read
    assert (source.change_reads, source.day_reads, held.catch_ups) == (2, 1, 1)


async def test_calls_waiting_on_a_latest_read_share_the_next_one_which_sees_their_changes():
    source = FakeSource()
    held = models(source)
    await held.days("v", [FIRST], UTC, source.version)
    source.gate = asyncio.Event()
    first = asyncio.create_task(held.latest("v"))
    await asyncio.sleep(0)  # the first read is under way
    source.write(hold("g1", DAY + timedelta(hours=19)), "g1")  # committed before the others
    others = [asyncio.create_task(held.latest("v")) for _ in range(3)]
    await asyncio.sleep(0)
    source.gate.set()
    results = await asyncio.gather(first, *others)
    assert results[0] == (UTC, source.version - 1)  # its snapshot came before the write
    assert results[1:] == [(UTC, source.version)] * 3  # the change before them is counted
    assert source.change_reads == 2  # the first read, and one shared by the three


async def test_latest_on_a_venue_that_is_gone_is_not_found_and_forgotten():
    source = FakeSource()
    held = models(source)
    await held.days("v", [FIRST], UTC, source.version)
    source.gone = True
    with pytest.raises(NotFound):
        await held.latest("v")
    assert held.loaded() == []
    assert await held.latest("v") is None


async def test_a_change_read_says_behind_only_when_the_feed_announced_a_newer_version():
    # A long delay: the background read does not run, the calls catch up themselves.
    source = FakeSource()
    held = models(source, catch_up_delay=timedelta(hours=1))
    await held.days("v", [FIRST], UTC, source.version)
    await held.latest("v")  # nothing announced: the source may first ask whether anything moved
    source.write(hold("g1", DAY + timedelta(hours=19)), "g1")
    held.changed("v", source.version)
    await held.latest("v")  # announced: straight to the change read
    await held.latest("v")  # caught up with what was announced: ask first again
    assert source.behind == [False, True, False]
    await held.close()
