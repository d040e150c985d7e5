"""Holds and assignments as rows of the one allocations table; the exclusion constraint judges."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import TSTZRANGE, Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.adapters.allocation_reads import (
    Allocation,
    AllocationQuery,
    load_groups,
    page_groups,
)
from services.assigner.domain.errors import AllocationConflict, HoldExpired
from shared.db.schema import allocations

EXCLUSION = "allocations_no_overlap"

__all__ = ["Allocation", "AllocationQuery", "AllocationStore"]


def _span(start: datetime, end: datetime) -> Any:
    return func.tstzrange(literal(start), literal(end), "[)", type_=TSTZRANGE)


async def lock_booking(db: AsyncConnection, booking_id: uuid.UUID) -> None:
    """Serialise, until the transaction ends, the writers of one booking's allocations."""
    await db.execute(select(func.pg_advisory_xact_lock(func.hashtext(str(booking_id)))))


async def release_expired_holds(
    db: AsyncConnection, table_ids: Sequence[str], start: datetime, end: datetime, now: datetime
) -> None:
    """Expired holds never block anyone: release those in the way before writing."""
    await db.execute(
        update(allocations)
        .where(
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


class AllocationStore:
    """Writes and reads allocations, one transaction per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

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
        group_id = uuid.uuid4()
        async with self._engine.begin() as db:
            await release_expired_holds(db, table_ids, start, end, now)
            await insert_rows(
                db,
                allocation_rows(
                    group_id,
                    venue_id,
                    table_ids,
                    start,
                    end,
                    kind="HOLD",
                    booking_id=booking_id,
                    expire_time=now + ttl,
                    actor=actor,
                    strategy=strategy,
                    score_breakdown=json.loads(json.dumps(breakdown or {})),
                ),
            )
        return await self.get(group_id)  # type: ignore[return-value]

    async def assign(
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
    ) -> Allocation:
        """Allocate the tables to the booking; returns its live assignment if it already has one."""
        async with self._engine.begin() as db:
            await lock_booking(db, booking_id)  # one writer of a booking's allocation at a time
            existing = await self._live_group(db, booking_id, "ASSIGNMENT")
            if existing is None:
                existing = uuid.uuid4()
                await release_expired_holds(db, table_ids, start, end, now)
                await insert_rows(
                    db,
                    allocation_rows(
                        existing,
                        venue_id,
                        table_ids,
                        start,
                        end,
                        kind="ASSIGNMENT",
                        booking_id=booking_id,
                        actor=actor,
                        strategy=strategy,
                        score_breakdown=json.loads(json.dumps(breakdown)),
                    ),
                )
        return await self.get(existing)  # type: ignore[return-value]

    async def extend_hold(self, group_id: uuid.UUID, ttl: timedelta, now: datetime) -> Allocation:
        async with self._engine.begin() as db:
            changed = await db.execute(
                update(allocations)
                .where(*self._live_hold(group_id, now))
                .values(expire_time=now + ttl)
            )
            if changed.rowcount == 0:
                raise HoldExpired(hold_id=group_id)
        return await self.get(group_id)  # type: ignore[return-value]

    async def release_hold(self, group_id: uuid.UUID, now: datetime) -> bool:
        """Release a hold; False when it was not live (releasing twice is not an error)."""
        async with self._engine.begin() as db:
            changed = await db.execute(
                update(allocations)
                .where(
                    allocations.c.group_id == group_id,
                    allocations.c.kind == "HOLD",
                    allocations.c.release_time.is_(None),
                )
                .values(release_time=now)
            )
        return bool(changed.rowcount)

    async def confirm_hold(
        self, group_id: uuid.UUID, booking_id: uuid.UUID, now: datetime, actor: str
    ) -> Allocation:
        """Turn a live hold into the booking's assignment, atomically (same rows, same window)."""
        async with self._engine.begin() as db:
            changed = await db.execute(
                update(allocations)
                .where(*self._live_hold(group_id, now))
                .values(
                    kind="ASSIGNMENT",
                    booking_id=booking_id,
                    expire_time=None,
                    actor=actor,
                    strategy="hold",
                )
            )
            if changed.rowcount == 0:
                raise HoldExpired(hold_id=group_id)
        return await self.get(group_id)  # type: ignore[return-value]

    async def release_booking(self, booking_id: uuid.UUID, now: datetime) -> int:
        async with self._engine.begin() as db:
            changed = await db.execute(
                update(allocations)
                .where(allocations.c.booking_id == booking_id, allocations.c.release_time.is_(None))
                .values(release_time=now)
            )
        return int(changed.rowcount)

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
        """Move the booking to these tables: its live assignment is released and the new one
        written in one transaction, or nothing changes (AllocationConflict). Returns both."""
        group_id = uuid.uuid4()
        async with self._engine.begin() as db:
            # Two replacements of one booking must not both see the old group and both insert.
            await lock_booking(db, booking_id)
            previous = await self._live_group(db, booking_id, "ASSIGNMENT")
            if previous is not None:
                await db.execute(
                    update(allocations)
                    .where(allocations.c.group_id == previous, allocations.c.release_time.is_(None))
                    .values(release_time=now)
                )
            await release_expired_holds(db, table_ids, start, end, now)
            await insert_rows(
                db,
                allocation_rows(
                    group_id, venue_id, table_ids, start, end, kind="ASSIGNMENT",
                    booking_id=booking_id, actor=actor, strategy=strategy,
                    score_breakdown=json.loads(json.dumps(breakdown)),
                ),
            )  # fmt: skip
        new = await self.get(group_id)
        assert new is not None
        return new, (await self.get(previous)) if previous else None

    async def release_allocation(self, group_id: uuid.UUID, now: datetime) -> bool:
        """Release one allocation of any kind; False when it was not in force."""
        async with self._engine.begin() as db:
            changed = await db.execute(
                update(allocations)
                .where(allocations.c.group_id == group_id, allocations.c.release_time.is_(None))
                .values(release_time=now)
            )
        return bool(changed.rowcount)

    async def sweep_expired_holds(self, now: datetime) -> int:
        """Release every expired hold (they already stopped counting; this tidies the rows)."""
        async with self._engine.begin() as db:
            changed = await db.execute(
                update(allocations)
                .where(
                    allocations.c.kind == "HOLD",
                    allocations.c.release_time.is_(None),
                    allocations.c.expire_time <= now,
                )
                .values(release_time=now)
            )
        return int(changed.rowcount)

    async def live_assignment(self, booking_id: uuid.UUID) -> Allocation | None:
        async with self._engine.connect() as db:
            group = await self._live_group(db, booking_id, "ASSIGNMENT")
        return await self.get(group) if group else None

    async def get(self, group_id: uuid.UUID) -> Allocation | None:
        async with self._engine.connect() as db:
            found = await load_groups(db, [group_id])
        return found[0] if found else None

    async def page(
        self, query: AllocationQuery, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Allocation]:
        """Allocations matching `query` by window start then id, resuming after `after`."""
        async with self._engine.connect() as db:
            return await page_groups(db, query, after, limit)

    @staticmethod
    def _live_hold(group_id: uuid.UUID, now: datetime) -> list[Any]:
        return [
            allocations.c.group_id == group_id,
            allocations.c.kind == "HOLD",
            allocations.c.release_time.is_(None),
            allocations.c.expire_time > now,
        ]

    @staticmethod
    async def _live_group(
        db: AsyncConnection, booking_id: uuid.UUID, kind: str
    ) -> uuid.UUID | None:
        found = await db.scalar(
            select(allocations.c.group_id)
            .where(
                allocations.c.booking_id == booking_id,
                allocations.c.kind == kind,
                allocations.c.release_time.is_(None),
            )
            .limit(1)
        )
        return found
