"""A venue's time zone and policy row, read as one mapping (policy columns None without a row)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import venue_policies, venues


async def venue_policy(db: AsyncConnection, venue_id: str) -> dict[str, Any] | None:
    """The venue's `timezone` and every `venue_policies` column; None for an unknown venue."""
    found = await db.execute(
        select(venues.c.timezone, venue_policies)
        .select_from(venues.outerjoin(venue_policies))
        .where(venues.c.venue_id == venue_id)
    )
    row = found.mappings().first()
    return dict(row) if row is not None else None
