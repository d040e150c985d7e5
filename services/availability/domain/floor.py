"""A venue's floor and booking policy, as the availability rules read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from shared.seating import policy_defaults as defaults
from shared.seating.combinations import (
    Candidate,
    CombinationRule,
    ExplicitCombination,
    Seat,
    floor_candidates,
)
from shared.seating.knobs import SeatingKnobs
from shared.seating.yield_policy import YieldSettings


@dataclass(frozen=True)
class Table:
    """A table: how many it seats, where it is, whether it joins others."""

    table_id: str
    zone_id: str
    min_seats: int
    max_seats: int
    combinable: bool = True
    active: bool = True


@dataclass(frozen=True)
class ServicePeriod:
    """Bookings may start on `weekdays` (0 = Monday) from first_seating to last_seating."""

    name: str
    weekdays: frozenset[int]
    first_seating: time
    last_seating: time


@dataclass(frozen=True)
class TurnBand:
    """How long a party of min_party..max_party keeps its tables."""

    min_party: int
    max_party: int
    duration: timedelta


@dataclass(frozen=True)
class Policy:
    """The venue's booking rules."""

    timezone: tzinfo
    max_party_size: int
    service_periods: tuple[ServicePeriod, ...]
    turn_bands: tuple[TurnBand, ...]
    slot_interval: timedelta = timedelta(minutes=15)
    cleaning_buffer: timedelta = timedelta(minutes=15)
    max_covers_per_slot: int | None = None
    max_parties_per_slot: int | None = None
    max_tables_per_combination: int = defaults.MAX_TABLES_PER_COMBINATION
    allow_cross_zone_combinations: bool = False
    combination_rule: CombinationRule = field(default_factory=CombinationRule)
    table_combinations: tuple[ExplicitCombination, ...] = ()
    knobs: SeatingKnobs = field(default_factory=SeatingKnobs)
    # Bookings starting sooner than this are never moved by a re-pack: the floor knows them.
    freeze_window: timedelta = defaults.FREEZE_WINDOW
    yield_settings: YieldSettings = field(default_factory=YieldSettings)

    def turn_time(self, party_size: int) -> timedelta | None:
        for band in self.turn_bands:
            if band.min_party <= party_size <= band.max_party:
                return band.duration
        return None

    def period_at(self, start: datetime) -> ServicePeriod | None:
        """The service period a booking starting at `start` falls in, if any."""
        local = start.astimezone(self.timezone)
        clock = local.time().replace(tzinfo=None)
        for period in self.service_periods:
            opens, closes = period.first_seating, period.last_seating
            if local.weekday() in period.weekdays and opens <= clock <= closes:
                return period
        return None

    def on_grid(self, start: datetime) -> bool:
        """Whether `start` is a slot start (a whole number of slots after local midnight)."""
        local = start.astimezone(self.timezone)
        midnight = datetime.combine(local.date(), time(0), local.tzinfo)
        offset = local - midnight
        return offset % self.slot_interval == timedelta(0)

    def slot_starts(self, day: date) -> list[tuple[datetime, ServicePeriod]]:
        """Every bookable start time of a local day, with its service period, in order."""
        starts: list[tuple[datetime, ServicePeriod]] = []
        for period in self.service_periods:
            if day.weekday() not in period.weekdays:
                continue
            moment = datetime.combine(day, period.first_seating, self.timezone)
            last = datetime.combine(day, period.last_seating, self.timezone)
            while moment <= last:
                starts.append((moment, period))
                moment += self.slot_interval
        return sorted(starts, key=lambda pair: pair[0])


@dataclass(frozen=True)
class Floor:
    """The tables of a venue and which of them stand next to each other."""

    tables: tuple[Table, ...]
    edges: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def active_tables(self) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.active)

    def neighbours(self) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {t.table_id: set() for t in self.tables}
        for first, second in self.edges:
            graph.setdefault(first, set()).add(second)
            graph.setdefault(second, set()).add(first)
        return graph


def candidates_of(floor: Floor, policy: Policy) -> tuple[Candidate, ...]:
    """The tables and combinations that can seat a party on the floor's active tables."""
    seats = [Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, t.combinable)
             for t in floor.active_tables()]  # fmt: skip
    return tuple(
        floor_candidates(
            seats,
            floor.neighbours(),
            max_tables=policy.max_tables_per_combination,
            cross_zone=policy.allow_cross_zone_combinations,
            rule=policy.combination_rule,
            explicit=policy.table_combinations,
        )
    )
