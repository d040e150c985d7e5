"""The watch hub in delta mode: a whole first message, then deltas built once per change for
every stream, with the versions a change skipped folded into one delta."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta

from services.availability.application.watch import Update, WatchHub
from services.availability.domain.floor import Floor, Table
from services.availability.domain.occupancy import Facts, Kind, Occupancy
from services.availability.domain.snapshot import Snapshot, compute_snapshot
from services.availability.domain.snapshot_delta import apply_delta
from tests.unit.availability.floors import DAY, NOW, policy

START = DAY + timedelta(hours=16)
END = START + timedelta(hours=6)
FLOOR = Floor(
    tables=tuple(Table(f"t{n}", "a", 1, 4, True, True) for n in range(3)), edges=frozenset()
)


def snapshot_at(version: int) -> Snapshot:
    """The venue after `version - 1` one-hour bookings, one per table in turn."""
    occupancies = tuple(
        Occupancy(f"a{n}", Kind.CONFIRMED, (f"t{n % 3}",), DAY + timedelta(hours=17 + n),
                  DAY + timedelta(hours=18 + n), booking_id=f"b{n}", party_size=2)
        for n in range(version - 1)
    )  # fmt: skip
    facts = Facts(version=version, floor_version=1, occupancies=occupancies, demand=())
    return compute_snapshot("v", FLOOR, policy(), facts, START, END, now=NOW)


class FakeSnapshots:
    """The venue's current snapshot, moved on by the test."""

    def __init__(self) -> None:
        self.current = snapshot_at(1)
        self.asked = asyncio.Event()

    async def snapshot(self, venue_id: str, start: datetime, end: datetime) -> Snapshot:
        self.asked.set()
        return self.current


async def next_of(updates: AsyncIterator[Update]) -> Update:
    return await asyncio.wait_for(anext(updates), 10)


async def test_streams_in_delta_mode_share_each_delta_and_coalesce_skipped_versions():
    snapshots = FakeSnapshots()
    hub = WatchHub(snapshots, poll_seconds=3600)  # type: ignore[arg-type]
    first = hub.watch("v", START, END, 0, deltas=True)
    second = hub.watch("v", START, END, 0, deltas=True)
    whole = hub.watch("v", START, END, 0)
    try:
        opened = [await next_of(stream) for stream in (first, second, whole)]
        assert all(u.delta is None and u.snapshot.version == 1 for u in opened)
        held = opened[0].snapshot
        for version, skipped in ((2, 0), (5, 2), (6, 0)):
            snapshots.current = snapshot_at(version)
            hub.changed("v", version)
            one, two, full = [await next_of(stream) for stream in (first, second, whole)]
            assert one is two  # one delta, and so one serialization, for both streams
            assert one.delta is not None and one.delta.base_version == held.version
            assert one.skipped_versions == skipped == full.skipped_versions
            assert full.delta is None and full.snapshot is snapshots.current
            held = apply_delta(held, one.delta)
            assert held == snapshots.current
    finally:
        for stream in (first, second, whole):
            await stream.aclose()
        await hub.close()


async def test_a_resumed_delta_stream_starts_whole_even_when_it_is_up_to_date():
    snapshots = FakeSnapshots()
    snapshots.current = snapshot_at(4)
    hub = WatchHub(snapshots, poll_seconds=3600)  # type: ignore[arg-type]
    resumed = hub.watch("v", START, END, 4, deltas=True)
    waiting = asyncio.ensure_future(next_of(resumed))
    try:
        await snapshots.asked.wait()  # the stream has joined the hub and read version 4
        snapshots.current = replace(snapshot_at(6), compute_time=NOW + timedelta(minutes=1))
        hub.changed("v", 6)
        update = await waiting
        # The server cannot know which snapshot the caller holds at version 4: it sends one.
        assert update.delta is None and update.snapshot is snapshots.current
        assert update.skipped_versions == 1
    finally:
        await resumed.aclose()
        await hub.close()
