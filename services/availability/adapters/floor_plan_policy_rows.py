"""A venue policy in PostgreSQL: its venue_policies row, service-period rows and turn-time rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import time, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.availability.adapters.tables import service_periods, turn_times, venue_policies
from services.availability.domain.floor import ServicePeriod, TurnBand
from services.availability.domain.floor_plan import RetryBudget, VenuePolicy
from shared.db.venue_policy import (
    combination_rule,
    seating_knobs,
    table_combinations,
    yield_settings,
    yield_values,
)
from shared.seating.combinations import explicit_to_json

MINUTE, SECOND, MILLISECOND = timedelta(minutes=1), timedelta(seconds=1), timedelta(milliseconds=1)


def _policy_values(policy: VenuePolicy) -> dict[str, Any]:
    retry = policy.retry_budget
    return {
        "slot_interval_minutes": policy.slot_interval // MINUTE,
        "cleaning_buffer_minutes": policy.cleaning_buffer // MINUTE,
        "pacing_max_covers_per_slot": policy.max_covers_per_slot,
        "pacing_max_parties_per_slot": policy.max_parties_per_slot,
        "hold_ttl_seconds": policy.hold_ttl // SECOND,
        "auto_confirm": policy.auto_confirm,
        "optimizer_threshold_percent": policy.optimizer_threshold_percent,
        "max_tables_per_combination": policy.max_tables_per_combination,
        "allow_cross_zone_combinations": policy.allow_cross_zone_combinations,
        "retry_budget": retry.max_attempts,
        "retry_initial_backoff_ms": retry.initial_backoff // MILLISECOND,
        "retry_max_backoff_ms": retry.max_backoff // MILLISECOND,
        "retry_deadline_seconds": retry.deadline // SECOND,
        "freeze_window_minutes": policy.freeze_window // MINUTE,
        "strategy_weights": dict(policy.strategy_weights),
        "update_time": policy.update_time,
        "combination_seats_lost_per_join": policy.combination_rule.seats_lost_per_join,
        "combination_min_covers": policy.combination_rule.min_covers,
        "table_combinations": explicit_to_json(policy.table_combinations),
        "rescue_time_limit_ms": policy.knobs.rescue_time_limit // MILLISECOND,
        "rescue_max_movers": policy.knobs.rescue_max_movers,
        "look_ahead_horizon_minutes": policy.knobs.look_ahead_horizon // MINUTE,
        **yield_values(policy.yield_settings),
    }


async def write_policy(db: AsyncConnection, policy: VenuePolicy) -> None:
    """Insert or replace the venue's policy with its service periods and turn-time bands."""
    values = _policy_values(policy)
    if values["update_time"] is None:
        del values["update_time"]  # the database's clock, as for every other default
    await db.execute(
        pg_insert(venue_policies)
        .values(venue_id=policy.venue_id, **values)
        .on_conflict_do_update(
            index_elements=[venue_policies.c.venue_id],
            set_={**values, "version": venue_policies.c.version + 1},
        )
    )
    venue_id = policy.venue_id
    await db.execute(delete(service_periods).where(service_periods.c.venue_id == venue_id))
    await db.execute(delete(turn_times).where(turn_times.c.venue_id == venue_id))
    # One row per weekday: the state service and the snapshot readers look periods up by day.
    period_rows = [
        {"venue_id": venue_id, "weekday": day, "name": period.name,
         "start_local": period.first_seating, "end_local": period.last_seating}
        for period in policy.service_periods
        for day in sorted(period.weekdays)
    ]  # fmt: skip
    if period_rows:
        await db.execute(insert(service_periods), period_rows)
    band_rows = [
        {"venue_id": venue_id, "min_party": band.min_party, "max_party": band.max_party,
         "minutes": band.duration // MINUTE}
        for band in policy.turn_bands
    ]  # fmt: skip
    if band_rows:
        await db.execute(insert(turn_times), band_rows)


async def read_policy(db: AsyncConnection, venue_id: str) -> VenuePolicy:
    """The venue's policy; the dataclass defaults stand in for a missing policy row."""
    row = (
        (await db.execute(select(venue_policies).where(venue_policies.c.venue_id == venue_id)))
        .mappings()
        .first()
    )
    periods = await _read_periods(db, venue_id)
    bands = await db.execute(
        select(turn_times.c.min_party, turn_times.c.max_party, turn_times.c.minutes)
        .where(turn_times.c.venue_id == venue_id)
        .order_by(turn_times.c.min_party)
    )
    policy = VenuePolicy(
        venue_id=venue_id,
        service_periods=periods,
        turn_bands=tuple(TurnBand(low, high, minutes * MINUTE) for low, high, minutes in bands),
    )
    return _with_row(policy, row) if row is not None else policy


async def _read_periods(db: AsyncConnection, venue_id: str) -> tuple[ServicePeriod, ...]:
    weekdays: dict[tuple[str, time, time], set[int]] = defaultdict(set)
    rows = await db.execute(
        select(service_periods.c.name, service_periods.c.weekday, service_periods.c.start_local,
               service_periods.c.end_local).where(service_periods.c.venue_id == venue_id)
    )  # fmt: skip
    for name, weekday, first, last in rows:
        weekdays[(name, first, last)].add(weekday)
    return tuple(
        ServicePeriod(name, frozenset(days), first, last)
        for (name, first, last), days in sorted(weekdays.items(), key=lambda p: (p[0][1], p[0][0]))
    )


def _with_row(policy: VenuePolicy, row: Any) -> VenuePolicy:
    return VenuePolicy(
        venue_id=policy.venue_id,
        service_periods=policy.service_periods,
        turn_bands=policy.turn_bands,
        slot_interval=row["slot_interval_minutes"] * MINUTE,
        cleaning_buffer=row["cleaning_buffer_minutes"] * MINUTE,
        max_covers_per_slot=row["pacing_max_covers_per_slot"],
        max_parties_per_slot=row["pacing_max_parties_per_slot"],
        hold_ttl=row["hold_ttl_seconds"] * SECOND,
        auto_confirm=row["auto_confirm"],
        max_tables_per_combination=row["max_tables_per_combination"],
        allow_cross_zone_combinations=row["allow_cross_zone_combinations"],
        optimizer_threshold_percent=float(row["optimizer_threshold_percent"]),
        retry_budget=RetryBudget(
            max_attempts=row["retry_budget"],
            initial_backoff=row["retry_initial_backoff_ms"] * MILLISECOND,
            max_backoff=row["retry_max_backoff_ms"] * MILLISECOND,
            deadline=row["retry_deadline_seconds"] * SECOND,
        ),
        freeze_window=row["freeze_window_minutes"] * MINUTE,
        strategy_weights=tuple(
            sorted((name, float(weight)) for name, weight in row["strategy_weights"].items())
        ),
        update_time=row["update_time"],
        combination_rule=combination_rule(row),
        table_combinations=table_combinations(row),
        knobs=seating_knobs(row),
        yield_settings=yield_settings(row),
    )
