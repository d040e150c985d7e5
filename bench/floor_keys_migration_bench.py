"""Benchmark of migrations 0013-0015 (floor-plan ids unique per venue) on a large database.

`python -m bench.floor_keys_migration_bench [--venues N] [--tables N] [--days N]` (from the
repository root) migrates a scratch database (on DATABASE_URL's server, else an embedded
PostgreSQL) to the revision before 0013, fills it with N venues of one zone and N tables each
(every table joined to the next) and three seatings per table and day, then times each step:
0013 (expand: indexes built concurrently, and the exclusion constraint, whose build holds the
allocations table's lock), 0014 (validation, under a lock that lets writes go on) and 0015
(contract: one transaction whose locks block the four tables while it runs). Results go to
bench/results/floor_keys_migration.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from alembic import command
from alembic.script import ScriptDirectory

from shared.db.migrate import alembic_config
from shared.dev_servers import drop_database, ensure_database, start_postgres, url_with_database

RESULTS = Path(__file__).resolve().parent / "results"
BEFORE = ScriptDirectory.from_config(alembic_config()).get_revision("0013").down_revision
STEPS = ("0013", "0014", "0015")
# Ids are global before 0015, so each venue's ids carry its own prefix here. The replica role
# skips the per-row triggers (venue versions) while the rows go in.
SEED = """
SET session_replication_role = replica;
INSERT INTO venues (venue_id, name, timezone)
    SELECT 'v' || v, 'Venue ' || v, 'UTC' FROM generate_series(1, $1) v;
INSERT INTO zones (zone_id, venue_id, name)
    SELECT 'v' || v || '-main', 'v' || v, 'Main' FROM generate_series(1, $1) v;
INSERT INTO dining_tables (table_id, venue_id, zone_id, name, min_seats, max_seats)
    SELECT 'v' || v || '-t' || t, 'v' || v, 'v' || v || '-main', 'T' || t, 1, 4
    FROM generate_series(1, $1) v, generate_series(1, $2) t;
INSERT INTO table_adjacency (venue_id, table_a, table_b)
    SELECT 'v' || v, least(a, b), greatest(a, b) FROM (
        SELECT v, 'v' || v || '-t' || t AS a, 'v' || v || '-t' || (t + 1) AS b
        FROM generate_series(1, $1) v, generate_series(1, $2 - 1) t) pairs;
INSERT INTO allocations (group_id, venue_id, table_id, booking_id, kind, during, release_time)
    SELECT gen_random_uuid(), 'v' || v, 'v' || v || '-t' || t, gen_random_uuid(), 'ASSIGNMENT',
           tstzrange(s, s + interval '2 hours', '[)'),
           CASE WHEN random() < 0.1 THEN now() END
    FROM generate_series(1, $1) v, generate_series(1, $2) t,
         generate_series(timestamptz '2027-01-01 12:00Z', timestamptz '2027-01-01 12:00Z'
                         + ($3 - 1) * interval '1 day', interval '1 day') d,
         LATERAL (VALUES (d), (d + interval '3 hours'), (d + interval '6 hours')) seatings(s);
SET session_replication_role = DEFAULT;
ANALYZE;
"""


async def _admin_url(scratch: Path) -> tuple[str, Any]:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured, None
    server = await asyncio.to_thread(start_postgres, scratch / "pg")
    return server.url, server


async def _seed(url: str, venues: int, tables: int, days: int) -> dict[str, int]:
    connection = await asyncpg.connect(url)
    try:
        for statement in filter(str.strip, SEED.split(";\n")):
            arguments = [
                n
                for n, marker in ((venues, "$1"), (tables, "$2"), (days, "$3"))
                if marker in statement
            ]
            await connection.execute(statement, *arguments)
        counts = {}
        for table in ("zones", "dining_tables", "table_adjacency", "allocations"):
            counts[table] = int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
        counts["live_allocations"] = int(
            await connection.fetchval("SELECT count(*) FROM allocations WHERE release_time IS NULL")
        )
        return counts
    finally:
        await connection.close()


# A one-row write to each table a step locks, as the services make them all the time.
PROBES = {
    "allocations": "UPDATE allocations SET actor = actor WHERE allocation_id = 1",
    "dining_tables": "UPDATE dining_tables SET combinable = combinable "
    "WHERE venue_id = 'v1' AND table_id = 'v1-t1'",
}
PROBE_PAUSE = 0.05


async def _probe(url: str, statement: str, done: asyncio.Event) -> float:
    """The longest one write waited while `done` was unset: what the step made writers wait."""
    connection = await asyncpg.connect(url)
    longest = 0.0
    try:
        while not done.is_set():
            started = time.perf_counter()
            await connection.execute(statement)
            longest = max(longest, time.perf_counter() - started)
            await asyncio.sleep(PROBE_PAUSE)
    finally:
        await connection.close()
    return longest


async def _step(url: str, revision: str) -> dict[str, float]:
    """The step's seconds, and the longest write each probed table waited meanwhile."""
    done = asyncio.Event()
    probes = {name: asyncio.create_task(_probe(url, sql, done)) for name, sql in PROBES.items()}
    started = time.perf_counter()
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)
    seconds = time.perf_counter() - started
    done.set()
    stalls = {f"longest_{name}_write": round(await task, 3) for name, task in probes.items()}
    return {"seconds": round(seconds, 2), **stalls}


async def run(venues: int, tables: int, days: int) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="maitred-fk-bench-"))
    admin_url, server = await _admin_url(scratch)
    name = f"maitred_bench_fk_{uuid.uuid4().hex[:10]}"
    try:
        await ensure_database(admin_url, name)
        url = url_with_database(admin_url, name)
        assert isinstance(BEFORE, str)
        await asyncio.to_thread(command.upgrade, alembic_config(url), BEFORE)
        started = time.perf_counter()
        counts = await _seed(url, venues, tables, days)
        seed_seconds = time.perf_counter() - started
        load = [round(value, 2) for value in os.getloadavg()]
        steps = {revision: await _step(url, revision) for revision in STEPS}
        await drop_database(admin_url, name)
    finally:
        if server is not None:
            await asyncio.to_thread(server.stop)
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "parameters": {"venues": venues, "tables_per_venue": tables, "days": days},
        "rows": counts,
        "seed_seconds": round(seed_seconds, 2),
        "steps": steps,
        "load_average_before_steps": load,
        "postgres": "DATABASE_URL" if server is None else "embedded",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }


def _markdown(result: dict[str, Any]) -> str:
    rows, steps = result["rows"], result["steps"]
    what = {
        "0013": "expand (the exclusion constraint's build blocks allocations)",
        "0014": "validate (SHARE UPDATE EXCLUSIVE: writes go on)",
        "0015": "contract (one transaction; blocks all four tables)",
    }
    lines = [
        "# Migrations 0013-0015: floor-plan ids unique per venue",
        "",
        f"`python -m bench.floor_keys_migration_bench`: {rows['zones']} venues, "
        f"{rows['dining_tables']} tables, {rows['table_adjacency']} joins, "
        f"{rows['allocations']} allocations ({rows['live_allocations']} live); "
        f"PostgreSQL from {result['postgres']}; {result['machine']}; load average "
        f"{result['load_average_before_steps']} (1, 5, 15 min) before the steps. While each step "
        f"runs, one connection per table writes one row every {PROBE_PAUSE * 1000:.0f} ms; the "
        "longest such write is how long the step made writers wait.",
        "",
        "| step | seconds | longest allocation write (s) | longest table write (s) |",
        "|---|---|---|---|",
    ]
    for revision in STEPS:
        step = steps[revision]
        lines.append(
            f"| {revision} {what[revision]} | {step['seconds']} | "
            f"{step['longest_allocations_write']} | {step['longest_dining_tables_write']} |"
        )
    return "\n".join([*lines, ""])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=200)
    parser.add_argument("--tables", type=int, default=50)
    parser.add_argument("--days", type=int, default=30)
    options = parser.parse_args(argv)
    result = asyncio.run(run(options.venues, options.tables, options.days))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "floor_keys_migration.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "floor_keys_migration.md").write_text(_markdown(result))
    print(_markdown(result))


if __name__ == "__main__":
    main()
