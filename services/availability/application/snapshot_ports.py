"""Ports of the snapshot use cases: where a venue's day is read from and cached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from services.availability.domain.floor import Floor, Policy
from services.availability.domain.occupancy import Demand, Occupancy
from shared.seating.demand import DemandHistory


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


@dataclass(frozen=True)
class VenueChanges:
    """What changed at a venue after some version, with those keys' rows as they are now.

    `occupancies` and `demand` are every live allocation group and waiting booking (on any
    day) among the changed bookings and groups, read at `version`; `floor` is the venue's new
    floor, policy and floor-plan version when a floor-plan row changed, else None.
    """

    version: int
    booking_ids: frozenset[str]
    group_ids: frozenset[str]
    occupancies: tuple[Occupancy, ...]
    demand: tuple[Demand, ...]
    floor: tuple[Floor, Policy, int] | None


class DaySource(Protocol):
    """The truth: PostgreSQL."""

    async def head(self, venue_id: str) -> Head | None: ...

    async def day(
        self, venue_id: str, day: date, start: datetime, end: datetime
    ) -> DayFacts | None:
        """The day's facts over [start, end) (its local midnights), read in one snapshot."""
        ...

    async def changes(
        self, venue_id: str, since: int, *, behind: bool = False
    ) -> VenueChanges | None:
        """What changed after version `since`, read in one snapshot; None when the change log
        no longer holds every version after it (or the venue is gone): rebuild instead.
        `behind`: the change feed already announced a newer version, so a cheap "anything
        since?" question first would only cost a round trip."""
        ...


class VenueHeads(Protocol):
    """The truth about a venue's head, read as cheaply as it can be: every call reads it."""

    async def head(self, venue_id: str) -> Head | None: ...


class DayCache(Protocol):
    """A cache of days by venue, day and version; it may fail, and then it says nothing."""

    async def get(self, venue_id: str, day: date, version: int) -> DayFacts | None: ...

    async def put(self, facts: DayFacts) -> None: ...


class DemandCounts(Protocol):
    """The venue's request counts the yield forecast learns from (written by the state service)."""

    async def history(self, venue_id: str, day: date) -> DemandHistory:
        """The counts the forecast of the local service date `day` learns from: the dates
        before it only, never its own requests."""
        ...
