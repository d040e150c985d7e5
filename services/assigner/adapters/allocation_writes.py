"""Statements every allocation writer runs in its transaction; the exclusion constraint judges."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, Update, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY, TIMESTAMP, TSTZRANGE, Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assigner.adapters.read_only_tables import bookings, venue_change_versions
from services.assigner.adapters.tables import allocations
from services.assigner.domain.errors import AllocationConflict, BookingNotReady

EXCLUSION = "allocations_no_overlap"
# Migration 0012's trigger: a live assignment only for a booking that can hold tables.
BOOKING_TAKES_TABLES = "allocations_booking_takes_tables"


# Built once, as every allocation writer takes them.
LOCK_BOOKING = (
    select(bookings.c.version)
    .where(bookings.c.booking_id == bindparam("booking_id"))
    .with_for_update(read=True)
)
LOCK_VENUES = (
    select(venue_change_versions.c.venue_id)
    .where(venue_change_versions.c.venue_id == any_(bindparam("venue_ids", type_=ARRAY(Text))))
    .order_by(venue_change_versions.c.venue_id)
    .with_for_update()
)


async def lock_booking(db: AsyncConnection, booking_id: uuid.UUID, venue_id: str) -> int | None:
    """Hold the booking's row FOR SHARE, then its venue's version row FOR UPDATE, until the
    transaction ends: the lock order every allocation writer keeps (see `lock_venues`), so a
    writer locks the booking before the venue as the state service's update (with migration
    0008's and 0010's triggers after it) does, and two writers of one booking take turns.
    Returns the booking's version, which cannot change until the transaction ends."""
    version = await db.scalar(LOCK_BOOKING, {"booking_id": booking_id})
    await lock_venues(db, (venue_id,))
    return version


async def share_bookings(db: AsyncConnection, booking_ids: Iterable[uuid.UUID]) -> None:
    """Hold the bookings' rows FOR SHARE, in id order; a writer of several bookings takes them
    all before its venue's version row, never one after it."""
    for booking_id in sorted(set(booking_ids), key=str):
        await db.execute(
            select(bookings.c.state)
            .where(bookings.c.booking_id == booking_id)
            .with_for_update(read=True)
        )


async def lock_venues(db: AsyncConnection, venue_ids: Iterable[str]) -> None:
    """Lock the venues' version rows (migration 0008) FOR UPDATE, in venue order, before any
    allocation is written: the writers of one venue then take turns.

    Without it two writers deadlock: asyncpg inserts a group's rows one statement each, and
    0008's AFTER trigger takes the version row after the first; a rival that already holds the
    version row and whose next row meets that first one on the exclusion constraint waits for
    it, while it waits for the version row. The version row is locked by the first write of the
    venue anyway, until commit, so taking it before the writes costs no concurrency. A venue
    that has no version row yet (none before 0008 wrote to it) is not locked.
    """
    wanted = sorted(set(venue_ids))
    if wanted:
        await db.execute(LOCK_VENUES, {"venue_ids": wanted})


async def lock_venues_of(db: AsyncConnection, venue_ids: Select[Any]) -> None:
    """Lock the version rows of the venues the query names, as `lock_venues` does, when the
    writer knows its rows but not their venues (a group by id, a sweep)."""
    await db.execute(
        select(venue_change_versions.c.venue_id)
        .where(venue_change_versions.c.venue_id.in_(venue_ids))
        .order_by(venue_change_versions.c.venue_id)
        .with_for_update()
    )


def group_venue(group_id: uuid.UUID) -> Select[Any]:
    """The venue of an allocation group, as a query for `lock_venues_of`."""
    return select(allocations.c.venue_id).where(allocations.c.group_id == group_id).limit(1)


def refused_booking(error: IntegrityError, booking_id: object) -> BookingNotReady | None:
    """The domain error for a write the database refused because the booking cannot take
    tables (it ended or moved on meanwhile), or None for any other integrity error."""
    driver_error = getattr(error.orig, "__cause__", None)  # asyncpg's, under SQLAlchemy's
    if getattr(driver_error, "constraint_name", None) == BOOKING_TAKES_TABLES:
        return BookingNotReady("booking_moved", booking_id=booking_id)
    return None


def _release_expired_holds() -> Update:
    now = bindparam("now", type_=TIMESTAMP(timezone=True))
    span = func.tstzrange(
        bindparam("start", type_=TIMESTAMP(timezone=True)),
        bindparam("end", type_=TIMESTAMP(timezone=True)),
        "[)",
        type_=TSTZRANGE,
    )
    return (
        update(allocations)
        .where(
            allocations.c.venue_id == bindparam("in_venue"),
            allocations.c.table_id == any_(bindparam("in_tables", type_=ARRAY(Text))),
            allocations.c.kind == "HOLD",
            allocations.c.release_time.is_(None),
            allocations.c.expire_time <= now,
            allocations.c.during.op("&&")(span),
        )
        .values(release_time=now)
    )


# Built once: every allocation write runs it (a statement built per call costs its cache key).
RELEASE_EXPIRED_HOLDS = _release_expired_holds()


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
    values = {
        "in_venue": venue_id,
        "in_tables": list(table_ids),
        "start": start,
        "end": end,
        "now": now,
    }
    await db.execute(RELEASE_EXPIRED_HOLDS, values)


async def insert_rows(db: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Insert one group's rows; a refusal is raised as the domain's error.

    No savepoint: a refused insert aborts the transaction, and every caller lets the error end
    it (a rollback), so a savepoint's two round trips, inside the venue's lock, bought nothing.
    """
    try:
        await db.execute(allocations.insert(), rows)
    except IntegrityError as error:
        booking_id = rows[0].get("booking_id") if rows else None
        refused = refusal(error, [row["table_id"] for row in rows], booking_id)
        if refused is None:
            raise
        raise refused from error


def refusal(
    error: IntegrityError, table_ids: Sequence[str], booking_id: object
) -> AllocationConflict | BookingNotReady | None:
    """The domain error for an allocation write the database refused: a rival holds one of the
    tables, or the booking cannot take tables; None for any other integrity error."""
    if EXCLUSION in str(error.orig):
        return AllocationConflict(tables=",".join(sorted(set(table_ids))))
    return refused_booking(error, booking_id)


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
