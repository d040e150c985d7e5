"""Migrations 0013-0015 on a database that holds floors, bookings and allocations from before:
zone and table ids become unique per venue, existing rows stay, and the way back works."""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.availability.adapters.floor_plan_unit_of_work import PostgresFloorPlanUnitOfWork
from services.availability.application.floor_plan_creates import create_zone
from services.availability.domain.errors import ResourceExists
from services.availability.domain.floor_plan import Zone
from shared.db.engine import create_engine
from shared.db.migrate import alembic_config
from shared.dev_servers import drop_database, ensure_database, url_with_database

# The revision just before the expand step: whatever 0013 follows.
BEFORE = ScriptDirectory.from_config(alembic_config()).get_revision("0013").down_revision
assert isinstance(BEFORE, str)
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()  # 0015 or a later one
EVENING = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)


@pytest.fixture
async def url(postgres_admin_url: str) -> AsyncIterator[str]:
    """An empty database of its own, migrated to the revision before 0013."""
    name = f"maitred_floorkeys_{uuid.uuid4().hex[:12]}"
    await ensure_database(postgres_admin_url, name)
    try:
        database_url = url_with_database(postgres_admin_url, name)
        await _alembic(command.upgrade, database_url, BEFORE)
        yield database_url
    finally:
        await drop_database(postgres_admin_url, name)


def _expand_after_the_contract(db: Any) -> None:
    """The migrations after 0015 applied out of order, as today's code needs their columns.

    They only add what today's code reads (expand steps), so a database at 0013 or 0014 with
    them is the schema a rolling deploy of the floor keys would have met this code on.
    """
    scripts = ScriptDirectory.from_config(alembic_config())
    later = list(scripts.iterate_revisions(HEAD, "0015"))  # newest first, 0015 left out
    with Operations.context(MigrationContext.configure(db)):
        for script in reversed(later):
            script.module.upgrade()


async def _alembic(run: Callable[[Any, str], None], url: str, revision: str) -> None:
    await asyncio.to_thread(run, alembic_config(url), revision)


async def _on(url: str, work: Callable[[AsyncConnection], Any]) -> Any:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as db:
            return await work(db)
    finally:
        await engine.dispose()


async def _sql(url: str, statement: str, **values: Any) -> list[tuple[Any, ...]]:
    async def run(db: AsyncConnection) -> list[tuple[Any, ...]]:
        result = await db.execute(text(statement), values)
        return [tuple(row) for row in result] if result.returns_rows else []

    return await _on(url, run)


async def _revision(url: str) -> str:
    return str((await _sql(url, "SELECT version_num FROM alembic_version"))[0][0])


async def _venue(url: str, venue_id: str, zone_id: str, table_ids: tuple[str, ...]) -> None:
    """A venue with one zone, its tables, each neighbour joined to the next."""
    await _sql(
        url, "INSERT INTO venues (venue_id, name, timezone) VALUES (:v, :v, 'UTC')", v=venue_id
    )
    await _sql(
        url, "INSERT INTO zones (zone_id, venue_id, name) VALUES (:z, :v, 'Main')",
        z=zone_id, v=venue_id,
    )  # fmt: skip
    for number, table_id in enumerate(table_ids, start=1):
        await _sql(
            url,
            "INSERT INTO dining_tables (table_id, venue_id, zone_id, name, min_seats, max_seats) "
            "VALUES (:t, :v, :z, :n, 1, 4)",
            t=table_id, v=venue_id, z=zone_id, n=f"T{number}",
        )  # fmt: skip
    for first, second in pairwise(table_ids):
        await _sql(
            url, "INSERT INTO table_adjacency (venue_id, table_a, table_b) VALUES (:v, :a, :b)",
            v=venue_id, a=min(first, second), b=max(first, second),
        )  # fmt: skip


async def _allocate(url: str, venue_id: str, table_id: str, hours: float = 0) -> None:
    """A live assignment of a booking (written by SQL, as the assigner writes one)."""
    booking_id = uuid.uuid4()
    start = EVENING + timedelta(hours=hours)
    await _sql(
        url,
        "INSERT INTO bookings (booking_id, venue_id, party_size, start_time, end_time, state, "
        "version, request_id, display_status, table_ids) VALUES (:b, :v, 2, :s, :e, 'ASSIGNED', "
        "4, :r, 'PENDING_ALLOCATION', ARRAY[:t])",
        b=booking_id, v=venue_id, s=start, e=start + timedelta(hours=2), r=str(booking_id),
        t=table_id,
    )  # fmt: skip
    await _sql(
        url,
        "INSERT INTO allocations (group_id, venue_id, table_id, booking_id, kind, during) "
        "VALUES (:g, :v, :t, :b, 'ASSIGNMENT', tstzrange(:s, :e, '[)'))",
        g=uuid.uuid4(), v=venue_id, t=table_id, b=booking_id, s=start,
        e=start + timedelta(hours=2),
    )  # fmt: skip


async def _refused(url: str, statement: str, **values: Any) -> str:
    """The database's error for a statement it must refuse."""
    with pytest.raises(IntegrityError) as raised:
        await _sql(url, statement, **values)
    return str(raised.value.orig)


async def _floor(url: str) -> list[tuple[Any, ...]]:
    """Every floor-plan and allocation row the test wrote, in a fixed order."""
    return [
        *await _sql(url, "SELECT venue_id, zone_id, name FROM zones ORDER BY 1, 2"),
        *await _sql(url, "SELECT venue_id, table_id, zone_id FROM dining_tables ORDER BY 1, 2"),
        *await _sql(url, "SELECT venue_id, table_a, table_b FROM table_adjacency ORDER BY 1, 2"),
        *await _sql(
            url, "SELECT venue_id, table_id, lower(during) FROM allocations ORDER BY 1, 2, 3"
        ),
    ]


SECOND_T1 = (
    "INSERT INTO dining_tables (table_id, venue_id, zone_id, name, min_seats, max_seats) "
    "VALUES ('t1', 'second', 'main', :name, 1, 4)"
)
OVERLAP = (
    "INSERT INTO allocations (group_id, venue_id, table_id, kind, during, expire_time) "
    "VALUES (gen_random_uuid(), :v, :t, 'HOLD', tstzrange(:s, :e, '[)'), :s)"
)


async def test_existing_floors_and_allocations_survive_and_ids_become_unique_per_venue(url):
    await _venue(url, "first", "main", ("t1", "t2", "t3"))
    await _venue(url, "other", "other-main", ("o1", "o2"))
    await _allocate(url, "first", "t1")
    await _allocate(url, "other", "o1")
    before = await _floor(url)
    await _venue(url, "second", "second-main", ())
    # Before the change, another venue cannot take an id: the keys are global.
    assert "zones_pkey" in await _refused(
        url, "INSERT INTO zones (zone_id, venue_id, name) VALUES ('main', 'second', 'M')"
    )
    await _alembic(command.upgrade, url, "head")
    assert [row for row in await _floor(url) if row[0] != "second"] == before
    await _sql(url, "INSERT INTO zones (zone_id, venue_id, name) VALUES ('main', 'second', 'M')")
    await _sql(url, SECOND_T1, name="T1")
    # The same id in the same venue is still one table, and a table of another venue's id
    # cannot be named: an allocation, an edge and a table's zone all name their own venue's.
    assert "dining_tables_pkey" in await _refused(url, SECOND_T1, name="Another T1")
    assert "allocations_venue_id_table_id_fkey" in await _refused(
        url, OVERLAP, v="second", t="t2", s=EVENING, e=EVENING + timedelta(hours=1)
    )
    assert "table_adjacency_venue_id_table_b_fkey" in await _refused(
        url,
        "INSERT INTO table_adjacency (venue_id, table_a, table_b) VALUES ('second', 't1', 't2')",
    )
    assert "dining_tables_venue_id_zone_id_fkey" in await _refused(
        url,
        "INSERT INTO dining_tables (table_id, venue_id, zone_id, name, min_seats, max_seats) "
        "VALUES ('t9', 'second', 'other-main', 'T9', 1, 4)",
    )


async def test_the_database_judges_overlaps_within_a_venue_never_across_venues(url):
    await _venue(url, "first", "main", ("t1",))
    await _allocate(url, "first", "t1")
    await _alembic(command.upgrade, url, "head")
    await _venue(url, "second", "main", ("t1",))
    span = {"t": "t1", "s": EVENING + timedelta(hours=1), "e": EVENING + timedelta(hours=3)}
    await _sql(url, OVERLAP, v="second", **span)
    assert "allocations_no_overlap" in await _refused(url, OVERLAP, v="first", **span)
    assert "allocations_no_overlap" in await _refused(url, OVERLAP, v="second", **span)


async def test_while_expanded_old_and_new_writes_both_hold_and_a_cross_venue_row_is_refused(url):
    await _venue(url, "first", "main", ("t1", "t2"))
    await _venue(url, "second", "second-main", ("s1",))
    await _alembic(command.upgrade, url, "0013")
    await _allocate(url, "first", "t2")  # a write as today's code makes it
    hour = {"s": EVENING, "e": EVENING + timedelta(hours=1)}
    error = await _refused(url, OVERLAP, v="second", t="t1", **hour)
    assert "allocations_venue_id_table_id_fkey" in error
    # The global keys still stand until the contract step.
    assert "zones_pkey" in await _refused(
        url, "INSERT INTO zones (zone_id, venue_id, name) VALUES ('main', 'second', 'M')"
    )


async def test_a_row_pointing_across_venues_stops_the_backfill_until_it_is_fixed(url):
    await _venue(url, "first", "main", ("t1",))
    await _venue(url, "second", "second-main", ("s1",))
    # Possible before: the old foreign key checked the table id only, whatever its venue.
    await _sql(url, OVERLAP, v="second", t="t1", s=EVENING, e=EVENING + timedelta(hours=1))
    with pytest.raises(IntegrityError, match="allocations_venue_id_table_id_fkey"):
        await _alembic(command.upgrade, url, "head")
    assert await _revision(url) == "0013"  # the expand step stays; nothing after it ran
    await _sql(url, "DELETE FROM allocations WHERE venue_id = 'second'")
    await _alembic(command.upgrade, url, "head")
    assert await _revision(url) == HEAD


async def test_the_downgrade_restores_global_ids_and_refuses_while_two_venues_share_one(url):
    await _venue(url, "first", "main", ("t1", "t2"))
    await _allocate(url, "first", "t1")
    before = await _floor(url)
    await _alembic(command.upgrade, url, "head")
    await _venue(url, "second", "main", ("t1",))
    with pytest.raises(IntegrityError, match="is duplicated"):
        await _alembic(command.downgrade, url, BEFORE)
    assert await _revision(url) == "0015"  # the contract's downgrade refused
    await _sql(url, "DELETE FROM venues WHERE venue_id = 'second'")
    await _alembic(command.downgrade, url, BEFORE)
    assert await _revision(url) == BEFORE
    assert await _floor(url) == before
    assert "zones_pkey" in await _refused(
        url, "INSERT INTO zones (zone_id, venue_id, name) VALUES ('main', 'first', 'Again')"
    )


@pytest.mark.parametrize("revision", ["0013", "0014"])
async def test_before_the_contract_todays_code_answers_a_taken_id_as_already_existing(
    url, revision
):
    # A rolling deploy runs this code while the global keys still stand: an id another venue
    # holds is refused as taken (as before this change), never as an internal error.
    await _venue(url, "first", "main", ())
    await _venue(url, "second", "second-main", ())
    await _alembic(command.upgrade, url, revision)
    await _on(url, lambda db: db.run_sync(_expand_after_the_contract))
    engine = create_engine(url, pool_size=2)
    try:
        uow = functools.partial(PostgresFloorPlanUnitOfWork, engine)
        now = datetime.now(UTC)
        with pytest.raises(ResourceExists):
            await create_zone(Zone("second", "main", "Main"), "r-1", uow=uow, now=now)
        created, _ = await create_zone(Zone("second", "patio", "Patio"), "r-2", uow=uow, now=now)
        assert created.zone_id == "patio"
    finally:
        await engine.dispose()
