"""A venue's time zone and policy row, read as one mapping, and the yield settings it holds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import TableClause, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.seating.yield_policy import YieldSettings


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


def yield_settings(row: Mapping[Any, Any]) -> YieldSettings:
    """The yield settings of a policy row (or of `venue_policy`'s mapping); defaults without one."""
    default = YieldSettings()
    minimum = row.get("yield_min_days_observed")
    return YieldSettings(
        enabled=bool(row.get("yield_enabled") or False),
        min_days_observed=default.min_days_observed if minimum is None else int(minimum),
    )


def yield_values(settings: YieldSettings) -> dict[str, Any]:
    """The policy row's columns for `settings`."""
    return {
        "yield_enabled": settings.enabled,
        "yield_min_days_observed": settings.min_days_observed,
    }
