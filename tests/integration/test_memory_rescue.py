"""The rescue search on the day model in memory answers as the optimizer's FindRescuePlan does
from a PostgreSQL read, after any interleaving of bookings, holds, pins and floor edits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from sqlalchemy import text

from services.availability.adapters.day_cache import RedisDayCache
from services.availability.adapters.day_source import PostgresDaySource
from services.availability.adapters.demand_counts import PostgresDemandCounts
from services.availability.adapters.venue_heads import PostgresVenueHeads
from services.availability.application.day_models import DayModels
from services.availability.application.repacks import MemoryRescue
from services.availability.application.rescues import RescueOff, Rescuer
from services.availability.application.snapshots import Snapshots
from services.optimizer.adapters.day_reader import DayReader
from services.optimizer.application.rescues import RescueAsk, Rescues
from tests.integration.test_day_models import OPERATION, Day
from tests.service.availability_floor import seed_floor

LIMIT = timedelta(seconds=2)  # the floor has four tables: every search ends long before
PROBES = [(party, step) for party in (2, 4, 6) for step in (1, 3, 5)]  # 18:30 .. 20:30


def turn(party: int) -> timedelta:
    return timedelta(minutes=90 if party <= 2 else 120)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    operations=st.lists(OPERATION, min_size=1, max_size=20),
    pins=st.lists(st.integers(0, 50), max_size=3),
)
async def test_the_rescue_on_the_model_in_memory_equals_the_optimizers_from_postgresql(
    engine, database_url, redis_url, operations, pins
):
    venue_id = f"mr-{uuid.uuid4().hex[:10]}"
    await seed_floor(engine, venue_id)
    day = Day(engine, venue_id, datetime.now(UTC).date() + timedelta(days=2))
    heads = await PostgresVenueHeads.open(database_url, size=1)  # as the service wires it
    source = PostgresDaySource(engine, heads)
    redis = Redis.from_url(redis_url)
    models = DayModels(
        source, RedisDayCache(redis, await source.identity()), max_days=8, idle=timedelta(hours=1)
    )
    snapshots = Snapshots(
        heads, models, lambda: datetime.now(UTC), rescuer=Rescuer(RescueOff(), LIMIT),
        demand=PostgresDemandCounts(engine),
    )  # fmt: skip
    in_memory = MemoryRescue(snapshots.view, lambda: datetime.now(UTC))
    optimizer = Rescues(
        reader=DayReader(engine), clock=lambda: datetime.now(UTC), new_id=uuid.uuid4
    )
    try:
        await snapshots.view(venue_id, day.at(0), day.at(8))  # loaded before: caught up after
        for operation in [*operations, ("assign", 2, 1, 1), ("assign", 2, 1, 2)]:
            await day.run(*operation)
        for ref in pins:
            if day.bookings:
                async with engine.begin() as db:
                    await db.execute(
                        text("UPDATE bookings SET pinned = true WHERE booking_id = :b"),
                        {"b": day.bookings[ref % len(day.bookings)]},
                    )
        for party, step in PROBES:
            start = day.at(step)
            end = start + turn(party)
            truth = await optimizer.find(
                RescueAsk(venue_id, None, party, (start, end), LIMIT.total_seconds())
            )
            found = await in_memory.find(venue_id, party, start, end, LIMIT)
            assert (found or ()) == truth.table_ids, (party, start)
        assert models.rebuilds == 0 or any(name == "prune" for name, *_ in operations)
    finally:
        await heads.close()
        await redis.aclose()
