"""What the optimizer's use cases need from the outside: stores, the day, the assigner, locks."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from services.optimizer.domain.day import Period, VenueDay, Window
from services.optimizer.domain.records import MoveResult, PlannedMove, PlanRecord, PlanStatus


class Days(Protocol):
    """Reads a venue's window as a problem (and a booking's party and window)."""

    async def read(
        self,
        venue_id: str,
        window: Window,
        now: datetime,
        *,
        move_penalty: int | None = None,
        with_review: bool = True,
    ) -> VenueDay | None: ...
    async def booking(
        self, venue_id: str, booking_id: str
    ) -> tuple[int, datetime, datetime] | None: ...
    async def venue(self, venue_id: str) -> tuple[ZoneInfo, list[Period]] | None: ...


class Plans(Protocol):
    async def create(self, record: PlanRecord, request_id: str | None) -> PlanRecord: ...
    async def save(self, record: PlanRecord) -> None: ...
    async def get(self, venue_id: str, plan_id: UUID) -> PlanRecord | None: ...
    async def by_request(self, venue_id: str, request_id: str) -> PlanRecord | None: ...
    async def page(
        self,
        venue_id: str,
        service_date: date | None,
        statuses: Collection[PlanStatus],
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[PlanRecord]: ...
    async def periods_run(self, venue_id: str, service_date: date, actor: str) -> set[str]: ...
    async def fail_abandoned(self, started_before: datetime, now: datetime) -> int: ...


class Mover(Protocol):
    """The assigner's MoveBookings: every change at once, each checked against its version."""

    async def move(
        self,
        venue_id: str,
        changes: tuple[PlannedMove, ...],
        reason: str,
        request_id: str,
        on_behalf_of: str = "",
    ) -> tuple[MoveResult, ...]: ...


class RunLocks(Protocol):
    """One holder per venue-day; the token releases it."""

    async def acquire(self, venue_id: str, day: date, run_id: UUID, ttl_s: float) -> str | None: ...
    async def holder(self, venue_id: str, day: date) -> str | None: ...
    async def release(self, venue_id: str, day: date, token: str) -> None: ...


class TickLease(Protocol):
    """The scheduler's turn: granted to one replica at a time, for a while."""

    async def take(self, ttl_s: float) -> bool: ...


class Venues(Protocol):
    async def venue(self, venue_id: str) -> tuple[ZoneInfo, list[Period]] | None: ...
    async def venue_ids(self) -> list[str]: ...


__all__ = ["Days", "Mover", "Plans", "RunLocks", "TickLease", "Venues"]
