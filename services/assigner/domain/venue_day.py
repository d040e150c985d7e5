"""A venue's day as the engine sees it: tables, combinations, who sits where, the policy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.assigner.domain.allocation import Allocation
from services.assigner.domain.plans import TableInfo
from services.assigner.domain.strategies import StrategyContext
from shared.seating import policy_defaults as defaults
from shared.seating.combinations import Candidate, CombinationRule, Seat, covers_of
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
    hold_ttl: timedelta = defaults.HOLD_TTL
    freeze_window: timedelta = defaults.FREEZE_WINDOW  # bookings this near their start stay put
    # The live assignment of the booking the day was read for (`excluding`), read in the same
    # snapshot: a booking that already has tables needs no plan.
    own_assignment: Allocation | None = None
    rule: CombinationRule = field(default_factory=CombinationRule)  # sets outside `candidates`
    yield_settings: YieldSettings = field(default_factory=YieldSettings)
    seats: tuple[Seat, ...] = ()  # the tables as the combination search saw them
    # The venue's turn times: (largest party of a band, turn without the buffer), ascending.
    turn_times: tuple[tuple[int, timedelta], ...] = ()
    # Tables under a hold that expired but is not released yet, or under a hold of the booking
    # the day was read for, over the day's window: a write on any other tables has no expired
    # hold to release first.
    expired_holds: frozenset[str] = frozenset()

    def covers(self, table_ids: Iterable[str]) -> int:
        """The most covers these (active) tables seat together, as the venue defines them."""
        seats = {t: info.max_seats for t, info in self.tables.items()}
        return covers_of(table_ids, seats, self.candidates, self.rule)
