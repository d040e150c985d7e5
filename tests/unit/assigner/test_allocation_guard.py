"""The shared guard of every allocation write: recorded, or released; never cut in between."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from services.assigner.application.allocation_guard import AllocationGuard, to_the_end

NOW = datetime(2031, 5, 1, 19, 0, tzinfo=UTC)


class FakeReleases:
    """Releases what it is asked to, unless told the booking recorded it."""

    def __init__(self, recorded: bool = False, fails: bool = False) -> None:
        self.recorded = recorded
        self.fails = fails
        self.asked: list[UUID] = []

    async def release_unless_recorded(self, group_id: UUID, now: datetime) -> bool:
        self.asked.append(group_id)
        if self.fails:
            raise ConnectionError("database away")
        return not self.recorded


class RecordFailed(Exception):
    pass


async def test_a_record_that_fails_releases_the_allocation_and_the_failure_goes_on():
    releases, group = FakeReleases(), uuid4()
    with pytest.raises(RecordFailed):
        async with AllocationGuard(releases, lambda: NOW).recorded(group):
            raise RecordFailed
    assert releases.asked == [group]


async def test_a_record_that_lands_releases_nothing():
    releases = FakeReleases()
    async with AllocationGuard(releases, lambda: NOW).recorded(uuid4()):
        pass
    assert releases.asked == []


async def test_a_release_that_fails_does_not_hide_the_record_s_failure():
    releases = FakeReleases(fails=True)
    with pytest.raises(RecordFailed):
        async with AllocationGuard(releases, lambda: NOW).recorded(uuid4()):
            raise RecordFailed


async def test_a_cancelled_record_releases_the_allocation():
    releases, group = FakeReleases(), uuid4()
    entered = asyncio.Event()

    async def record() -> None:
        async with AllocationGuard(releases, lambda: NOW).recorded(group):
            entered.set()
            await asyncio.Event().wait()  # a record that never answers

    task = asyncio.create_task(record())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert releases.asked == [group]


async def test_a_caller_that_goes_away_does_not_cut_the_write_from_its_record():
    releases, group = FakeReleases(), uuid4()
    written, answer = asyncio.Event(), asyncio.Event()
    steps: list[str] = []

    async def write_and_record() -> str:
        steps.append("written")
        written.set()
        async with AllocationGuard(releases, lambda: NOW).recorded(group):
            await answer.wait()
            steps.append("recorded")
        return "done"

    caller = asyncio.create_task(to_the_end(write_and_record()))
    await written.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    answer.set()  # the state service answers after the caller left
    for _ in range(100):
        if "recorded" in steps:
            break
        await asyncio.sleep(0)
    assert steps == ["written", "recorded"]
    assert releases.asked == []  # recorded, so kept


async def test_work_run_to_the_end_returns_its_result_to_a_caller_that_stays():
    async def work() -> int:
        await asyncio.sleep(0)
        return 7

    assert await to_the_end(work()) == 7
