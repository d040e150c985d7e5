"""Reads allocation groups from PostgreSQL: one by id, a booking's live one, or a page in order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import TSTZRANGE
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assigner.adapters.read_only_tables import bookings
from services.assigner.adapters.tables import allocations
from services.assigner.domain.allocation import Allocation, AllocationQuery


def _rows_query() -> Select[Any]:
    return select(
        allocations,
        func.lower(allocations.c.during).label("start"),
        func.upper(allocations.c.during).label("end"),
        bookings.c.party_size.label("booking_party_size"),
    ).select_from(
        allocations.outerjoin(bookings, bookings.c.booking_id == allocations.c.booking_id)
    )


def allocation_of(group_id: uuid.UUID, rows: Sequence[Any]) -> Allocation:
    """The allocation of a group's rows (mappings, in table order), as `load_groups` reads them."""
    first = rows[0]
    breakdown = dict(first["score_breakdown"] or {})
    party = first["booking_party_size"] or breakdown.get("party_size") or 0
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
        breakdown=breakdown,
        create_time=first["create_time"],
        release_time=first["release_time"],
        party_size=int(party),
    )


async def load_groups(db: AsyncConnection, group_ids: Sequence[uuid.UUID]) -> list[Allocation]:
    """The allocations with these ids, in the order given; unknown ids are left out."""
    if not group_ids:
        return []
    result = await db.execute(
        _rows_query()
        .where(allocations.c.group_id.in_(list(group_ids)))
        .order_by(allocations.c.group_id, allocations.c.table_id)
    )
    grouped: dict[uuid.UUID, list[Any]] = {}
    for row in result.mappings():
        grouped.setdefault(row["group_id"], []).append(row)
    return [allocation_of(g, grouped[g]) for g in group_ids if g in grouped]


def _filters(query: AllocationQuery) -> list[Any]:
    found: list[Any] = [allocations.c.venue_id == query.venue_id]
    if query.booking_id is not None:
        found.append(allocations.c.booking_id == query.booking_id)
    if query.kinds:
        found.append(allocations.c.kind.in_(sorted(query.kinds)))
    if query.window is not None:
        start, end = query.window
        span = func.tstzrange(literal(start), literal(end), "[)", type_=TSTZRANGE)
        found.append(allocations.c.during.op("&&")(span))
    if not query.include_released:
        found.append(allocations.c.release_time.is_(None))
        found.append((allocations.c.kind != "HOLD") | (allocations.c.expire_time > query.now))
    if query.request_id:
        found.append(allocations.c.score_breakdown["request_id"].astext == query.request_id)
    return found


async def page_groups(
    db: AsyncConnection,
    query: AllocationQuery,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Allocation]:
    """At most `limit` allocations matching `query`, by window start then id, after `after`."""
    groups = (
        select(
            allocations.c.group_id.label("group_id"),
            func.min(func.lower(allocations.c.during)).label("start"),
        )
        .where(*_filters(query))
        .group_by(allocations.c.group_id)
        .subquery()
    )
    page = select(groups.c.group_id).order_by(groups.c.start, groups.c.group_id).limit(limit)
    if after is not None:
        page = page.where(
            tuple_(groups.c.start, groups.c.group_id) > tuple_(literal(after[0]), literal(after[1]))
        )
    ids = list((await db.execute(page)).scalars())
    return await load_groups(db, ids)


class AllocationReads:
    """Reads allocations, one connection per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

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
