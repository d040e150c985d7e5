"""Holds and assignments as rows of the one allocations table; the exclusion constraint judges."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import TSTZRANGE, Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.domain.errors import AllocationConflict, HoldExpired
from shared.db.schema import allocations

EXCLUSION = "allocations_no_overlap"


@dataclass(frozen=True)
class Allocation:
    """One hold or assignment: a group of table rows sharing a window."""

    group_id: uuid.UUID
    venue_id: str
    booking_id: uuid.UUID | None
    table_ids: tuple[str, ...]
    kind: str
    start: datetime
    end: datetime
    expire_time: datetime | None
    actor: str
    strategy: str


def _span(start: datetime, end: datetime) -> Any:
    return func.tstzrange(literal(start), literal(end), "[)", type_=TSTZRANGE)


async def _release_expired_holds(
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


async def _insert(db: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    try:
        async with db.begin_nested():
            await db.execute(allocations.insert(), rows)
    except IntegrityError as error:
        if EXCLUSION in str(error.orig):
            tables = ",".join(sorted({row["table_id"] for row in rows}))
            raise AllocationConflict(tables=tables) from error
        raise


def _rows(
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
    ) -> Allocation:
        """Reserve the tables over [start, end) until now + ttl; AllocationConflict if taken."""
        group_id = uuid.uuid4()
        async with self._engine.begin() as db:
            await _release_expired_holds(db, table_ids, start, end, now)
            await _insert(
                db,
                _rows(
                    group_id,
                    venue_id,
                    table_ids,
                    start,
                    end,
                    kind="HOLD",
                    booking_id=booking_id,
                    expire_time=now + ttl,
                    actor=actor,
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
            existing = await self._live_group(db, booking_id, "ASSIGNMENT")
            if existing is None:
                existing = uuid.uuid4()
                await _release_expired_holds(db, table_ids, start, end, now)
                await _insert(
                    db,
                    _rows(
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
            rows = (
                (
                    await db.execute(
                        select(
                            allocations,
                            func.lower(allocations.c.during).label("start"),
                            func.upper(allocations.c.during).label("end"),
                        )
                        .where(allocations.c.group_id == group_id)
                        .order_by(allocations.c.table_id)
                    )
                )
                .mappings()
                .all()
            )
        if not rows:
            return None
        first = rows[0]
        return Allocation(
            group_id=group_id,
            venue_id=first["venue_id"],
            booking_id=first["booking_id"],
            table_ids=tuple(r["table_id"] for r in rows),
            kind=first["kind"],
            start=first["start"],
            end=first["end"],
            expire_time=first["expire_time"],
            actor=first["actor"],
            strategy=first["strategy"],
        )

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
