"""Reads a venue's demand counts (written by the state service) into a DemandHistory."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import demand_counts, demand_days
from shared.seating.demand import DemandCell, DemandHistory


async def read_demand_history(db: AsyncConnection, venue_id: str, weekday: int) -> DemandHistory:
    """The venue's counts for one local weekday, and the days observed of every weekday."""
    cells = await db.execute(
        select(
            demand_counts.c.slot_minute,
            demand_counts.c.party_size,
            demand_counts.c.lead_bucket,
            demand_counts.c.requests,
        )
        .where(demand_counts.c.venue_id == venue_id, demand_counts.c.weekday == weekday)
        .order_by(
            demand_counts.c.slot_minute, demand_counts.c.party_size, demand_counts.c.lead_bucket
        )
    )
    days = await db.execute(
        select(demand_days.c.weekday, func.count())
        .where(demand_days.c.venue_id == venue_id)
        .group_by(demand_days.c.weekday)
    )
    return DemandHistory(
        cells=tuple(
            DemandCell(weekday, slot, party, lead, int(requests))
            for slot, party, lead, requests in cells
        ),
        days_observed={int(day): int(count) for day, count in days},
    )
