"""AvailabilityService over a real server, PostgreSQL and Redis: snapshots, checks, slots, watch."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text

from services.availability.main import start
from services.availability.settings import AvailabilitySettings
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as rpc
from shared.stubs.maitred.availability.v1 import snapshot_pb2 as pb
from shared.stubs.maitred.common.v1 import common_pb2
from tests.service.availability_floor import add_booking, allocate, seed_floor, tomorrow_at
from tests.service.conftest import OPS, SECRET, details_of


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


def window(start: datetime, end: datetime) -> common_pb2.TimeWindow:
    return common_pb2.TimeWindow(start_time=stamp(start), end_time=stamp(end))


async def start_availability(database_url: str, redis_url: str):
    settings = AvailabilitySettings(database_url=database_url, redis_url=redis_url,
                                    jwt_secret=SECRET, host="127.0.0.1",
                                    watch_poll_seconds=0.5)  # fmt: skip
    return await start(settings, port=0)


@pytest.fixture(scope="module")
async def availability(database_url, redis_url):
    running = await start_availability(database_url, redis_url)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield rpc.AvailabilityServiceStub(channel)
    await running.stop(0.5)


@pytest.fixture
async def venue(engine):
    venue_id = f"av-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue_id)
    return venue_id


async def test_a_snapshot_shows_each_kind_of_occupancy_and_waiting_demand(
    availability, venue, engine
):
    seven = tomorrow_at(19)
    confirmed = await add_booking(engine, venue, seven, 2, "CONFIRMED")
    await allocate(
        engine, venue, ["t1"], seven, seven + timedelta(minutes=105), booking_id=confirmed
    )
    await allocate(engine, venue, ["t2", "t3"], seven, seven + timedelta(minutes=135), kind="HOLD",
                   expire=datetime.now(UTC) + timedelta(minutes=3))  # fmt: skip
    waiting = await add_booking(engine, venue, seven, 4, "ASSIGNMENT_PENDING")
    reply = await availability.GetSnapshot(
        api.GetSnapshotRequest(venue_id=venue, window=window(tomorrow_at(18), tomorrow_at(22))),
        metadata=OPS,
    )
    snapshot = reply.snapshot
    by_table = {t.table_id: t.intervals for t in snapshot.tables}
    assert [i.kind for i in by_table[f"{venue}-t1"]] == [pb.OCCUPANCY_KIND_CONFIRMED]
    assert by_table[f"{venue}-t1"][0].booking_id == str(confirmed)
    hold = by_table[f"{venue}-t2"][0]
    assert hold.kind == pb.OCCUPANCY_KIND_HOLD and list(hold.combined_table_ids) == [f"{venue}-t3"]
    assert hold.HasField("expire_time")
    assert by_table[f"{venue}-t4"] == []
    assert [d.booking_id for d in snapshot.pending_demand] == [str(waiting)]
    seven_slot = next(s for s in snapshot.slots if s.start_time.ToDatetime(tzinfo=UTC) == seven)
    assert seven_slot.free_seats == 6  # only t4 is free at 19:00
    assert seven_slot.booked_covers == 6 and seven_slot.booked_parties == 2
    assert snapshot.version > 0


async def test_every_write_bumps_the_version_and_the_next_snapshot_shows_it(
    availability, venue, engine
):
    request = api.GetSnapshotRequest(
        venue_id=venue, window=window(tomorrow_at(18), tomorrow_at(22))
    )
    before = (await availability.GetSnapshot(request, metadata=OPS)).snapshot
    seven = tomorrow_at(19)
    await allocate(engine, venue, ["t4"], seven, seven + timedelta(minutes=135),
                   booking_id=await add_booking(engine, venue, seven, 5, "ASSIGNED"))  # fmt: skip
    after = (await availability.GetSnapshot(request, metadata=OPS)).snapshot
    assert after.version == before.version + 2  # the booking, then the allocation
    kinds = {t.table_id: [i.kind for i in t.intervals] for t in after.tables}
    assert kinds[f"{venue}-t4"] == [pb.OCCUPANCY_KIND_ASSIGNED]


async def test_capacity_is_refused_with_the_reason_and_accepted_when_a_table_fits(
    availability, venue, engine
):
    seven = tomorrow_at(19)
    check = lambda start, party: availability.CheckCapacity(  # noqa: E731
        api.CheckCapacityRequest(venue_id=venue, start_time=stamp(start), party_size=party),
        metadata=OPS,
    )
    accepted = await check(seven, 7)  # t2+t3 seat 8 together
    assert accepted.accepted and accepted.detail.endswith(f"{venue}-t2+{venue}-t3")
    assert (
        await check(seven, 11)
    ).rejection_reason == api.CAPACITY_REJECTION_REASON_PARTY_TOO_LARGE
    assert (
        await check(tomorrow_at(23), 2)
    ).rejection_reason == api.CAPACITY_REJECTION_REASON_CLOSED
    assert (await check(seven + timedelta(minutes=5), 2)).rejection_reason == (
        api.CAPACITY_REJECTION_REASON_OFF_SLOT
    )
    for table in ("t2", "t3"):
        await allocate(engine, venue, [table], seven, seven + timedelta(hours=2), kind="HOLD",
                       expire=datetime.now(UTC) + timedelta(minutes=5))  # fmt: skip
    refused = await check(seven, 7)
    assert not refused.accepted
    assert refused.rejection_reason == api.CAPACITY_REJECTION_REASON_NO_TABLE_FITS


async def test_a_waiting_booking_counts_against_capacity(availability, venue, engine):
    seven = tomorrow_at(19)
    request = api.CheckCapacityRequest(venue_id=venue, start_time=stamp(seven), party_size=5)
    assert (await availability.CheckCapacity(request, metadata=OPS)).accepted
    waiting = await add_booking(engine, venue, seven, 6, "MANUAL_REVIEW")  # needs t4 or t2+t3
    other = await add_booking(engine, venue, seven, 6, "ASSIGNMENT_PENDING")
    assert not (await availability.CheckCapacity(request, metadata=OPS)).accepted
    # The booking under review is not counted against itself: it and `other` fit together.
    mine = api.CheckCapacityRequest(venue_id=venue, start_time=stamp(seven), party_size=6,
                                    booking_id=str(waiting))  # fmt: skip
    assert (await availability.CheckCapacity(mine, metadata=OPS)).accepted
    async with engine.begin() as db:
        await db.execute(text("UPDATE bookings SET state = 'CANCELLED' WHERE booking_id = :b"),
                         {"b": other})  # fmt: skip
    assert (await availability.CheckCapacity(request, metadata=OPS)).accepted


async def test_slot_search_offers_the_nearest_times_when_the_asked_one_is_full(
    availability, venue, engine
):
    seven = tomorrow_at(19)
    await allocate(engine, venue, ["t4"], seven, seven + timedelta(minutes=135),
                   booking_id=await add_booking(engine, venue, seven, 6, "CONFIRMED"))  # fmt: skip
    await allocate(engine, venue, ["t2"], seven, seven + timedelta(hours=2), kind="HOLD",
                   expire=datetime.now(UTC) + timedelta(minutes=5))  # fmt: skip
    reply = await availability.SearchSlots(
        api.SearchSlotsRequest(venue_id=venue, party_size=5, service_date=seven.date().isoformat(),
                               preferred_start_time=stamp(seven), max_results=4),
        metadata=OPS,
    )  # fmt: skip
    # A party of 5 keeps t4 or t2+t3 for 120 + 15 minutes: free again from 21:00 (t2+t3) and
    # 21:15 (t4), or if it leaves by 19:00, starting at 16:45 at the latest.
    assert [c.start_time.ToDatetime(tzinfo=UTC) for c in reply.candidates] == [
        tomorrow_at(21),
        tomorrow_at(16, 45),
        tomorrow_at(21, 15),
        tomorrow_at(16, 30),
    ]
    assert all(c.service_period == "all" for c in reply.candidates)


async def test_invalid_windows_and_parties_are_named(availability, venue):
    bad = await _failing(availability.GetSnapshot(
        api.GetSnapshotRequest(venue_id=venue, window=window(tomorrow_at(20), tomorrow_at(19))),
        metadata=OPS))  # fmt: skip
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details_of(bad)["BadRequest"].field_violations[0].field == "window"
    party = await _failing(availability.CheckCapacity(
        api.CheckCapacityRequest(venue_id=venue, start_time=stamp(tomorrow_at(19)), party_size=0),
        metadata=OPS))  # fmt: skip
    assert details_of(party)["BadRequest"].field_violations[0].field == "party_size"
    missing = await _failing(availability.GetSnapshot(
        api.GetSnapshotRequest(venue_id="no-such-venue",
                               window=window(tomorrow_at(18), tomorrow_at(19))),
        metadata=OPS))  # fmt: skip
    assert missing.code() == grpc.StatusCode.NOT_FOUND


async def _failing(call) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    return raised.value


async def test_a_redis_that_is_down_never_gives_a_wrong_answer(database_url, venue, engine):
    running = await start_availability(database_url, "redis://127.0.0.1:1/0")
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = rpc.AvailabilityServiceStub(channel)
            request = api.GetSnapshotRequest(
                venue_id=venue, window=window(tomorrow_at(18), tomorrow_at(22))
            )
            first = (await stub.GetSnapshot(request, metadata=OPS)).snapshot
            seven = tomorrow_at(19)
            await allocate(engine, venue, ["t1"], seven, seven + timedelta(hours=1), kind="HOLD",
                           expire=datetime.now(UTC) + timedelta(minutes=5))  # fmt: skip
            second = (await stub.GetSnapshot(request, metadata=OPS)).snapshot
            assert second.version == first.version + 1
            assert [t.intervals[0].kind for t in second.tables if t.table_id == f"{venue}-t1"] == [
                pb.OCCUPANCY_KIND_HOLD
            ]
    finally:
        await running.stop(0.5)


async def test_a_watcher_gets_the_snapshot_then_each_change_and_resumes_by_version(
    availability, venue, engine
):
    span = window(tomorrow_at(18), tomorrow_at(22))
    stream = availability.WatchSnapshots(api.WatchSnapshotsRequest(venue_id=venue, window=span),
                                         metadata=OPS)  # fmt: skip
    first = await asyncio.wait_for(stream.read(), 10)
    assert first.skipped_versions == 0 and not first.resync
    seven = tomorrow_at(19)
    await allocate(engine, venue, ["t1"], seven, seven + timedelta(hours=1), kind="HOLD",
                   expire=datetime.now(UTC) + timedelta(minutes=5))  # fmt: skip
    second = await asyncio.wait_for(stream.read(), 10)
    assert second.snapshot.version == first.snapshot.version + 1
    assert second.skipped_versions == 0
    stream.cancel()
    await allocate(engine, venue, ["t4"], seven, seven + timedelta(hours=1), kind="HOLD",
                   expire=datetime.now(UTC) + timedelta(minutes=5))  # fmt: skip
    await allocate(engine, venue, ["t2"], seven, seven + timedelta(hours=1), kind="HOLD",
                   expire=datetime.now(UTC) + timedelta(minutes=5))  # fmt: skip
    resumed = availability.WatchSnapshots(
        api.WatchSnapshotsRequest(
            venue_id=venue, window=span, last_version=second.snapshot.version
        ),
        metadata=OPS,
    )
    caught_up = await asyncio.wait_for(resumed.read(), 10)
    assert caught_up.snapshot.version == second.snapshot.version + 2
    assert caught_up.skipped_versions == 1 and not caught_up.resync
    resumed.cancel()
    future = availability.WatchSnapshots(
        api.WatchSnapshotsRequest(venue_id=venue, window=span, last_version=10**9), metadata=OPS
    )
    reset = await asyncio.wait_for(future.read(), 10)
    assert reset.resync and reset.snapshot.version == caught_up.snapshot.version
    future.cancel()
