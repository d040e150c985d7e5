"""WatchSnapshots in delta mode on a real server, PostgreSQL and Redis: after random bookings,
holds, cancellations and floor edits, a watcher that applies every delta holds exactly the
snapshot GetSnapshot returns at that version, versions it skipped folded into one delta."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.availability.adapters.day_source import PostgresDaySource
from services.availability.delta_convert import apply_snapshot_delta
from services.availability.main import start
from services.availability.settings import AvailabilitySettings
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as rpc
from tests.integration.test_day_models import OPERATION, Day
from tests.service.availability_floor import seed_floor
from tests.service.conftest import OPS, SECRET
from tests.service.test_availability_service import window

READ_GUARD_SECONDS = 30  # only so a broken stream fails the test instead of hanging it


@pytest.fixture(scope="module")
async def availability(
    database_url: str, redis_url: str
) -> AsyncIterator[rpc.AvailabilityServiceStub]:
    settings = AvailabilitySettings(database_url=database_url, redis_url=redis_url,
                                    jwt_secret=SECRET, host="127.0.0.1", db_pool_size=3,
                                    watch_poll_seconds=0.5)  # fmt: skip
    running = await start(settings, port=0)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield rpc.AvailabilityServiceStub(channel)
    await running.stop(0.5)


async def read(stream: grpc.aio.UnaryStreamCall) -> api.WatchSnapshotsResponse:
    message: api.WatchSnapshotsResponse = await asyncio.wait_for(stream.read(), READ_GUARD_SECONDS)
    return message


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(batches=st.lists(st.lists(OPERATION, min_size=1, max_size=4), min_size=1, max_size=8))
async def test_a_delta_watcher_holds_the_snapshot_getsnapshot_returns_at_every_version(
    availability, engine, batches
):
    venue_id = f"wd-{uuid.uuid4().hex[:10]}"
    await seed_floor(engine, venue_id)
    first = datetime.now(UTC).date() + timedelta(days=2)
    venue = Day(engine, venue_id, first)
    noon = datetime.combine(first, datetime.min.time(), UTC) + timedelta(hours=12)
    span = window(noon, noon + timedelta(hours=24))
    source = PostgresDaySource(engine)
    stream = availability.WatchSnapshots(
        api.WatchSnapshotsRequest(venue_id=venue_id, window=span, deltas=True), metadata=OPS
    )
    try:
        opened = await read(stream)
        assert opened.HasField("snapshot") and not opened.HasField("delta")
        held, counted = opened.snapshot, 0
        for batch in batches:
            # A batch's writes land one after another: the hub may fold several into one delta.
            for name, step, size, ref in batch:
                await venue.run(name, step, size, ref)
            head = await source.head(venue_id)
            assert head is not None
            while held.version < head.version:
                message = await read(stream)
                assert message.HasField("delta") and not message.HasField("snapshot")
                counted += 1 + message.skipped_versions
                held = apply_snapshot_delta(held, message.delta)
            # Every version is in exactly one message, as itself or as a skipped one.
            assert counted == held.version - opened.snapshot.version
            fresh = await availability.GetSnapshot(
                api.GetSnapshotRequest(venue_id=venue_id, window=span), metadata=OPS
            )
            assert held.version == fresh.snapshot.version == head.version
            assert held == fresh.snapshot
    finally:
        stream.cancel()
