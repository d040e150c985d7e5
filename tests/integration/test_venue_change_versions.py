"""The per-venue change version: one bump per committed transaction, announced after commit."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy import insert, select, update

from services.availability.adapters.tables import venue_change_versions, venues, zones


@pytest.fixture
async def venue_id(engine):
    venue = f"v-{uuid4().hex[:8]}"
    async with engine.begin() as db:
        await db.execute(insert(venues).values(venue_id=venue, name="V", timezone="UTC"))
    return venue


async def version_of(engine, venue: str) -> int:
    async with engine.connect() as db:
        found = await db.scalar(
            select(venue_change_versions.c.version).where(venue_change_versions.c.venue_id == venue)
        )
    return int(found or 0)


@pytest.fixture
async def notifications(database_url):
    received: asyncio.Queue[str] = asyncio.Queue()
    connection = await asyncpg.connect(database_url)
    await connection.add_listener(
        "maitred_venue_changed", lambda *args: received.put_nowait(args[3])
    )
    yield received
    await connection.close()


async def test_one_transaction_bumps_the_version_once_however_many_rows_it_writes(
    engine, venue_id, notifications
):
    before = await version_of(engine, venue_id)
    async with engine.begin() as db:
        for index in range(3):
            await db.execute(
                insert(zones).values(zone_id=f"{venue_id}-z{index}", venue_id=venue_id, name="Z")
            )
        await db.execute(update(venues).where(venues.c.venue_id == venue_id).values(name="W"))
    assert await version_of(engine, venue_id) == before + 1
    assert await asyncio.wait_for(notifications.get(), 5) == f"{venue_id} {before + 1}"


async def test_a_rolled_back_transaction_neither_bumps_nor_announces(
    engine, venue_id, notifications
):
    before = await version_of(engine, venue_id)
    async with engine.connect() as db:
        await db.begin()
        await db.execute(update(venues).where(venues.c.venue_id == venue_id).values(name="X"))
        await db.rollback()
    assert await version_of(engine, venue_id) == before
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(notifications.get(), 0.3)


async def test_concurrent_transactions_get_consecutive_versions_in_commit_order(
    engine, venue_id, notifications
):
    before = await version_of(engine, venue_id)

    async def touch(name: str) -> None:
        async with engine.begin() as db:
            await db.execute(update(venues).where(venues.c.venue_id == venue_id).values(name=name))
            await asyncio.sleep(0.01)

    await asyncio.gather(*(touch(f"n{i}") for i in range(10)))
    assert await version_of(engine, venue_id) == before + 10
    announced = [await asyncio.wait_for(notifications.get(), 5) for _ in range(10)]
    assert [int(a.split()[1]) for a in announced] == list(range(before + 1, before + 11))
