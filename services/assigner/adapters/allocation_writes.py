"""Statements every allocation writer runs in its transaction; the exclusion constraint judges."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import TSTZRANGE, Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assigner.adapters.read_only_tables import bookings
from services.assigner.adapters.tables import allocations
from services.assigner.domain.errors import AllocationConflict, BookingNotReady

EXCLUSION = "allocations_no_overlap"
# Migration 0012's trigger: a live assignment only for a booking that can hold tables.
BOOKING_TAKES_TABLES = "allocations_booking_takes_tables"


def _span(start: datetime, end: datetime) -> Any:
    return func.tstzrange(literal(start), literal(end), "[)", type_=TSTZRANGE)


async def lock_booking(db: AsyncConnection, booking_id: uuid.UUID) -> None:
    """Serialise, until the transaction ends, the writers of one booking's allocations, and
    hold its row FOR SHARE first, so a writer always locks the booking before its allocations
    as the state service's update (and migration 0010's trigger after it) does: never a
    deadlock between a write and a cancel."""
    await db.execute(select(func.pg_advisory_xact_lock(func.hashtext(str(booking_id)))))
    await db.execute(
        select(bookings.c.state)
        .where(bookings.c.booking_id == booking_id)
        .with_for_update(read=True)
    )


def refused_booking(error: IntegrityError, booking_id: object) -> BookingNotReady | None:
    """The domain error for a write the database refused because the booking cannot take
    tables (it ended or moved on meanwhile), or None for any other integrity error."""
    driver_error = getattr(error.orig, "__cause__", None)  # asyncpg's, under SQLAlchemy's
    if getattr(driver_error, "constraint_name", None) == BOOKING_TAKES_TABLES:
        return BookingNotReady("booking_moved", booking_id=booking_id)
    return None


async def release_expired_holds(
    db: AsyncConnection,
    venue_id: str,
    table_ids: Sequence[str],
    start: datetime,
    end: datetime,
    now: datetime,
) -> None:
    """Expired holds never block anyone: release those in the way before writing.

    Table ids are unique within a venue only, so only this venue's holds are in the way.
    """
    await db.execute(
        update(allocations)
        .where(
            allocations.c.venue_id == venue_id,
            allocations.c.table_id.in_(list(table_ids)),
            allocations.c.kind == "HOLD",
            allocations.c.release_time.is_(None),
            allocations.c.expire_time <= now,
            allocations.c.during.op("&&")(_span(start, end)),
        )
        .values(release_time=now)
    )


async def insert_rows(db: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    try:
        async with db.begin_nested():
            await db.execute(allocations.insert(), rows)
    except IntegrityError as error:
        if EXCLUSION in str(error.orig):
            tables = ",".join(sorted({row["table_id"] for row in rows}))
            raise AllocationConflict(tables=tables) from error
        refused = refused_booking(error, rows[0].get("booking_id") if rows else None)
        if refused is not None:
            raise refused from error
        raise


def allocation_rows(
    group_id: uuid.UUID,
    venue_id: str,
    table_ids: Sequence[str],
    start: datetime,
    end: datetime,
    **extra: Any,
) -> list[dict[str, Any]]:
    return [
        {
            "group_id": group_id,
            "venue_id": venue_id,
            "table_id": table_id,
            "during": Range(start, end, bounds="[)"),
            **extra,
        }
        for table_id in sorted(table_ids)
    ]
