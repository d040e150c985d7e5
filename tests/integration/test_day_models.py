"""Day models on real PostgreSQL and Redis: caught up from the change log, they equal a rebuild."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.availability.adapters.day_cache import RedisDayCache
from services.availability.adapters.day_source import PostgresDaySource
from services.availability.adapters.venue_heads import PostgresVenueHeads
from services.availability.application.day_changes import day_span
from services.availability.application.day_models import DayModels
from services.availability.application.snapshot_ports import DayFacts
from services.availability.domain.occupancy import Facts
from services.availability.domain.snapshot import Snapshot, compute_snapshot
from tests.service.availability_floor import add_booking, seed_floor

TABLES = ("t1", "t2", "t3", "t4")
STATES = ("ASSIGNMENT_PENDING", "MANUAL_REVIEW", "CAPACITY_VERIFIED", "CONFIRMED", "CREATED")
# Bookings from 18:00 to 02:30 the next morning, so changes land on both days and across them.
FIRST_START = timedelta(hours=18)

OPERATION = st.tuples(
    st.sampled_from(
        ["book", "assign", "hold", "expire", "cancel", "confirm", "waiting", "floor", "policy",
         "rename", "prune", "sync"]
    ),
    st.integers(0, 17),  # start, in 30-minute steps from 18:00
    st.integers(1, 8),  # party size, or a hold's length in 30-minute steps
    st.integers(0, 50),  # which earlier booking, hold or table an operation refers to
)  # fmt: skip


class Day:
    """One venue's two days and what the operations made there."""

    def __init__(self, engine: AsyncEngine, venue_id: str, first: date) -> None:
        self.engine = engine
        self.venue_id = venue_id
        self.first = first
        self.bookings: list[uuid.UUID] = []
        self.holds: list[uuid.UUID] = []
        self.extra_tables = 0

    def at(self, step: int) -> datetime:
        return (
            datetime.combine(self.first, datetime.min.time(), UTC)
            + FIRST_START
            + step * (timedelta(minutes=30))
        )

    def table(self, ref: int) -> str:
        return f"{self.venue_id}-{TABLES[ref % len(TABLES)]}"

    async def run(self, name: str, step: int, size: int, ref: int) -> None:
        """One operation in its own transaction; one refused by the database changes nothing."""
        try:
            async with self.engine.begin() as db:
                await self._write(db, name, step, size, ref)
        except IntegrityError:
            pass  # the exclusion constraint refused an overlapping allocation

    async def _write(self, db: AsyncConnection, name: str, step: int, size: int, ref: int) -> None:
        start = self.at(step)
        booking = self.bookings[ref % len(self.bookings)] if self.bookings else None
        if name == "book":
            self.bookings.append(
                await add_booking(self.engine, self.venue_id, start, size, STATES[ref % 5])
            )
        elif name == "assign" and booking is not None:
            await db.execute(
                text("INSERT INTO allocations (group_id, venue_id, table_id, booking_id, kind, "
                     "during) SELECT :g, :v, :t, b.booking_id, 'ASSIGNMENT', "
                     "tstzrange(b.start_time, b.end_time + interval '15 minutes', '[)') "
                     "FROM bookings b WHERE b.booking_id = :b"),
                {"g": uuid.uuid4(), "v": self.venue_id, "t": self.table(ref + step), "b": booking},
            )  # fmt: skip
        elif name == "hold":
            group = uuid.uuid4()
            # Some holds are born expired: they stop counting with no write at all.
            expire = datetime.now(UTC) + timedelta(minutes=10 if ref % 3 else -1)
            await db.execute(
                text("INSERT INTO allocations (group_id, venue_id, table_id, kind, during, "
                     "expire_time) VALUES (:g, :v, :t, 'HOLD', tstzrange(:s, :e, '[)'), :x)"),
                {"g": group, "v": self.venue_id, "t": self.table(ref), "s": start,
                 "e": start + size * timedelta(minutes=30), "x": expire},
            )  # fmt: skip
            self.holds.append(group)
        elif name == "expire" and self.holds:
            await db.execute(
                text("UPDATE allocations SET release_time = now() WHERE group_id = :g "
                     "AND release_time IS NULL"),
                {"g": self.holds[ref % len(self.holds)]},
            )  # fmt: skip
        elif name in ("cancel", "confirm", "waiting") and booking is not None:
            state = {"cancel": "CANCELLED", "confirm": "CONFIRMED", "waiting": "MANUAL_REVIEW"}
            await db.execute(
                text("UPDATE bookings SET state = :s, version = version + 1 "
                     "WHERE booking_id = :b"),
                {"s": state[name], "b": booking},
            )  # fmt: skip
        elif name == "floor":
            await self._edit_floor(db, ref, size)
        elif name == "policy":
            await db.execute(
                text("UPDATE venue_policies SET cleaning_buffer_minutes = :m WHERE venue_id = :v"),
                {"m": 5 * size, "v": self.venue_id},
            )
        elif name == "rename":
            await db.execute(
                text("UPDATE venues SET name = :n WHERE venue_id = :v"),
                {"n": f"renamed {ref}", "v": self.venue_id},
            )
        elif name == "prune":
            # The log loses this venue's history: the next catch-up must rebuild.
            await db.execute(
                text("DELETE FROM venue_changes WHERE venue_id = :v"), {"v": self.venue_id}
            )

    async def _edit_floor(self, db: AsyncConnection, ref: int, size: int) -> None:
        if ref % 3 == 0:
            self.extra_tables += 1
            await db.execute(
                text("INSERT INTO dining_tables (table_id, venue_id, zone_id, name, min_seats, "
                     "max_seats) VALUES (:t, :v, :z, :n, 1, :m)"),
                {"t": f"{self.venue_id}-x{self.extra_tables}", "v": self.venue_id,
                 "z": f"{self.venue_id}-z", "n": f"x{self.extra_tables}", "m": size},
            )  # fmt: skip
        else:
            await db.execute(
                text("UPDATE dining_tables SET active = NOT active, max_seats = :m "
                     "WHERE table_id = :t"),
                {"m": max(size, 2), "t": self.table(ref)},
            )  # fmt: skip


async def rebuilt(source: PostgresDaySource, venue_id: str, days: list[date]) -> list[DayFacts]:
    found = []
    for day in days:
        facts = await source.day(venue_id, day, *day_span(day, UTC))
        assert facts is not None
        found.append(facts)
    return found


def same_day(model: DayFacts, truth: DayFacts) -> None:
    assert (model.version, model.floor_version) == (truth.version, truth.floor_version)
    assert model.occupancies == truth.occupancies
    assert model.demand == truth.demand
    assert set(model.floor.tables) == set(truth.floor.tables)
    assert model.floor.edges == truth.floor.edges
    assert model.policy == truth.policy


def same_snapshot(model: list[DayFacts], truth: list[DayFacts], venue_id: str) -> None:
    start = datetime.combine(model[0].day, datetime.min.time(), UTC) + timedelta(hours=12)
    now = datetime.now(UTC)

    def snapshot(days: list[DayFacts]) -> Snapshot:
        facts = Facts(
            days[-1].version,
            days[-1].floor_version,
            tuple({o.allocation_id: o for d in days for o in d.occupancies}.values()),
            tuple({x.booking_id: x for d in days for x in d.demand}.values()),
        )
        return compute_snapshot(venue_id, days[-1].floor, days[-1].policy, facts, start,
                                start + timedelta(hours=24), now=now)  # fmt: skip

    assert snapshot(model) == snapshot(truth)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(OPERATION, min_size=1, max_size=25))
async def test_for_every_version_the_incremental_model_equals_a_rebuild_from_postgresql(
    engine, database_url, redis_url, operations
):
    venue_id = f"dm-{uuid.uuid4().hex[:10]}"
    await seed_floor(engine, venue_id)
    first = datetime.now(UTC).date() + timedelta(days=2)
    days = [first, first + timedelta(days=1)]
    venue = Day(engine, venue_id, first)
    source = PostgresDaySource(engine)
    redis = Redis.from_url(redis_url)
    cache = RedisDayCache(redis, await source.identity())
    # One model follows every version; the other only catches up now and then, many at once.
    each = DayModels(source, cache, max_days=8, idle=timedelta(hours=1))
    seldom = DayModels(source, cache, max_days=8, idle=timedelta(hours=1))
    # A third catches up as the service's calls do (latest), asking the head pool first.
    heads = await PostgresVenueHeads.open(database_url, size=1)
    calls = DayModels(PostgresDaySource(engine, heads), cache, max_days=8, idle=timedelta(hours=1))
    try:
        head = await source.head(venue_id)
        assert head is not None
        await each.days(venue_id, days, UTC, head.version)
        await seldom.days(venue_id, days, UTC, head.version)
        await calls.days(venue_id, days, UTC, head.version)
        for name, step, size, ref in [*operations, ("sync", 0, 1, 0)]:
            await venue.run(name, step, size, ref)
            head = await source.head(venue_id)
            assert head is not None
            truth = await rebuilt(source, venue_id, days)
            models = [each, seldom] if name == "sync" else [each]
            for model in models:
                held = await model.days(venue_id, days, UTC, head.version)
                for model_day, truth_day in zip(held, truth, strict=True):
                    same_day(model_day, truth_day)
                same_snapshot(held, truth, venue_id)
            for _ in range(2):  # the second finds nothing committed since the first
                found = await calls.latest(venue_id)
                assert found is not None and found[1] == head.version
                held = await calls.days(venue_id, days, UTC, head.version)
                for model_day, truth_day in zip(held, truth, strict=True):
                    same_day(model_day, truth_day)
        # Every version reached the first model through the change log, never by a rebuild.
        assert each.rebuilds == 0
        assert calls.rebuilds == 0
    finally:
        await heads.close()
        await redis.aclose()
