"""The coordinator's per-booking locks in one process: one holder per booking at a time."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest

from services.assigner.adapters.booking_locks import LocalBookingLocks
from services.assigner.application.journeys import LockBusy


async def test_a_second_holder_of_one_booking_is_told_busy_until_the_first_lets_go():
    locks, booking, other = LocalBookingLocks(), uuid4(), uuid4()
    inside, leave = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with locks.booking("v", booking):
            inside.set()
            await leave.wait()

    holder = asyncio.create_task(first())
    await inside.wait()
    with pytest.raises(LockBusy):
        async with locks.booking("v", booking):
            pass
    async with locks.booking("v", other):  # another booking is not held up
        pass
    leave.set()
    await holder
    async with locks.booking("v", booking):  # free again
        pass


async def test_a_holder_that_fails_lets_go():
    locks, booking = LocalBookingLocks(), uuid4()
    with pytest.raises(RuntimeError):
        async with locks.booking("v", booking):
            raise RuntimeError("drive failed")
    async with locks.booking("v", booking):
        pass
