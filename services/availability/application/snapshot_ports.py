"""Ports of the snapshot use cases: where a venue's day is read from and cached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from services.availability.domain.floor import Floor, Policy
from services.availability.domain.occupancy import Demand, Occupancy


@dataclass(frozen=True)
class Head:
    """The facts needed before reading a venue's day: its time zone and change version."""

    timezone: str
    version: int


@dataclass(frozen=True)
class DayFacts:
    """Everything about one local day of a venue, read at one change version."""

    venue_id: str
    day: date
    version: int
    floor_version: int
    floor: Floor
    policy: Policy
    occupancies: tuple[Occupancy, ...]
    demand: tuple[Demand, ...]


class DaySource(Protocol):
    """The truth: PostgreSQL."""

    async def head(self, venue_id: str) -> Head | None: ...

    async def day(
        self, venue_id: str, day: date, start: datetime, end: datetime
    ) -> DayFacts | None:
        """The day's facts over [start, end) (its local midnights), read in one snapshot."""
        ...


class DayCache(Protocol):
    """A cache of days by venue, day and version; it may fail, and then it says nothing."""

    async def get(self, venue_id: str, day: date, version: int) -> DayFacts | None: ...

    async def put(self, facts: DayFacts) -> None: ...
