"""Seeds Demo Bistro, the venue that `make run`, the printed examples and e2e tests use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.availability.adapters.tables import (
    dining_tables,
    service_periods,
    table_adjacency,
    turn_times,
    venue_policies,
    venues,
    zones,
)

DEMO_VENUE_ID = "demo-bistro"
DEMO_TIMEZONE = ZoneInfo("Europe/London")
DEMO_DINNER_START = time(19, 30)

ZONES = (("demo-main", "Main room"), ("demo-terrace", "Terrace"), ("demo-bar", "Bar"))
# The seats a table of each size takes: (min_seats, max_seats).
SEATS = {2: (1, 2), 4: (2, 4), 6: (4, 6), 8: (6, 8)}
TURN_TIMES = ((1, 2, 90), (3, 4, 105), (5, 6, 120), (7, 12, 150))
SERVICE_PERIODS = (("lunch", time(12, 0), time(14, 30)), ("dinner", time(17, 30), time(22, 0)))
POLICY = {
    "slot_interval_minutes": 15,
    "cleaning_buffer_minutes": 15,
    "pacing_max_covers_per_slot": 40,
    "pacing_max_parties_per_slot": 10,
    "hold_ttl_seconds": 180,
    "auto_confirm": True,
    "optimizer_threshold_percent": 10,
    "max_tables_per_combination": 3,
    "allow_cross_zone_combinations": False,
    "retry_budget": 5,
}


@dataclass(frozen=True)
class Row:
    """A row of tables that stand side by side, so each one can be pushed against the next."""

    zone_id: str
    prefix: str
    sizes: tuple[int, ...]
    combinable: bool = True


# Numbering runs on across a zone's rows: demo-m01..demo-m15, demo-t01..demo-t07, demo-b01..b02.
ROWS = (
    Row("demo-main", "demo-m", (2, 2, 2, 2, 2, 2)),  # the banquette along the wall
    Row("demo-main", "demo-m", (4, 4, 4, 4, 4, 4)),  # the centre line
    Row("demo-main", "demo-m", (6, 6)),  # the window booths
    # The round eight-top in the corner seats a large party on its own and joins nothing.
    Row("demo-main", "demo-m", (8,), combinable=False),
    Row("demo-terrace", "demo-t", (2, 2, 2, 2)),
    Row("demo-terrace", "demo-t", (4, 4, 4)),
    Row("demo-bar", "demo-b", (2, 2)),
)


def _floor_plan() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The tables and the adjacency edges (between neighbours of a combinable row)."""
    tables: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    numbers: dict[str, int] = {}
    for row in ROWS:
        ids = []
        for size in row.sizes:
            numbers[row.prefix] = numbers.get(row.prefix, 0) + 1
            table_id = f"{row.prefix}{numbers[row.prefix]:02d}"
            min_seats, max_seats = SEATS[size]
            tables.append(
                {
                    "table_id": table_id,
                    "venue_id": DEMO_VENUE_ID,
                    "zone_id": row.zone_id,
                    "name": table_id.removeprefix("demo-").upper(),
                    "min_seats": min_seats,
                    "max_seats": max_seats,
                    "combinable": row.combinable,
                    "active": True,
                }
            )
            ids.append(table_id)
        if row.combinable:
            edges += [
                {"venue_id": DEMO_VENUE_ID, "table_a": min(a, b), "table_b": max(a, b)}
                for a, b in pairwise(ids)
            ]
    return tables, edges


async def _insert_floor_plan(db: AsyncConnection) -> None:
    tables, edges = _floor_plan()
    await db.execute(
        insert(zones),
        [
            {"zone_id": zone_id, "venue_id": DEMO_VENUE_ID, "name": name, "sort_order": order}
            for order, (zone_id, name) in enumerate(ZONES)
        ],
    )
    await db.execute(insert(dining_tables), tables)
    await db.execute(insert(table_adjacency), edges)


async def _insert_rules(db: AsyncConnection) -> None:
    await db.execute(insert(venue_policies).values(venue_id=DEMO_VENUE_ID, **POLICY))
    await db.execute(
        insert(turn_times),
        [
            {"venue_id": DEMO_VENUE_ID, "min_party": low, "max_party": high, "minutes": minutes}
            for low, high, minutes in TURN_TIMES
        ],
    )
    await db.execute(
        insert(service_periods),
        [
            {
                "venue_id": DEMO_VENUE_ID,
                "weekday": day,
                "name": name,
                "start_local": start,
                "end_local": end,
            }
            for day in range(7)
            for name, start, end in SERVICE_PERIODS
        ],
    )


async def seed_demo_venue(engine: AsyncEngine) -> str:
    """Insert Demo Bistro unless it exists (safe to run concurrently); return its venue id."""
    async with engine.begin() as db:
        created = await db.execute(
            pg_insert(venues)
            .values(
                venue_id=DEMO_VENUE_ID,
                name="Demo Bistro",
                timezone=DEMO_TIMEZONE.key,
                max_party_size=12,
            )
            .on_conflict_do_nothing(index_elements=[venues.c.venue_id])
        )
        if created.rowcount == 1:
            await _insert_floor_plan(db)
            await _insert_rules(db)
    return DEMO_VENUE_ID


def demo_start_time(now: datetime) -> datetime:
    """Tomorrow at 19:30 in London (a dinner slot), as an aware UTC datetime; naive `now` is UTC."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    tomorrow = now.astimezone(DEMO_TIMEZONE).date() + timedelta(days=1)
    return datetime.combine(tomorrow, DEMO_DINNER_START, tzinfo=DEMO_TIMEZONE).astimezone(UTC)
