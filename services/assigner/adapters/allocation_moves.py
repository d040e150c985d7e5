"""Writes several bookings' new assignments in one transaction: all released, then all inserted."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.adapters.allocation_writes import (
    allocation_rows,
    insert_rows,
    lock_venues,
    release_expired_holds,
    share_bookings,
)
from services.assigner.adapters.read_only_tables import bookings
from services.assigner.adapters.tables import allocations
from services.assigner.domain.booking import BookingView
from services.assigner.domain.errors import AllocationConflict
from services.assigner.domain.moves import PlannedMove, Written

DEADLOCK = "40P01"
DEADLOCK_RETRIES = 3


class _Clash(Exception):
    def __init__(self, booking_id: uuid.UUID, tables: str) -> None:
        super().__init__(f"{booking_id}: {tables}")
        self.booking_id = booking_id
        self.tables = tables


def _view(row: Any) -> BookingView:
    return BookingView(
        booking_id=row.booking_id,
        venue_id=row.venue_id,
        state=row.state,
        version=row.version,
        party_size=row.party_size,
        start=row.start_time,
        end=row.end_time,
        preferred_zone_id=row.preferred_zone_id,
        table_ids=tuple(row.table_ids or ()),
        display_status=row.display_status,
        pinned=row.pinned,
        state_reason=row.state_reason,
    )


class AllocationMoves:
    """Moves bookings' assignments together, so swaps and chains never meet their own old rows.

    The bookings' rows (the state service's) are only read, FOR SHARE: a booking cannot change
    between the version check and the write, and one that changed is left alone.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def bookings(
        self, venue_id: str, booking_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, BookingView]:
        """The venue's bookings with these ids, as the state service last wrote them."""
        async with self._engine.connect() as db:
            rows = await db.execute(
                select(bookings).where(
                    bookings.c.venue_id == venue_id, bookings.c.booking_id.in_(list(booking_ids))
                )
            )
            return {row.booking_id: _view(row) for row in rows}

    async def write(
        self,
        venue_id: str,
        moves: Sequence[PlannedMove],
        *,
        now: datetime,
        actor: str,
        strategy: str,
    ) -> Written:
        """Apply every move still at its version; a move whose tables are taken is dropped (it
        keeps its old tables) and the rest written again, until one transaction commits."""
        remaining, conflicts, deadlocks = list(moves), dict[uuid.UUID, str](), 0
        while remaining:
            try:
                async with self._engine.begin() as db:
                    applied, stale = await self._write_once(
                        db, venue_id, remaining, now, actor, strategy
                    )
                return Written(applied, stale, conflicts)
            except _Clash as clash:
                conflicts[clash.booking_id] = clash.tables
                remaining = [m for m in remaining if m.booking_id != clash.booking_id]
            except DBAPIError as error:
                deadlocks += 1
                if (
                    getattr(error.orig, "sqlstate", None) != DEADLOCK
                    or deadlocks > DEADLOCK_RETRIES
                ):
                    raise
        return Written({}, {}, conflicts)

    @staticmethod
    async def _write_once(
        db: AsyncConnection,
        venue_id: str,
        moves: list[PlannedMove],
        now: datetime,
        actor: str,
        strategy: str,
    ) -> tuple[dict[uuid.UUID, uuid.UUID], dict[uuid.UUID, int]]:
        fresh, stale = await _still_fresh(db, venue_id, moves)
        if fresh:
            await db.execute(
                update(allocations)
                .where(
                    allocations.c.booking_id.in_([m.booking_id for m in fresh]),
                    allocations.c.kind == "ASSIGNMENT",
                    allocations.c.release_time.is_(None),
                )
                .values(release_time=now)
            )
        applied: dict[uuid.UUID, uuid.UUID] = {}
        for move in fresh:
            group_id = uuid.uuid4()
            await release_expired_holds(db, venue_id, move.table_ids, move.start, move.end, now)
            breakdown = {
                **move.breakdown,
                "booking_version": move.expected_version,
                "request_id": move.request_id,
            }
            rows = allocation_rows(
                group_id,
                venue_id,
                move.table_ids,
                move.start,
                move.end,
                kind="ASSIGNMENT",
                booking_id=move.booking_id,
                actor=actor,
                strategy=strategy,
                score_breakdown=json.loads(json.dumps(breakdown)),
            )
            try:
                await insert_rows(db, rows)
            except AllocationConflict as clash:
                raise _Clash(move.booking_id, str(clash.params.get("tables", ""))) from clash
            applied[move.booking_id] = group_id
        return applied, stale


async def _still_fresh(
    db: AsyncConnection, venue_id: str, moves: list[PlannedMove]
) -> tuple[list[PlannedMove], dict[uuid.UUID, int]]:
    """The moves whose bookings are still at the planned version, their rows locked FOR SHARE
    until the transaction ends, and the versions of the rest."""
    ids = sorted({m.booking_id for m in moves}, key=str)
    # In one order everywhere, so two calls never wait on each other: every booking, then the
    # venue (a cancel holds its booking when it comes to the venue's version row).
    await share_bookings(db, ids)
    await lock_venues(db, (venue_id,))
    found = await db.execute(
        select(bookings.c.booking_id, bookings.c.version, bookings.c.table_ids)
        .where(bookings.c.venue_id == venue_id, bookings.c.booking_id.in_(ids))
        .order_by(bookings.c.booking_id)
        .with_for_update(read=True)
    )
    rows = {row.booking_id: row for row in found}
    pending = await _unrecorded(
        db, {b: (r.version, sorted(r.table_ids or ())) for b, r in rows.items()}
    )

    def fresh(move: PlannedMove) -> bool:
        row = rows.get(move.booking_id)
        if row is None or row.version != move.expected_version:
            return False
        return pending.get(move.booking_id) in (None, move.request_id)

    kept = [m for m in moves if fresh(m)]
    stale = {
        m.booking_id: rows[m.booking_id].version if m.booking_id in rows else 0
        for m in moves
        if not fresh(m)
    }
    return kept, stale


async def _unrecorded(
    db: AsyncConnection, recorded: dict[uuid.UUID, tuple[int, list[str]]]
) -> dict[uuid.UUID, str]:
    """The request ids of moves committed at the bookings' current versions whose tables the
    state service does not show yet: recording them bumps the version, so until then the
    booking has changed for any other call (a retry of the same request may redo it)."""
    live = await db.execute(
        select(
            allocations.c.booking_id, allocations.c.table_id, allocations.c.score_breakdown
        ).where(
            allocations.c.booking_id.in_(list(recorded)),
            allocations.c.kind == "ASSIGNMENT",
            allocations.c.release_time.is_(None),
        )
    )
    tables: dict[uuid.UUID, list[str]] = {}
    marks: dict[uuid.UUID, dict[str, Any]] = {}
    for row in live:
        tables.setdefault(row.booking_id, []).append(row.table_id)
        marks[row.booking_id] = dict(row.score_breakdown or {})
    return {
        booking_id: str(mark.get("request_id", ""))
        for booking_id, mark in marks.items()
        if mark.get("booking_version") == recorded[booking_id][0]
        and sorted(tables[booking_id]) != recorded[booking_id][1]
    }
