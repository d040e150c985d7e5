"""Ports the coordinator drives a booking through: bookings, capacity, tables, attempts, retries,
and the re-pack that rescues a booking no free table fits."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from services.assigner.domain.booking import BookingView, Step
from services.assigner.domain.moves import MoveOrder, MoveRequest, MoveResult


@dataclass(frozen=True)
class Capacity:
    """Whether the venue can take the booking, and why not."""

    accepted: bool
    reason: str
    detail: str


@dataclass(frozen=True)
class Seating:
    """The outcome of one assignment try: the tables taken, or why none were."""

    table_ids: tuple[str, ...]
    strategy: str
    reason: str
    group_id: UUID | None = None  # the allocation holding the tables, when one was written
    rules: VenueRules | None = None  # the venue policy read with the day, when it was read
    attempt_noted: bool = False  # its ASSIGNED attempt was written with the allocation
    refused: bool = False  # the yield policy refused the booking: `reason` says why

    @property
    def seated(self) -> bool:
        return bool(self.table_ids)


@dataclass(frozen=True)
class VenueRules:
    """The venue policy the coordinator obeys."""

    auto_confirm: bool
    retry_budget: int


class Bookings(Protocol):
    async def get(self, venue_id: str, booking_id: UUID) -> BookingView: ...

    async def move(
        self, command: str, booking: BookingView, reason: str, table_ids: tuple[str, ...] = ()
    ) -> BookingView: ...

    async def advance(self, booking: BookingView, steps: tuple[Step, ...]) -> BookingView:
        """Take the steps in order in one transaction, at the booking's version."""
        ...


class CapacityCheck(Protocol):
    async def check(self, booking: BookingView) -> Capacity: ...


class TableAssigner(Protocol):
    async def assign(self, booking: BookingView, *, note_attempt: bool = False) -> Seating:
        """Allocate tables (idempotent: a booking's live assignment is returned as is); with
        `note_attempt`, a written allocation notes its ASSIGNED attempt in its transaction."""
        ...

    def recorded(self, group_id: UUID | None) -> AbstractAsyncContextManager[None]:
        """Wraps the record of the allocation `assign` wrote: released if the record fails."""
        ...


class Attempts(Protocol):
    async def record(
        self,
        venue_id: str,
        booking_id: UUID,
        outcome: str,
        seating: Seating | None,
        version: int | None = None,
    ) -> int:
        """Store one try; returns how many failed tries the booking has had. A NO_TABLE try at
        a booking `version` already on record (a rival replica's) is not stored again."""
        ...

    async def last_failure(self, booking_id: UUID) -> tuple[int, datetime | None]:
        """The number of failed tries and when the last one happened."""
        ...


class Rules(Protocol):
    async def get(self, venue_id: str) -> VenueRules: ...


class Retries(Protocol):
    async def schedule(self, venue_id: str, booking_id: UUID, due: datetime) -> None: ...


@dataclass(frozen=True)
class RescuePlan:
    """A re-pack that seats a booking: its tables, once the other bookings' moves are applied."""

    table_ids: tuple[str, ...]
    moves: tuple[MoveOrder, ...]  # other bookings, each at the version the plan was made at


class RescuePlans(Protocol):
    async def find(
        self, venue_id: str, booking_id: UUID, time_limit: timedelta | None
    ) -> RescuePlan | None:
        """The optimizer's bounded re-pack for the booking (within the venue's rescue time
        limit when `time_limit` is None); None when there is none or the optimizer cannot tell
        (never raises)."""
        ...


class Mover(Protocol):
    async def move(self, request: MoveRequest, actor: str) -> list[MoveResult]:
        """Apply the moves and first assignments in one versioned transaction (MoveBookings)."""
        ...


class Rescue(Protocol):
    async def seat(self, booking: BookingView) -> Seating:
        """Seat a booking no free table fits by moving others; unseated (with why) otherwise."""
        ...
