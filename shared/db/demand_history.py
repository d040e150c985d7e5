"""Reads a venue's demand counts (written by the state service) into a DemandHistory."""

from __future__ import annotations

from sqlalchemy import TableClause, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.seating.demand import DemandCell, DemandHistory


async def read_demand_history(
    db: AsyncConnection,
    demand_counts: TableClause,
    demand_days: TableClause,
    venue_id: str,
    weekday: int,
) -> DemandHistory:
    """The venue's counts for one local weekday, and the days observed of every weekday.

    Each reader passes its own read-only definitions of the two tables (the state service owns
    them).
    """
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
