"""The ports the state service's use cases run on: a unit of work and a venue-rules source."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from services.state.domain.demand import DemandRequest
from services.state.domain.model import Booking, BookingEvent, StateChange
from services.state.domain.states import BookingState
from services.state.domain.validation import VenueRules
from shared.unit_of_work import Transactional


class RequestAlreadyStored(Exception):
    """Another transaction stored the same request id first."""


@dataclass(frozen=True)
class StoredRequest:
    """A create request seen before: its payload fingerprint and its first response."""

    fingerprint: str
    booking: Booking


@dataclass(frozen=True)
class BookingQuery:
    """A filtered, keyset-paged listing of one venue's bookings."""

    venue_id: str
    states: frozenset[BookingState]
    start_from: datetime | None
    start_to: datetime | None
    after: tuple[datetime, UUID] | None
    limit: int


class BookingRepository(Protocol):
    """Bookings with their history, outbox events and idempotency keys."""

    async def get(self, venue_id: str, booking_id: UUID) -> Booking | None: ...

    async def add(self, booking: Booking, demand: DemandRequest | None = None) -> None:
        """Insert a new booking; count `demand` for the yield forecast in the same statement."""
        ...

    async def update(self, booking: Booking, expected_version: int) -> bool:
        """Write `booking` if the stored version is `expected_version`; False when stale."""
        ...

    async def add_change(self, change: StateChange) -> None: ...

    async def add_changes(self, changes: Sequence[StateChange]) -> None:
        """The history rows of one write, in order, in one round trip."""
        ...

    async def add_event(self, event: BookingEvent) -> None: ...

    async def find_request(self, venue_id: str, request_id: str) -> StoredRequest | None: ...

    async def add_request(
        self, venue_id: str, request_id: str, fingerprint: str, booking: Booking
    ) -> None:
        """Store a create request; raises RequestAlreadyStored when the id is taken."""
        ...

    async def search(self, query: BookingQuery) -> list[Booking]: ...

    async def history(
        self, venue_id: str, booking_id: UUID, after: int, limit: int
    ) -> list[tuple[int, StateChange]]: ...


class UnitOfWork(Transactional, Protocol):
    """One transaction: everything written through it commits together or not at all."""

    @property
    def bookings(self) -> BookingRepository: ...

    @property
    def venues(self) -> VenueRulesSource:
        """The venue rules, read in this transaction."""
        ...

    async def __aenter__(self) -> UnitOfWork: ...


class UnitOfWorkFactory(Protocol):
    """Opens a new unit of work."""

    def __call__(self) -> UnitOfWork: ...


class VenueRulesSource(Protocol):
    """Reads a venue's booking rules (owned by the availability service)."""

    async def get(self, venue_id: str) -> VenueRules | None: ...
