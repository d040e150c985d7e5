"""Use cases of holds: place one on named tables or the engine's best plan, extend, release."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from services.assigner.application.assign import EngineAssigner, breakdown, winning_strategy
from services.assigner.application.ports import AllocationStore
from services.assigner.application.quotes import party_view
from services.assigner.domain.allocation import Allocation, AllocationQuery
from services.assigner.domain.errors import AllocationConflict, NoCapacity, NotAHold
from services.assigner.domain.validation import check_tables_fit, ttl_of
from services.assigner.domain.venue_day import VenueDay
from shared.domain_errors import NotFound, RequestIdReused


@dataclass(frozen=True)
class HoldOrder:
    """A hold to place: named tables, or a party size for the engine to find tables for."""

    venue_id: str
    start: datetime
    end: datetime  # the party's end; the hold also blocks the venue's cleaning buffer after it
    table_ids: tuple[str, ...]
    party_size: int  # 0 when not given (only allowed with named tables)
    ttl: timedelta | None
    request_id: str
    booking_id: UUID | None
    actor: str


class Holds:
    """Places, extends and releases holds; the database refuses any overlap."""

    def __init__(
        self, *, assigner: EngineAssigner, store: AllocationStore, clock: Callable[[], datetime]
    ) -> None:
        self._assigner = assigner
        self._store = store
        self._clock = clock

    async def place(self, order: HoldOrder) -> Allocation:
        """The new hold, or the one an earlier call with the same request_id placed."""
        replay = await self._replay(order)
        if replay is not None:
            return replay
        try:
            if order.table_ids:
                day = await self._assigner.day(order.venue_id, order.start, order.end)
                check_tables_fit(order.table_ids, day.tables, order.party_size or None, day.covers)
                return await self._hold(order, order.table_ids, day, {"source": "requested"})
            return await self._engine_hold(order)
        except AllocationConflict:
            replay = await self._replay(order)  # a twin call won the race: answer as it did
            if replay is None:
                raise
            return replay

    async def extend(self, venue_id: str, hold_id: UUID, ttl: timedelta | None) -> Allocation:
        hold = await self._hold_of(venue_id, hold_id)
        day = await self._assigner.day(venue_id, hold.start, hold.end)
        return await self._store.holds.extend_hold(
            hold_id, ttl_of(ttl, day.hold_ttl), self._clock()
        )

    async def release(self, venue_id: str, hold_id: UUID) -> Allocation:
        """The hold, released now unless it already was (or had expired)."""
        hold = await self._hold_of(venue_id, hold_id)
        now = self._clock()
        if hold.release_time is not None or (hold.expire_time and hold.expire_time <= now):
            return hold  # already released or lapsed: nothing to change
        await self._store.holds.release_hold(hold_id, now)
        released = await self._store.reads.get(hold_id)
        assert released is not None
        return released

    async def _hold_of(self, venue_id: str, hold_id: UUID) -> Allocation:
        hold = await self._store.reads.get(hold_id)
        if hold is None or hold.venue_id != venue_id:
            raise NotFound(resource="Hold", id=hold_id)
        if hold.kind != "HOLD":
            raise NotAHold(hold_id=hold_id)
        return hold

    async def _engine_hold(self, order: HoldOrder) -> Allocation:
        view = party_view(order.venue_id, order.party_size, order.start, order.end, None)
        plans, day = await self._assigner.plans(view)
        for plan in plans:
            kept = {"source": "engine", "strategy": winning_strategy(plan), **breakdown(plan)}
            try:
                return await self._hold(order, plan.table_ids, day, kept)
            except AllocationConflict:
                continue  # a rival took a table since we read the floor: next plan
        raise NoCapacity(booking_id=order.booking_id or "", party_size=order.party_size)

    async def _hold(
        self, order: HoldOrder, table_ids: tuple[str, ...], day: VenueDay, kept: dict[str, Any]
    ) -> Allocation:
        if order.party_size:
            kept["party_size"] = order.party_size
        if order.request_id:
            kept["request_id"] = order.request_id
        return await self._store.holds.place_hold(
            order.venue_id, table_ids, order.start, order.end + day.buffer,
            ttl=ttl_of(order.ttl, day.hold_ttl), now=self._clock(), actor=order.actor,
            booking_id=order.booking_id, strategy=str(kept.get("strategy", "")), breakdown=kept,
        )  # fmt: skip

    async def _replay(self, order: HoldOrder) -> Allocation | None:
        """The allocation an earlier call with this request_id made; it must ask the same."""
        if not order.request_id:
            return None
        query = AllocationQuery(
            order.venue_id, self._clock(), include_released=True, request_id=order.request_id
        )
        found = await self._store.reads.page(query, None, 1)
        if not found:
            return None
        earlier = found[0]
        same_tables = not order.table_ids or set(order.table_ids) == set(earlier.table_ids)
        if not same_tables or earlier.start != order.start:
            raise RequestIdReused(request_id=order.request_id)
        return earlier
