"""Availability across processes: one process writes, the others' day models and watchers see it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tracemalloc
import uuid

import grpc
import pytest
from redis.asyncio import Redis

from services.availability.main import start
from services.availability.settings import AvailabilitySettings
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as rpc
from tests.service.availability_floor import seed_floor, tomorrow_at
from tests.service.conftest import OPS, SECRET
from tests.service.test_availability_service import window

WRITER = """
import asyncio, sys, uuid
from datetime import datetime
import asyncpg

async def main(url, venue, table, start, end):
    connection = await asyncpg.connect(url)
    await connection.execute(
        "INSERT INTO allocations (group_id, venue_id, table_id, kind, during, expire_time) "
        "VALUES ($1, $2, $3, 'HOLD', tstzrange($4, $5, '[)'), "
        "now() + interval '10 minutes')",
        uuid.uuid4(), venue, table, datetime.fromisoformat(start), datetime.fromisoformat(end))
    await connection.close()

asyncio.run(main(*sys.argv[1:]))
"""


def write_hold_from_another_process(database_url: str, venue: str, table: str) -> None:
    start, end = tomorrow_at(19), tomorrow_at(20)
    subprocess.run(
        [sys.executable, "-c", WRITER, database_url, venue, f"{venue}-{table}",
         start.isoformat(), end.isoformat()],
        check=True, timeout=30,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def venue(engine):
    venue_id = f"ap-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue_id)
    return venue_id


@pytest.fixture
async def availability_process(database_url, redis_url):
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                   "MAITRED_JWT_SECRET": SECRET, "MAITRED_AVAILABILITY_PORT": str(port),
                   "MAITRED_HOST": "127.0.0.1"}  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.availability.main", env=environment,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            await asyncio.wait_for(channel.channel_ready(), 20)
            yield rpc.AvailabilityServiceStub(channel)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 20)


async def test_a_write_by_another_process_reaches_the_day_model_without_reading_the_day_again(
    availability_process, venue, database_url, redis_url
):
    request = api.GetSnapshotRequest(
        venue_id=venue, window=window(tomorrow_at(18), tomorrow_at(22))
    )
    before = (await availability_process.GetSnapshot(request, metadata=OPS)).snapshot
    redis = Redis.from_url(redis_url)
    try:
        day = tomorrow_at(18).date()
        keys = [k.decode() async for k in redis.scan_iter(match=f"maitred:{{venue:{venue}}}:day:*")]
        assert [k for k in keys if k.endswith(f":{day.isoformat()}:v{before.version}")]
        await asyncio.to_thread(write_hold_from_another_process, database_url, venue, "t1")
        after = (await availability_process.GetSnapshot(request, metadata=OPS)).snapshot
        assert after.version == before.version + 1
        assert [len(t.intervals) for t in after.tables if t.table_id == f"{venue}-t1"] == [1]
        # Caught up from the change log: the day was not read (nor cached) again.
        keys = [k.decode() async for k in redis.scan_iter(match=f"maitred:{{venue:{venue}}}:day:*")]
        assert not [k for k in keys if k.endswith(f":{day.isoformat()}:v{after.version}")]
    finally:
        await redis.aclose()


async def test_a_watcher_sees_a_change_made_by_another_process(
    availability_process, venue, database_url
):
    stream = availability_process.WatchSnapshots(
        api.WatchSnapshotsRequest(venue_id=venue, window=window(tomorrow_at(18), tomorrow_at(22))),
        metadata=OPS,
    )
    first = await asyncio.wait_for(stream.read(), 15)
    await asyncio.to_thread(write_hold_from_another_process, database_url, venue, "t4")
    changed = await asyncio.wait_for(stream.read(), 15)
    assert changed.snapshot.version == first.snapshot.version + 1
    assert [len(t.intervals) for t in changed.snapshot.tables if t.table_id == f"{venue}-t4"] == [1]
    stream.cancel()


async def test_a_subscriber_that_never_reads_costs_the_server_one_snapshot_not_a_queue(
    database_url, redis_url, engine
):
    venue = f"ap-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue, tables=[(f"x{i:02d}", 2, 4) for i in range(40)], edges=())
    settings = AvailabilitySettings(database_url=database_url, redis_url=redis_url,
                                    jwt_secret=SECRET, host="127.0.0.1",
                                    watch_poll_seconds=0.2)  # fmt: skip
    running = await start(settings, port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = rpc.AvailabilityServiceStub(channel)
            day = window(tomorrow_at(12), tomorrow_at(23, 59))
            stream = stub.WatchSnapshots(
                api.WatchSnapshotsRequest(venue_id=venue, window=day), metadata=OPS
            )
            first = await asyncio.wait_for(stream.read(), 15)
            tracemalloc.start()
            baseline = tracemalloc.take_snapshot()
            changes = 150
            for index in range(changes):
                async with engine.begin() as db:
                    await db.exec_driver_sql(
                        "UPDATE venues SET name = $1 WHERE venue_id = $2", (f"n{index}", venue)
                    )
                await asyncio.sleep(0.005)
            await asyncio.sleep(1.5)  # let the producer catch up with the last change
            grown = sum(
                s.size_diff for s in tracemalloc.take_snapshot().compare_to(baseline, "filename")
            )
            tracemalloc.stop()
            final = first.snapshot.version + changes
            received, skipped, version = 0, 0, first.snapshot.version
            while version < final:
                message = await asyncio.wait_for(stream.read(), 15)
                received += 1
                skipped += message.skipped_versions
                assert message.snapshot.version > version
                version = message.snapshot.version
            stream.cancel()
    finally:
        await running.stop(0.5)
    assert received + skipped == changes  # every version delivered or counted as skipped
    assert skipped > 0 and received < changes
    assert grown < 2_000_000, f"the server's Python heap grew by {grown} bytes"
