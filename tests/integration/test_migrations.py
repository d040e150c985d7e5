"""Migrations on real PostgreSQL: round trips, drift from the tables, no overlap, backfill, SQL."""

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.adapters.tables import allocations
from services.availability.adapters.tables import dining_tables, venues, zones
from services.state.adapters.tables import BOOKING_STATES, bookings
from services.tables import metadata
from shared.db.engine import create_engine
from shared.db.migrate import alembic_config, upgrade_to_head_async
from shared.dev_servers import drop_database, ensure_database, url_with_database

REPO_ROOT = Path(__file__).resolve().parents[2]
EVENING = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
SLOT = timedelta(minutes=15)
EXPECTED_DISPLAY_STATUS = {
    "CREATED": "PENDING", "CAPACITY_VERIFIED": "PENDING",
    "ASSIGNMENT_PENDING": "PENDING_ALLOCATION", "ASSIGNMENT_IN_PROGRESS": "PENDING_ALLOCATION",
    "ASSIGNED": "PENDING_ALLOCATION", "MANUAL_REVIEW": "PENDING_ALLOCATION",
    "CONFIRMED": "CONFIRMED", "SEATED": "CHECKED_IN", "COMPLETED": "COMPLETED",
    "CANCELLED": "CANCELLED", "REJECTED": "CANCELLED", "NO_SHOW": "NO_SHOW",
}  # fmt: skip
CATALOG_QUERIES = {
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), obj_description(c.oid, 'pg_class')
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relname <> 'alembic_version'""",
    # Checks and the exclusion constraint too: the part alembic's comparison cannot see.
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f', 'c', 'x')
          AND conrelid::regclass::text <> 'alembic_version'""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> 'alembic_version'""",
}


@pytest.fixture
async def scratch_database_url(postgres_admin_url: str) -> AsyncIterator[str]:
    """An empty database of its own, for tests that move the schema up and down."""
    name = f"maitred_scratch_{uuid.uuid4().hex[:12]}"
    await ensure_database(postgres_admin_url, name)
    try:
        yield url_with_database(postgres_admin_url, name)
    finally:
        await drop_database(postgres_admin_url, name)


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that is rolled back, so tests leave no rows behind."""
    async with engine.connect() as db:
        transaction = await db.begin()
        try:
            yield db
        finally:
            await transaction.rollback()


async def _alembic(run: Callable[[Config, str], None], url: str, revision: str) -> None:
    await asyncio.to_thread(run, alembic_config(url), revision)


async def _on(url: str, work: Callable[[AsyncConnection], Any]) -> Any:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as db:
            return await work(db)
    finally:
        await engine.dispose()


async def _catalog(db: AsyncConnection) -> dict[str, set[tuple[Any, ...]]]:
    return {
        part: {tuple(row) for row in await db.execute(text(query))}
        for part, query in CATALOG_QUERIES.items()
    }


async def _seed_table(db: AsyncConnection) -> tuple[str, str]:
    venue_id = f"venue-{uuid.uuid4().hex[:8]}"
    await db.execute(insert(venues).values(venue_id=venue_id, name="Bistro", timezone="UTC"))
    zone_id, table_id = f"{venue_id}-main", f"{venue_id}-t1"
    await db.execute(insert(zones).values(zone_id=zone_id, venue_id=venue_id, name="Main"))
    await db.execute(
        insert(dining_tables).values(
            table_id=table_id, venue_id=venue_id, zone_id=zone_id, name="T1",
            min_seats=2, max_seats=4,
        )
    )  # fmt: skip
    return venue_id, table_id


async def _allocate(
    db: AsyncConnection, table: tuple[str, str], start: datetime, end: datetime, kind: str
) -> int:
    venue_id, table_id = table
    hold_expiry = start if kind == "HOLD" else None
    booking_id = uuid.uuid4()  # an assigned booking: only such a booking may take tables (0012)
    await db.execute(
        insert(bookings).values(
            booking_id=booking_id, venue_id=venue_id, party_size=2, start_time=start,
            end_time=end, state="ASSIGNED", display_status="PENDING_ALLOCATION", version=1,
            request_id=str(booking_id),
        )
    )  # fmt: skip
    result = await db.execute(
        insert(allocations)
        .values(
            group_id=uuid.uuid4(), venue_id=venue_id, table_id=table_id, booking_id=booking_id,
            kind=kind, during=Range(start, end, bounds="[)"), expire_time=hold_expiry,
        )
        .returning(allocations.c.allocation_id)
    )  # fmt: skip
    return int(result.scalar_one())


async def _is_accepted(
    db: AsyncConnection, table: tuple[str, str], start: datetime, end: datetime
) -> bool:
    try:
        async with db.begin_nested():
            await _allocate(db, table, start, end, "ASSIGNMENT")
    except IntegrityError as error:
        assert _is_exclusion_violation(error), error
        return False
    return True


def _is_exclusion_violation(error: IntegrityError) -> bool:
    # SQLAlchemy wraps the driver's error; asyncpg's own exception is its cause.
    return isinstance(getattr(error.orig, "__cause__", None), asyncpg.ExclusionViolationError)


def _at(hours: float) -> datetime:
    return EVENING + timedelta(hours=hours)


async def test_each_downgrade_restores_the_schema_its_upgrade_started_from(
    scratch_database_url: str,
) -> None:
    url = scratch_database_url
    scripts = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    revisions = ["base", *reversed([script.revision for script in scripts])]
    catalogs = {"base": await _on(url, _catalog)}
    for revision in revisions[1:]:
        await _alembic(command.upgrade, url, revision)
        catalogs[revision] = await _on(url, _catalog)
    assert {column[0] for column in catalogs[revisions[-1]]["columns"]} == set(metadata.tables)
    for revision in reversed(revisions[:-1]):
        await _alembic(command.downgrade, url, revision)
        assert await _on(url, _catalog) == catalogs[revision], f"downgrade to {revision}"
    await upgrade_to_head_async(url)
    assert await _on(url, _catalog) == catalogs[revisions[-1]]


def _alembic_differences(db: Connection) -> list[Any]:
    context = MigrationContext.configure(
        db, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata))


async def test_alembic_sees_no_difference_between_the_services_tables_and_migrated_database(
    engine: AsyncEngine,
) -> None:
    # Alembic compares tables, columns, types, defaults, indexes, unique and foreign keys. It
    # cannot see CHECK or EXCLUDE constraints: the catalog test below covers those.
    async with engine.connect() as db:
        assert await db.run_sync(_alembic_differences) == []


async def test_the_services_tables_build_the_same_catalog_as_the_migrations(
    engine: AsyncEngine, scratch_database_url: str
) -> None:
    async def build_from_tables(db: AsyncConnection) -> dict[str, set[tuple[Any, ...]]]:
        await db.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        await db.run_sync(metadata.create_all)
        return await _catalog(db)

    built = await _on(scratch_database_url, build_from_tables)
    async with engine.connect() as db:
        migrated = await _catalog(db)
    assert {name for _, name, _ in migrated["constraints"]} >= {"allocations_no_overlap"}
    assert migrated == built


@pytest.mark.parametrize("second_kind", ["HOLD", "ASSIGNMENT"])
async def test_two_live_allocations_of_one_table_cannot_overlap(
    connection: AsyncConnection, second_kind: str
) -> None:
    table = await _seed_table(connection)
    await _allocate(connection, table, _at(2), _at(4), "ASSIGNMENT")
    with pytest.raises(IntegrityError, match="allocations_no_overlap") as raised:
        async with connection.begin_nested():
            await _allocate(connection, table, _at(3), _at(5), second_kind)
    assert _is_exclusion_violation(raised.value)


async def test_allocations_that_touch_end_to_start_do_not_conflict(
    connection: AsyncConnection,
) -> None:
    table = await _seed_table(connection)
    await _allocate(connection, table, _at(2), _at(4), "ASSIGNMENT")
    assert await _is_accepted(connection, table, _at(4), _at(6))
    assert await _is_accepted(connection, table, _at(0), _at(2))


async def test_a_released_allocation_no_longer_blocks_its_window(
    connection: AsyncConnection,
) -> None:
    table = await _seed_table(connection)
    first = await _allocate(connection, table, _at(2), _at(4), "HOLD")
    assert not await _is_accepted(connection, table, _at(3), _at(5))
    await connection.execute(
        update(allocations).where(allocations.c.allocation_id == first).values(release_time=_at(1))
    )
    assert await _is_accepted(connection, table, _at(3), _at(5))


@settings(max_examples=25, deadline=None)
@given(windows=st.lists(st.tuples(st.integers(0, 24), st.integers(1, 8)), max_size=10))
async def test_the_database_accepts_exactly_the_windows_that_overlap_no_earlier_one(
    engine: AsyncEngine, windows: list[tuple[int, int]]
) -> None:
    async with engine.connect() as db:
        transaction = await db.begin()
        table = await _seed_table(db)
        kept: list[tuple[datetime, datetime]] = []
        for first_slot, slots in windows:
            start, end = EVENING + first_slot * SLOT, EVENING + (first_slot + slots) * SLOT
            free = all(end <= kept_start or kept_end <= start for kept_start, kept_end in kept)
            assert await _is_accepted(db, table, start, end) == free, (start, end, kept)
            if free:
                kept.append((start, end))
        await transaction.rollback()


async def test_the_backfill_derives_every_display_status_from_the_state(
    scratch_database_url: str,
) -> None:
    assert set(EXPECTED_DISPLAY_STATUS) == set(BOOKING_STATES)
    await _alembic(command.upgrade, scratch_database_url, "0005")

    async def add_a_booking_in_every_state(db: AsyncConnection) -> None:
        await db.execute(
            text("INSERT INTO venues (venue_id, name, timezone) VALUES ('v', 'V', 'UTC')")
        )
        for state in BOOKING_STATES:
            await db.execute(
                text(
                    "INSERT INTO bookings (booking_id, venue_id, party_size, start_time, end_time,"
                    " state, version, request_id)"
                    " VALUES (gen_random_uuid(), 'v', 2, now(), now() + interval '2 hours',"
                    " :state, 1, :state)"
                ),
                {"state": state},
            )

    async def display_status_by_state(db: AsyncConnection) -> dict[str, str]:
        rows = await db.execute(text("SELECT state, display_status FROM bookings"))
        return {state: status for state, status in rows}

    await _on(scratch_database_url, add_a_booking_in_every_state)
    await upgrade_to_head_async(scratch_database_url)
    assert await _on(scratch_database_url, display_status_by_state) == EXPECTED_DISPLAY_STATUS


async def test_the_demand_backfill_puts_old_counts_on_a_past_local_date_of_their_weekday(
    scratch_database_url: str,
) -> None:
    await _alembic(command.upgrade, scratch_database_url, "0022")

    async def count_a_weekday_with_a_future_day(db: AsyncConnection) -> tuple[date, int]:
        await db.execute(
            text(
                "INSERT INTO venues (venue_id, name, timezone)"
                " VALUES ('v', 'V', 'Pacific/Auckland')"
            )
        )
        today = (
            await db.execute(text("SELECT (now() AT TIME ZONE 'Pacific/Auckland')::date"))
        ).scalar_one()
        weekday = (today + timedelta(days=3)).weekday()
        for service_date in (today + timedelta(days=3), today - timedelta(days=4)):
            await db.execute(
                text("INSERT INTO demand_days VALUES ('v', :day, :weekday)"),
                {"day": service_date, "weekday": weekday},
            )
        await db.execute(
            text("INSERT INTO demand_counts VALUES ('v', :weekday, 1140, 2, 0, 5)"),
            {"weekday": weekday},
        )
        return today, weekday

    today, weekday = await _on(scratch_database_url, count_a_weekday_with_a_future_day)
    await upgrade_to_head_async(scratch_database_url)

    async def backfilled(db: AsyncConnection) -> list[tuple[Any, ...]]:
        rows = await db.execute(
            text("SELECT service_date, weekday, requests FROM demand_date_counts")
        )
        return [tuple(row) for row in rows]

    assert await _on(scratch_database_url, backfilled) == [(today - timedelta(days=4), weekday, 5)]


@pytest.mark.parametrize("display_status", [None, "ARCHIVED"])
async def test_after_the_contract_a_booking_needs_a_known_display_status(
    connection: AsyncConnection, display_status: str | None
) -> None:
    venue_id, _ = await _seed_table(connection)
    values = {
        "booking_id": uuid.uuid4(), "venue_id": venue_id, "party_size": 2,
        "start_time": _at(2), "end_time": _at(4), "state": "CREATED", "version": 1,
        "request_id": "r-1",
    }  # fmt: skip
    bookings = metadata.tables["bookings"]
    with pytest.raises(IntegrityError):
        async with connection.begin_nested():
            await connection.execute(
                insert(bookings).values({**values, "display_status": display_status})
            )
    await connection.execute(insert(bookings).values({**values, "display_status": "PENDING"}))
    assert (
        await connection.scalar(
            select(bookings.c.display_status).where(bookings.c.booking_id == values["booking_id"])
        )
        == "PENDING"
    )


def _offline_sql() -> str:
    # The command a DBA runs, from the repository root, with no database anywhere.
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head", "--sql"],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip


def _statements(sql: str) -> list[str]:
    """Split a script at `;` line ends, as psql does, keeping $$-quoted bodies whole."""
    statements: list[str] = []
    pending = ""
    for part in sql.split(";\n"):
        pending = f"{pending};\n{part}" if pending else part
        if pending.count("$$") % 2 == 0:
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    return statements


def test_offline_sql_for_the_whole_upgrade_renders_the_exclusion_constraint() -> None:
    sql = _offline_sql()
    assert "CREATE EXTENSION IF NOT EXISTS btree_gist" in sql
    assert (
        "ADD CONSTRAINT allocations_no_overlap EXCLUDE USING gist "
        "(table_id WITH =, during WITH &&) WHERE (release_time IS NULL)"
    ) in sql


async def test_the_offline_sql_applies_as_is_and_builds_the_migrated_catalog(
    engine: AsyncEngine, scratch_database_url: str
) -> None:
    sql = await asyncio.to_thread(_offline_sql)
    statements = _statements(sql)
    # One statement at a time, as psql does: CREATE INDEX CONCURRENTLY must not share a batch.
    raw = await asyncpg.connect(scratch_database_url)
    try:
        for statement in statements:
            await raw.execute(statement)
    finally:
        await raw.close()
    async with engine.connect() as db:
        migrated = await _catalog(db)
    assert await _on(scratch_database_url, _catalog) == migrated
