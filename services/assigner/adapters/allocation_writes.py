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

from services.assigner.domain.errors import AllocationConflict
from shared.db.schema import allocations

EXCLUSION = "allocations_no_overlap"


def _span(start: datetime, end: datetime) -> Any:
    return func.tstzrange(literal(start), literal(end), "[)", type_=TSTZRANGE)


async def lock_booking(db: AsyncConnection, booking_id: uuid.UUID) -> None:
    """Serialise, until the transaction ends, the writers of one booking's allocations."""
    await db.execute(select(func.pg_advisory_xact_lock(func.hashtext(str(booking_id)))))


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
