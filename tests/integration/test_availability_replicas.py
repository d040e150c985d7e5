"""Two availability replicas watching one venue: each delivers every change in order, any
version it coalesces reported in `skipped_versions`, and each snapshot true at its version."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import grpc
from sqlalchemy import text

from services.availability.main import start
from services.availability.settings import AvailabilitySettings
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as rpc
from tests.service.availability_floor import seed_floor, tomorrow_at
from tests.service.conftest import OPS, SECRET
from tests.service.test_availability_service import window

CHANGES = 24
HOLD = text(
    "INSERT INTO allocations (group_id, venue_id, table_id, kind, during, expire_time) "
    "VALUES (:g, :v, :t, 'HOLD', "
    "tstzrange(CAST(:s AS timestamptz), CAST(:s AS timestamptz) + interval '1 hour', '[)'), :x)"
)
VERSION = text("SELECT version FROM venue_change_versions WHERE venue_id = :v")


async def read_all(stream, into: list[api.WatchSnapshotsResponse]) -> None:
    while True:
        into.append(await stream.read())


async def until(condition: Callable[[], bool], seconds: float) -> None:
    """Bounded polling for a condition."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(0.02)


async def test_two_replicas_each_deliver_every_change_in_order_and_report_what_they_skip(
    database_url, redis_url, engine
):
    venue = f"rp-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    settings = AvailabilitySettings(database_url=database_url, redis_url=redis_url,
                                    jwt_secret=SECRET, host="127.0.0.1",
                                    watch_poll_seconds=0.5)  # fmt: skip
    replicas = [await start(settings, port=0), await start(settings, port=0)]
    channels = [grpc.aio.insecure_channel(f"127.0.0.1:{r.port}") for r in replicas]
    try:
        request = api.WatchSnapshotsRequest(
            venue_id=venue, window=window(tomorrow_at(12), tomorrow_at(23))
        )
        streams = [rpc.AvailabilityServiceStub(c).WatchSnapshots(request, metadata=OPS)
                   for c in channels]  # fmt: skip
        received: list[list[api.WatchSnapshotsResponse]] = [[], []]
        readers = [
            asyncio.create_task(read_all(s, r)) for s, r in zip(streams, received, strict=True)
        ]
        await until(lambda: all(received), 10)
        start_version = received[0][0].snapshot.version
        holds_at: dict[int, int] = {start_version: 0}  # version -> holds written by then
        for index in range(CHANGES):
            async with engine.begin() as db:
                await db.execute(HOLD, {
                    "g": uuid.uuid4(), "v": venue, "t": f"{venue}-t{index % 4 + 1}",
                    "s": tomorrow_at(12) + timedelta(hours=2 * (index // 4)),
                    "x": datetime.now(UTC) + timedelta(minutes=10),
                })  # fmt: skip
                holds_at[int((await db.execute(VERSION, {"v": venue})).scalar_one())] = index + 1
            if index % 3 == 2:  # now and then a pause, else writes land back to back
                await asyncio.sleep(0.05)
        last = max(holds_at)
        await until(lambda: all(r[-1].snapshot.version == last for r in received), 30)
        for reader in readers:
            reader.cancel()
        for messages in received:
            assert messages[0].snapshot.version == start_version
            versions = [m.snapshot.version for m in messages]
            assert versions == sorted(set(versions)) and versions[-1] == last
            for before, after in itertools.pairwise(messages):
                gap = after.snapshot.version - before.snapshot.version - 1
                assert after.skipped_versions == gap and not after.resync
            for message in messages:
                shown = sum(len(t.intervals) for t in message.snapshot.tables)
                assert shown == holds_at[message.snapshot.version]
    finally:
        for stream in streams:
            stream.cancel()
        for channel in channels:
            await channel.close()
        for replica in replicas:
            await replica.stop(0.5)
