"""A venue's floor plan as the availability service owns it: venue, zones, tables, edges, policy."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.availability.domain.floor import Floor, Policy, ServicePeriod, Table, TurnBand
from shared.seating import policy_defaults as defaults
from shared.seating.combinations import CombinationRule, ExplicitCombination
from shared.seating.knobs import SeatingKnobs
from shared.seating.yield_policy import YieldSettings

STRATEGIES = ("exact_fit", "adjacency", "zone_preference", "historical_success", "look_ahead")


@dataclass(frozen=True)
class Venue:
    """A restaurant; its version is the version of its whole floor plan."""

    venue_id: str
    display_name: str
    time_zone: str
    max_party_size: int
    version: int = 1
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True)
class Zone:
    """An area of a venue that guests may prefer and combinations stay inside."""

    venue_id: str
    zone_id: str
    display_name: str
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True)
class TableRecord:
    """A table as the floor plan stores it: its seating facts and the name staff know it by."""

    venue_id: str
    seats: Table
    display_name: str
    create_time: datetime | None = None
    update_time: datetime | None = None

    @property
    def table_id(self) -> str:
        return self.seats.table_id


@dataclass(frozen=True)
class RetryBudget:
    """How hard the assigner tries before a booking goes to manual review."""

    max_attempts: int = defaults.RETRY_ATTEMPTS
    initial_backoff: timedelta = timedelta(seconds=1)
    max_backoff: timedelta = timedelta(seconds=30)
    deadline: timedelta = timedelta(minutes=2)


@dataclass(frozen=True)
class VenuePolicy:
    """The rules a venue seats by; None for a pacing limit means no limit."""

    venue_id: str
    service_periods: tuple[ServicePeriod, ...]
    turn_bands: tuple[TurnBand, ...]
    slot_interval: timedelta = timedelta(minutes=15)
    cleaning_buffer: timedelta = timedelta(minutes=15)
    max_covers_per_slot: int | None = None
    max_parties_per_slot: int | None = None
    hold_ttl: timedelta = defaults.HOLD_TTL
    auto_confirm: bool = True
    max_tables_per_combination: int = defaults.MAX_TABLES_PER_COMBINATION
    allow_cross_zone_combinations: bool = False
    optimizer_threshold_percent: float = defaults.OPTIMIZER_THRESHOLD_PERCENT
    retry_budget: RetryBudget = RetryBudget()
    freeze_window: timedelta = defaults.FREEZE_WINDOW
    strategy_weights: tuple[tuple[str, float], ...] = ()
    update_time: datetime | None = None
    # Combinations as the venue defines them, and how hard the suite tries to seat a party.
    combination_rule: CombinationRule = field(default_factory=CombinationRule)
    table_combinations: tuple[ExplicitCombination, ...] = ()
    knobs: SeatingKnobs = field(default_factory=SeatingKnobs)
    yield_settings: YieldSettings = field(default_factory=YieldSettings)


def default_policy(venue_id: str, max_party_size: int) -> VenuePolicy:
    """The suite's policy for a venue created without one: every strategy weighs the same.

    It has no service period, so the venue takes no booking until ops set its hours.
    """
    return VenuePolicy(
        venue_id=venue_id,
        service_periods=(),
        turn_bands=(TurnBand(1, max_party_size, timedelta(hours=2)),),
        strategy_weights=tuple((name, 1.0) for name in STRATEGIES),
    )


def edge(first: str, second: str) -> tuple[str, str]:
    """An undirected edge in its stored form: the smaller id first."""
    return (first, second) if first < second else (second, first)


@dataclass(frozen=True)
class FloorPlan:
    """A venue's whole floor plan, as of one version."""

    venue: Venue
    zones: tuple[Zone, ...]
    tables: tuple[TableRecord, ...]
    edges: frozenset[tuple[str, str]]
    policy: VenuePolicy

    def zone(self, zone_id: str) -> Zone | None:
        return next((z for z in self.zones if z.zone_id == zone_id), None)

    def table(self, table_id: str) -> TableRecord | None:
        return next((t for t in self.tables if t.table_id == table_id), None)

    def with_table(self, record: TableRecord) -> FloorPlan:
        """This plan with `record` added, or replacing the table of the same id."""
        others = tuple(t for t in self.tables if t.table_id != record.table_id)
        tables = tuple(sorted((*others, record), key=lambda t: t.table_id))
        return dataclasses.replace(self, tables=tables)

    def floor(self) -> Floor:
        """The tables and edges in the shape the availability rules read."""
        return Floor(tables=tuple(t.seats for t in self.tables), edges=self.edges)

    def seating_policy(self) -> Policy:
        """The policy in the shape the availability rules read (the time zone resolved)."""
        rules = self.policy
        return Policy(
            timezone=ZoneInfo(self.venue.time_zone),
            max_party_size=self.venue.max_party_size,
            service_periods=rules.service_periods,
            turn_bands=rules.turn_bands,
            slot_interval=rules.slot_interval,
            cleaning_buffer=rules.cleaning_buffer,
            max_covers_per_slot=rules.max_covers_per_slot,
            max_parties_per_slot=rules.max_parties_per_slot,
            max_tables_per_combination=rules.max_tables_per_combination,
            allow_cross_zone_combinations=rules.allow_cross_zone_combinations,
            combination_rule=rules.combination_rule,
            table_combinations=rules.table_combinations,
            knobs=rules.knobs,
            yield_settings=rules.yield_settings,
        )
