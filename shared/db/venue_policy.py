"""A venue's time zone and policy row, read as one mapping, and the seating and yield rules it
holds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import TableClause, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.seating.combinations import CombinationRule, ExplicitCombination, explicit_from_json
from shared.seating.knobs import SeatingKnobs
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


def combination_rule(row: Mapping[Any, Any] | None) -> CombinationRule:
    """The venue's rule for derived combinations; today's plain sums without a row."""
    if row is None or row.get("combination_seats_lost_per_join") is None:
        return CombinationRule()
    return CombinationRule(
        seats_lost_per_join=int(row["combination_seats_lost_per_join"]),
        min_covers=int(row["combination_min_covers"] or 0),
    )


def table_combinations(row: Mapping[Any, Any] | None) -> tuple[ExplicitCombination, ...]:
    """The venue's explicit combinations; none without a row."""
    return explicit_from_json(row.get("table_combinations") if row is not None else None)


def seating_knobs(row: Mapping[Any, Any] | None) -> SeatingKnobs:
    """The venue's seating knobs; the domain's defaults for what a row does not say."""
    default = SeatingKnobs()
    if row is None:
        return default
    limit, movers = row.get("rescue_time_limit_ms"), row.get("rescue_max_movers")
    horizon = row.get("look_ahead_horizon_minutes")
    return SeatingKnobs(
        rescue_time_limit=(
            default.rescue_time_limit if limit is None else timedelta(milliseconds=limit)
        ),
        rescue_max_movers=default.rescue_max_movers if movers is None else int(movers),
        look_ahead_horizon=(
            default.look_ahead_horizon if horizon is None else timedelta(minutes=horizon)
        ),
    )


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
