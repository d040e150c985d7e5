"""A venue's day as the engine sees it: tables, combinations, who sits where, the policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.assigner.domain.plans import TableInfo
from services.assigner.domain.strategies import StrategyContext
from shared.seating.combinations import Candidate, Seat
from shared.seating.yield_policy import YieldSettings


@dataclass(frozen=True)
class VenueDay:
    """A venue's day as the engine sees it."""

    tables: dict[str, TableInfo]
    candidates: tuple[Candidate, ...]
    busy: dict[str, list[tuple[datetime, datetime]]]
    context: StrategyContext
    buffer: timedelta
    weights: dict[str, float]
    auto_confirm: bool
    retry_budget: int
    hold_ttl: timedelta = timedelta(seconds=180)
    freeze_window: timedelta = timedelta(minutes=60)  # bookings this near their start stay put
    yield_settings: YieldSettings = field(default_factory=YieldSettings)
    seats: tuple[Seat, ...] = ()  # the tables as the combination search saw them
