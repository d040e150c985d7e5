"""A venue's day as the engine sees it: tables, combinations, who sits where, the policy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.assigner.domain.allocation import Allocation
from services.assigner.domain.plans import TableInfo
from services.assigner.domain.strategies import StrategyContext
from shared.seating.combinations import Candidate, CombinationRule, covers_of


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
    # The live assignment of the booking the day was read for (`excluding`), read in the same
    # snapshot: a booking that already has tables needs no plan.
    own_assignment: Allocation | None = None
    rule: CombinationRule = field(default_factory=CombinationRule)  # sets outside `candidates`

    def covers(self, table_ids: Iterable[str]) -> int:
        """The most covers these (active) tables seat together, as the venue defines them."""
        seats = {t: info.max_seats for t, info in self.tables.items()}
        return covers_of(table_ids, seats, self.candidates, self.rule)
