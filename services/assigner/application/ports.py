"""The ports the assigner's API use cases run on: the allocation store and the state service."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from services.assigner.domain.allocation import Allocation, AllocationQuery
from services.assigner.domain.booking import BookingView


class AllocationReads(Protocol):
    """Allocations read back: one by id, or a page in order."""

    async def get(self, group_id: uuid.UUID) -> Allocation | None: ...

    async def page(
        self, query: AllocationQuery, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Allocation]:
        """Allocations matching `query` by window start then id, resuming after `after`."""
        ...


class HoldStore(Protocol):
    """Holds placed, extended, released and confirmed, each write its own transaction."""

    async def place_hold(
        self,
        venue_id: str,
        table_ids: Sequence[str],
        start: datetime,
        end: datetime,
        *,
        ttl: timedelta,
        now: datetime,
        actor: str,
        booking_id: uuid.UUID | None = None,
        strategy: str = "",
        breakdown: dict[str, Any] | None = None,
    ) -> Allocation:
        """Reserve the tables over [start, end) until now + ttl; AllocationConflict if taken."""
        ...

    async def extend_hold(
        self, group_id: uuid.UUID, ttl: timedelta, now: datetime
    ) -> Allocation: ...

    async def release_hold(self, group_id: uuid.UUID, now: datetime) -> bool: ...

    async def confirm_hold(
        self, group_id: uuid.UUID, booking_id: uuid.UUID, now: datetime, actor: str
    ) -> Allocation:
        """Turn a live hold into the booking's assignment, atomically."""
        ...


class AssignmentStore(Protocol):
    """Assignments read, replaced and released, under the exclusion constraint."""

    async def live_assignment(self, booking_id: uuid.UUID) -> Allocation | None: ...

    async def replace_assignment(
        self,
        venue_id: str,
        booking_id: uuid.UUID,
        table_ids: Sequence[str],
        start: datetime,
        end: datetime,
        *,
        now: datetime,
        actor: str,
        strategy: str,
        breakdown: dict[str, Any],
    ) -> tuple[Allocation, Allocation | None]:
        """Move the booking to these tables in one transaction; returns the new and the old."""
        ...

    async def release_allocation(self, group_id: uuid.UUID, now: datetime) -> bool: ...

    async def release_unless_recorded(self, group_id: uuid.UUID, now: datetime) -> bool:
        """Release the allocation unless its booking holds exactly its tables; True if it did."""
        ...


class AllocationStore(Protocol):
    """The allocations table, in three parts: what is read, holds and assignments."""

    @property
    def reads(self) -> AllocationReads: ...

    @property
    def holds(self) -> HoldStore: ...

    @property
    def assignments(self) -> AssignmentStore: ...


class StateBookings(Protocol):
    """The state service's bookings, read and moved at their versions."""

    async def get(self, venue_id: str, booking_id: uuid.UUID) -> BookingView: ...

    async def move(
        self,
        command: str,
        booking: BookingView,
        reason: str,
        table_ids: tuple[str, ...] = (),
        *,
        target_state: str = "",
        on_behalf_of: str = "",
    ) -> BookingView:
        """Apply one transition RPC (by name) at the booking's version."""
        ...

    async def record_tables(
        self, booking: BookingView, table_ids: tuple[str, ...], reason: str
    ) -> BookingView:
        """Record that an ASSIGNED or CONFIRMED booking now has these tables."""
        ...
