"""Reads a venue's demand counts (written by the state service) into a DemandHistory."""

from __future__ import annotations

from datetime import date

from sqlalchemy import TableClause, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.seating.demand import DemandCell, DemandHistory


async def read_demand_history(
    db: AsyncConnection,
    demand_date_counts: TableClause,
    demand_days: TableClause,
    venue_id: str,
    service_date: date,
) -> DemandHistory:
    """What the venue's forecast for `service_date` learns from: the counts of its weekday, and
    the days observed of every weekday, over the service dates strictly before it.

    The day's own requests are bookings already known (counted again as demand still to come,
    they would count twice), and later dates are not history yet. Each reader passes its own
    read-only definitions of the two tables (the state service owns them).
    """
    counts, weekday = demand_date_counts.c, service_date.weekday()
    cells = await db.execute(
        select(counts.slot_minute, counts.party_size, counts.lead_bucket, func.sum(counts.requests))
        .where(
            counts.venue_id == venue_id,
            counts.service_date < service_date,
            counts.weekday == weekday,
        )
        .group_by(counts.slot_minute, counts.party_size, counts.lead_bucket)
        .order_by(counts.slot_minute, counts.party_size, counts.lead_bucket)
    )
    days = await db.execute(
        select(demand_days.c.weekday, func.count())
        .where(demand_days.c.venue_id == venue_id, demand_days.c.service_date < service_date)
        .group_by(demand_days.c.weekday)
    )
    return DemandHistory(
        cells=tuple(
            DemandCell(weekday, slot, party, lead, int(requests))
            for slot, party, lead, requests in cells
        ),
        days_observed={int(day): int(count) for day, count in days},
    )
