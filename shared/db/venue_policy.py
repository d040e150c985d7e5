"""A venue's time zone and policy row, read as one mapping (policy columns None without a row)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import TableClause, select
from sqlalchemy.ext.asyncio import AsyncConnection


async def venue_policy(
    db: AsyncConnection, venues: TableClause, venue_policies: TableClause, venue_id: str
) -> dict[str, Any] | None:
    """The venue's `timezone` and the caller's `venue_policies` columns; None for an unknown venue.

    Each reader passes its own read-only definitions of the two tables (availability owns them),
    so it reads exactly the policy columns it declares.
    """
    found = await db.execute(
        select(venues.c.timezone, venue_policies)
        .select_from(
            venues.outerjoin(venue_policies, venue_policies.c.venue_id == venues.c.venue_id)
        )
        .where(venues.c.venue_id == venue_id)
    )
    row = found.mappings().first()
    return dict(row) if row is not None else None
