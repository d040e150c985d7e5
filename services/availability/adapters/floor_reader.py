"""Reads a venue's floor and policy from PostgreSQL as the availability rules need them."""

from __future__ import annotations

from collections import defaultdict
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.availability.adapters.tables import (
    dining_tables,
    service_periods,
    table_adjacency,
    turn_times,
    venue_policies,
    venues,
)
from services.availability.domain.floor import Floor, Policy, ServicePeriod, Table, TurnBand
from shared.db.venue_policy import (
    combination_rule,
    seating_knobs,
    table_combinations,
    yield_settings,
)
from shared.seating.yield_policy import YieldSettings


async def read_floor(db: AsyncConnection, venue_id: str) -> tuple[Floor, Policy, int] | None:
    """The venue's floor, policy and floor-plan version; None when the venue does not exist."""
    venue = (
        await db.execute(
            select(venues.c.timezone, venues.c.max_party_size, venues.c.version).where(
                venues.c.venue_id == venue_id
            )
        )
    ).first()
    if venue is None:
        return None
    tables = (
        await db.execute(
            select(dining_tables)
            .where(dining_tables.c.venue_id == venue_id)
            .order_by(dining_tables.c.table_id)  # the optimizer's order: the same combinations
        )
    ).mappings()
    edges = await db.execute(
        select(table_adjacency.c.table_a, table_adjacency.c.table_b).where(
            table_adjacency.c.venue_id == venue_id
        )
    )
    floor = Floor(
        tables=tuple(
            Table(t["table_id"], t["zone_id"], t["min_seats"], t["max_seats"], t["combinable"],
                  t["active"])
            for t in tables
        ),
        edges=frozenset((a, b) for a, b in edges),
    )  # fmt: skip
    policy = await _read_policy(db, venue_id, ZoneInfo(venue.timezone), venue.max_party_size)
    return floor, policy, int(venue.version)


async def _read_policy(
    db: AsyncConnection, venue_id: str, zone: ZoneInfo, max_party_size: int
) -> Policy:
    row = (
        (await db.execute(select(venue_policies).where(venue_policies.c.venue_id == venue_id)))
        .mappings()
        .first()
    )
    weekdays: dict[tuple[str, time, time], set[int]] = defaultdict(set)
    rows = await db.execute(
        select(service_periods.c.name, service_periods.c.weekday, service_periods.c.start_local,
               service_periods.c.end_local).where(service_periods.c.venue_id == venue_id)
    )  # fmt: skip
    for name, weekday, first, last in rows:
        weekdays[(name, first, last)].add(weekday)
    bands = await db.execute(
        select(turn_times.c.min_party, turn_times.c.max_party, turn_times.c.minutes)
        .where(turn_times.c.venue_id == venue_id)
        .order_by(turn_times.c.min_party)
    )
    return Policy(
        timezone=zone,
        max_party_size=max_party_size,
        service_periods=tuple(
            ServicePeriod(name, frozenset(days), first, last)
            for (name, first, last), days in sorted(weekdays.items(), key=lambda p: p[0][1])
        ),
        turn_bands=tuple(TurnBand(lo, hi, timedelta(minutes=m)) for lo, hi, m in bands),
        slot_interval=timedelta(minutes=row["slot_interval_minutes"] if row else 15),
        cleaning_buffer=timedelta(minutes=row["cleaning_buffer_minutes"] if row else 15),
        max_covers_per_slot=row["pacing_max_covers_per_slot"] if row else None,
        max_parties_per_slot=row["pacing_max_parties_per_slot"] if row else None,
        max_tables_per_combination=row["max_tables_per_combination"] if row else 3,
        allow_cross_zone_combinations=row["allow_cross_zone_combinations"] if row else False,
        combination_rule=combination_rule(row),
        table_combinations=table_combinations(row),
        knobs=seating_knobs(row),
        freeze_window=timedelta(minutes=row["freeze_window_minutes"] if row else 60),
        yield_settings=yield_settings(row) if row else YieldSettings(),
    )
