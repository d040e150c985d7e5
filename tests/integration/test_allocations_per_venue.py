"""Allocations on real PostgreSQL across venues whose tables share ids: the database judges an
overlap within a venue, never across venues."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocations import AllocationStore
from services.assigner.domain.errors import AllocationConflict
from services.availability.adapters.tables import dining_tables, venues, zones

T0 = datetime(2031, 5, 2, 17, 0, tzinfo=UTC)
NOW = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
SLOT = timedelta(minutes=15)
TABLE_IDS = ("t1", "t2")


async def _twin_venues(engine: AsyncEngine) -> tuple[str, str]:
    """Two venues, each with zone `main` and tables t1 and t2: the same ids in both."""
    prefix = f"pv-{uuid.uuid4().hex[:8]}"
    ids = (f"{prefix}-a", f"{prefix}-b")
    async with engine.begin() as db:
        for venue_id in ids:
            await db.execute(insert(venues).values(venue_id=venue_id, name="V", timezone="UTC"))
            await db.execute(insert(zones).values(zone_id="main", venue_id=venue_id, name="M"))
            await db.execute(
                insert(dining_tables),
                [
                    {"table_id": t, "venue_id": venue_id, "zone_id": "main", "name": t.upper(),
                     "min_seats": 1, "max_seats": 4}
                    for t in TABLE_IDS
                ],
            )  # fmt: skip
    return ids


windows = st.lists(
    st.tuples(st.integers(0, 1), st.sampled_from(TABLE_IDS), st.integers(0, 16), st.integers(1, 8)),
    max_size=12,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(attempts=windows)
# Always tried: the same table and time in both venues, then again within the first one.
@example(attempts=[(0, "t1", 0, 4), (1, "t1", 0, 4), (0, "t1", 2, 4), (1, "t2", 3, 1)])
async def test_a_hold_is_refused_exactly_when_it_overlaps_a_kept_one_of_its_own_venue(
    engine: AsyncEngine, attempts: list[tuple[int, str, int, int]]
) -> None:
    store = AllocationStore(engine)
    twin_venues = await _twin_venues(engine)  # fresh for each example: nothing held before
    kept: list[tuple[str, str, datetime, datetime]] = []
    for venue_index, table_id, first_slot, slots in attempts:
        venue_id = twin_venues[venue_index]
        start, end = T0 + first_slot * SLOT, T0 + (first_slot + slots) * SLOT
        free = all((venue_id, table_id) != (v, t) or end <= s or e <= start for v, t, s, e in kept)
        try:
            await store.holds.place_hold(
                venue_id, [table_id], start, end, ttl=timedelta(minutes=3), now=NOW, actor="t"
            )
        except AllocationConflict:
            assert not free, (venue_id, table_id, start, end, kept)
            continue
        assert free, (venue_id, table_id, start, end, kept)
        kept.append((venue_id, table_id, start, end))
