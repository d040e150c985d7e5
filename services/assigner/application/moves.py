"""Use case: move several bookings to new tables together, skip what changed, record the rest."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from services.assigner.application.allocation_guard import AllocationGuard, to_the_end
from services.assigner.application.booking_tables import choice
from services.assigner.application.table_records import TableRecorder
from services.assigner.domain.booking import BookingView
from services.assigner.domain.moves import (
    FIRST,
    MOVING,
    REVIEW,
    MoveOutcome,
    MoveRequest,
    MoveResult,
    PlannedMove,
    Written,
    skip_of,
    stale,
)
from services.assigner.domain.validation import check_moves_fit
from services.assigner.domain.venue_day import VenueDay


class MoveWriter(Protocol):
    async def bookings(
        self, venue_id: str, booking_ids: Sequence[UUID]
    ) -> dict[UUID, BookingView]: ...

    async def write(
        self, venue_id: str, moves: Sequence[PlannedMove], *, now: datetime, actor: str,
        strategy: str,
    ) -> Written: ...  # fmt: skip


class MoveReplays(Protocol):
    async def claim(
        self, venue_id: str, request_id: str, fingerprint: str
    ) -> list[MoveResult] | None: ...

    async def store(
        self, venue_id: str, request_id: str, fingerprint: str, results: list[MoveResult]
    ) -> None: ...

    async def abandon(self, venue_id: str, request_id: str) -> None: ...


class Days(Protocol):
    async def day(
        self, venue_id: str, start: datetime, end: datetime, excluding: UUID | None = None
    ) -> VenueDay: ...


@dataclass(frozen=True)
class NewAllocation:
    group_id: UUID
    table_ids: tuple[str, ...]


def fingerprint_of(request: MoveRequest) -> str:
    """A digest of the payload, to tell a replay from a reused request id."""
    payload = {
        "moves": [
            [str(o.booking_id), o.expected_version, list(o.table_ids)] for o in request.orders
        ],
        "reason": request.reason,
    }
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


@dataclass(frozen=True)
class Moves:
    """Applies MoveBookings: one transaction for the allocations, then one record per booking."""

    days: Days
    writer: MoveWriter
    recorder: TableRecorder
    replays: MoveReplays
    clock: Callable[[], datetime]

    async def move(
        self, request: MoveRequest, actor: str, on_behalf_of: str = ""
    ) -> list[MoveResult]:
        """The result of every move in request order; a replayed request id gets the first's.

        `on_behalf_of`, an ops caller's verified `authorization` value, lets the call seat
        bookings in manual review: they leave it as that caller (ResolveManualReview).
        """
        venue_id, request_id = request.venue_id, request.request_id
        fingerprint = fingerprint_of(request)
        stored = await self.replays.claim(venue_id, request_id, fingerprint)
        if stored is not None:
            return stored
        try:
            results = await to_the_end(self._move(request, actor, on_behalf_of))
        except BaseException:
            await self.replays.abandon(venue_id, request_id)
            raise
        await self.replays.store(venue_id, request_id, fingerprint, results)
        return results

    async def _move(self, request: MoveRequest, actor: str, on_behalf_of: str) -> list[MoveResult]:
        now = self.clock()
        found = await self.writer.bookings(request.venue_id, [o.booking_id for o in request.orders])
        day = await self._day(request.venue_id, found.values(), now)
        parties = {b: v.party_size for b, v in found.items()}
        check_moves_fit(request.orders, day.tables, parties, day.covers)
        results: dict[UUID, MoveResult] = {}
        planned: list[PlannedMove] = []
        for order in request.orders:
            booking = found.get(order.booking_id)
            skip = skip_of(
                order, booking, now=now, freeze=day.freeze_window, ops=bool(on_behalf_of)
            )
            if skip is not None or booking is None:
                results[order.booking_id] = skip or stale(order, "booking not found")
                continue
            breakdown = choice(_source(actor), request.reason, booking.party_size)
            planned.append(PlannedMove(
                order.booking_id, order.expected_version, tuple(sorted(order.table_ids)),
                booking.start, booking.end + day.buffer, breakdown, request.request_id,
            ))  # fmt: skip
        strategy = "optimizer" if _source(actor) == "optimizer" else "moved"
        written = await self.writer.write(
            request.venue_id, planned, now=now, actor=actor, strategy=strategy
        )
        results.update(self._skipped(written, planned))
        results.update(
            await self._record_all(written, planned, found, request.reason, on_behalf_of)
        )
        return [results[order.booking_id] for order in request.orders]

    async def _day(self, venue_id: str, found: Iterable[BookingView], now: datetime) -> VenueDay:
        bookings = list(found)
        start = min((b.start for b in bookings), default=now)
        end = max((b.end for b in bookings), default=now + timedelta(minutes=1))
        return await self.days.day(venue_id, start, end)

    @staticmethod
    def _skipped(written: Written, planned: list[PlannedMove]) -> dict[UUID, MoveResult]:
        skipped: dict[UUID, MoveResult] = {}
        for move in planned:
            if move.booking_id in written.stale:
                version = written.stale[move.booking_id]
                skipped[move.booking_id] = MoveResult(
                    move.booking_id, MoveOutcome.SKIPPED_STALE,
                    "booking changed while the move was written", version,
                )  # fmt: skip
            elif move.booking_id in written.conflicts:
                tables = written.conflicts[move.booking_id]
                skipped[move.booking_id] = MoveResult(
                    move.booking_id, MoveOutcome.SKIPPED_CONFLICT,
                    f"tables {tables} are taken over the booking's window", move.expected_version,
                )  # fmt: skip
        return skipped

    async def _record_all(
        self,
        written: Written,
        planned: list[PlannedMove],
        found: dict[UUID, BookingView],
        reason: str,
        on_behalf_of: str,
    ) -> dict[UUID, MoveResult]:
        """Record every applied move in the state service, concurrently; the first failure is
        raised once all have finished."""
        moves = [m for m in planned if m.booking_id in written.applied]
        outcomes = await asyncio.gather(
            *(
                self._record(
                    found[m.booking_id], written.applied[m.booking_id], m, reason, on_behalf_of
                )
                for m in moves
            ),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return {r.booking_id: r for r in outcomes if isinstance(r, MoveResult)}

    async def _record(
        self, view: BookingView, group_id: UUID, move: PlannedMove, reason: str, on_behalf_of: str
    ) -> MoveResult:
        accept: tuple[str, ...] = MOVING if view.state in MOVING else FIRST + MOVING
        if view.state == REVIEW:
            accept = (REVIEW, *MOVING)
        allocation = NewAllocation(group_id, move.table_ids)
        async with AllocationGuard(self.recorder.store, self.clock).recorded(group_id):
            recorded = await self.recorder.record(
                view, allocation, reason, accept, on_behalf_of=on_behalf_of
            )
        version = recorded.booking.version
        if not recorded.kept:
            detail = "booking changed while it was recorded; its new tables were released"
            return MoveResult(view.booking_id, MoveOutcome.SKIPPED_STALE, detail, version)
        return MoveResult(view.booking_id, MoveOutcome.APPLIED, "", version, group_id)


def _source(actor: str) -> str:
    """Who chose the tables, as allocations record it: the optimizer, or another service."""
    return "optimizer" if actor == "optimizer" else "requested"
