"""What the engine is asked and what it answers: requests, plans and each strategy's say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TableInfo:
    """What the strategies need to know of a table."""

    table_id: str
    zone_id: str
    min_seats: int
    max_seats: int


@dataclass(frozen=True)
class AssignmentRequest:
    """A party to seat: its size, its span (turn plus buffer), and where it would like to sit."""

    booking_id: str | None
    party_size: int
    start: datetime
    blocked_until: datetime
    preferred_zone_id: str | None = None


@dataclass(frozen=True)
class UpcomingBooking:
    """A later booking of the same day that still needs tables (for look-ahead)."""

    booking_id: str
    party_size: int
    start: datetime
    blocked_until: datetime


@dataclass(frozen=True)
class SuccessCounts:
    """Aggregated outcomes of one table set for one party-size band and hour (no guest data)."""

    successes: int
    failures: int


@dataclass(frozen=True)
class Contribution:
    """One strategy's say about a plan: its score in [0, 1], its weight, and why."""

    strategy: str
    weight: float
    score: float
    reason: str


@dataclass(frozen=True)
class Plan:
    """A set of tables for the party, its total score and the breakdown behind it."""

    table_ids: tuple[str, ...]
    score: float
    contributions: tuple[Contribution, ...]
    total_seats: int = 0  # the covers the tables seat together (the candidate's max)
