"""What occupies the floor: allocations by kind, and bookings still waiting for tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """Why tables are occupied."""

    CONFIRMED = "CONFIRMED"
    ASSIGNED = "ASSIGNED"
    HOLD = "HOLD"
    SEATED = "SEATED"


@dataclass(frozen=True)
class Occupancy:
    """Tables blocked over [start, end) (the booking's turn plus the cleaning buffer)."""

    allocation_id: str
    kind: Kind
    table_ids: tuple[str, ...]
    start: datetime
    end: datetime
    booking_id: str | None = None
    party_size: int = 0
    expire_time: datetime | None = None
    # What a re-pack needs to know of the booking that holds the tables (if any).
    booking_state: str | None = None
    pinned: bool = False
    preferred_zone_id: str | None = None

    def counts_at(self, now: datetime) -> bool:
        """An expired hold stops counting the moment it expires, swept or not."""
        return self.expire_time is None or self.expire_time > now

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Demand:
    """A booking that needs tables but has none yet."""

    booking_id: str
    party_size: int
    start: datetime
    end: datetime
    state: str

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Facts:
    """Everything a snapshot is computed from, as read at one version."""

    version: int
    floor_version: int
    occupancies: tuple[Occupancy, ...]
    demand: tuple[Demand, ...]

    def live(self, now: datetime, *, excluding: str | None = None) -> list[Occupancy]:
        return [
            o
            for o in self.occupancies
            if o.counts_at(now) and (excluding is None or o.booking_id != excluding)
        ]

    def waiting(self, *, excluding: str | None = None) -> list[Demand]:
        return [d for d in self.demand if excluding is None or d.booking_id != excluding]
