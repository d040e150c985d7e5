"""Bookings, history, outbox and idempotency keys in PostgreSQL (SQLAlchemy Core)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CTE, BindParameter, Table, and_, bindparam, literal, select, tuple_
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from services.state.adapters.pending_writes import PendingWrites
from services.state.adapters.tables import (
    booking_state_history,
    bookings,
    demand_counts,
    demand_date_counts,
    demand_days,
    idempotency_keys,
    outbox,
)
from services.state.application.ports import BookingQuery, RequestAlreadyStored, StoredRequest
from services.state.domain.demand import DemandRequest
from services.state.domain.model import Booking, BookingEvent, StateChange
from services.state.domain.states import BookingState
from shared.db.compiled_once import CompiledOnce
from shared.tracing import current_carrier


def _row_values(booking: Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "venue_id": booking.venue_id,
        "party_size": booking.party_size,
        "start_time": booking.start_time,
        "end_time": booking.end_time,
        "state": booking.state.value,
        "display_status": booking.display_status.value,
        "version": booking.version,
        "guest_reference": booking.guest_reference,
        "notes": booking.notes,
        "preferred_zone_id": booking.preferred_zone_id,
        "pinned": booking.pinned,
        "table_ids": list(booking.table_ids),
        "state_reason": booking.state_reason,
        "request_id": booking.request_id,
        "create_time": booking.create_time,
        "update_time": booking.update_time,
    }


def _from_values(values: dict[str, Any]) -> Booking:
    return Booking(
        booking_id=UUID(str(values["booking_id"])),
        venue_id=values["venue_id"],
        party_size=values["party_size"],
        start_time=values["start_time"],
        end_time=values["end_time"],
        state=BookingState(values["state"]),
        version=values["version"],
        guest_reference=values["guest_reference"],
        notes=values["notes"],
        preferred_zone_id=values["preferred_zone_id"],
        pinned=values["pinned"],
        table_ids=tuple(values["table_ids"]),
        state_reason=values["state_reason"],
        request_id=values["request_id"],
        create_time=values["create_time"],
        update_time=values["update_time"],
    )


def _snapshot(booking: Booking) -> bytes:
    values = _row_values(booking)
    return json.dumps(values, default=str).encode()


def _from_snapshot(data: bytes) -> Booking:
    values = json.loads(data)
    for name in ("start_time", "end_time", "create_time", "update_time"):
        values[name] = datetime.fromisoformat(values[name])
    return _from_values(values)


# The statements of every write, built once and bound per call (SQLAlchemy caches their SQL).
GET = select(bookings).where(
    bookings.c.booking_id == bindparam("key_booking_id"),
    bookings.c.venue_id == bindparam("key_venue_id"),
)


def _count_request(
    table: Table, key: tuple[str, ...], name: str, also: tuple[str, ...] = ()
) -> CTE:
    """One more request in `table`'s row at `key`, as a data-modifying CTE; every column is
    bound as `demand_<column>`."""
    columns: dict[str, BindParameter[Any]] = {
        column: bindparam(f"demand_{column}") for column in (*key, *also)
    }
    return (
        postgresql.insert(table)
        .values(**columns, requests=1)
        .on_conflict_do_update(index_elements=list(key), set_={"requests": table.c.requests + 1})
        .cte(name)
    )


# The request's demand count rides with the booking's INSERT as data-modifying CTEs.
COUNT_REQUEST = _count_request(
    demand_date_counts,
    ("venue_id", "service_date", "slot_minute", "party_size", "lead_bucket"),
    "counted_request",
    also=("weekday",),
)
# Still written beside it until a contract migration drops it: a process from before 0023 reads
# its forecast from these weekday counts during a rolling deploy, and a downgrade keeps them.
COUNT_WEEKDAY_REQUEST = _count_request(
    demand_counts,
    ("venue_id", "weekday", "slot_minute", "party_size", "lead_bucket"),
    "counted_weekday_request",
)
NOTE_DAY = (
    postgresql.insert(demand_days)
    .values(
        venue_id=bindparam("demand_venue_id"),
        service_date=bindparam("demand_service_date"),
        weekday=bindparam("demand_weekday"),
    )
    .on_conflict_do_nothing(index_elements=["venue_id", "service_date"])
    .cte("noted_day")
)
DEMAND_WRITES = (COUNT_REQUEST, COUNT_WEEKDAY_REQUEST, NOTE_DAY)
# ON CONFLICT has no cache key: compiled once here, not on every CreateBooking.
ADD_REQUEST = CompiledOnce(
    postgresql.insert(idempotency_keys)
    .on_conflict_do_nothing(index_elements=["venue_id", "request_id"])
    .returning(idempotency_keys.c.request_id),
    ("venue_id", "request_id", "request_hash", "booking_id", "response"),
)
FIND_REQUEST = select(idempotency_keys.c.request_hash, idempotency_keys.c.response).where(
    idempotency_keys.c.venue_id == bindparam("venue_id"),
    idempotency_keys.c.request_id == bindparam("request_id"),
)


class PostgresBookingRepository:
    """The state service's tables, on the connection of one unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection
        # History, outbox and new booking rows wait for the next statement (at the latest the
        # commit's flush) and travel with it: round trips fewer, the same rows.
        self._pending = PendingWrites(connection)

    async def flush(self) -> None:
        """Write the rows still held; the unit of work calls this before it commits."""
        await self._pending.flush()

    async def get(self, venue_id: str, booking_id: UUID) -> Booking | None:
        await self._pending.flush()
        key = {"key_booking_id": booking_id, "key_venue_id": venue_id}
        row = (await self._db.execute(GET, key)).mappings().first()
        return _from_values(dict(row)) if row else None

    async def add(self, booking: Booking, demand: DemandRequest | None = None) -> None:
        if demand is None:
            self._pending.append(bookings, _row_values(booking))
            return
        counted = {
            "demand_venue_id": demand.venue_id,
            "demand_weekday": demand.weekday,
            "demand_slot_minute": demand.slot_minute,
            "demand_party_size": demand.party_size,
            "demand_lead_bucket": demand.lead_bucket,
            "demand_service_date": demand.service_date,
        }
        if self._pending.holds(bookings, DEMAND_WRITES):
            await self._pending.flush()  # one statement counts one request: its CTEs run once
        self._pending.append(bookings, _row_values(booking), DEMAND_WRITES, counted)

    async def update(self, booking: Booking, expected_version: int) -> bool:
        values = _row_values(booking)
        for fixed in ("booking_id", "venue_id", "request_id", "create_time"):
            values.pop(fixed)
        result = await self._pending.update_booking(values, booking.booking_id, expected_version)
        return result.rowcount == 1

    async def add_change(self, change: StateChange) -> None:
        await self.add_changes((change,))

    async def add_changes(self, changes: Sequence[StateChange]) -> None:
        for change in changes:
            self._pending.append(booking_state_history, _change_row(change))

    async def add_event(self, event: BookingEvent) -> None:
        self._pending.append(
            outbox,
            {
                "venue_id": event.venue_id,
                "aggregate_id": str(event.booking_id),
                "event_type": event.event_type,
                "payload": event.payload,
                # The change's trace travels with its event, so the consumer continues it.
                "trace_context": current_carrier(),
            },
        )

    async def find_request(self, venue_id: str, request_id: str) -> StoredRequest | None:
        await self._pending.flush()
        key = {"venue_id": venue_id, "request_id": request_id}
        row = (await self._db.execute(FIND_REQUEST, key)).first()
        if row is None:
            return None
        return StoredRequest(fingerprint=row.request_hash, booking=_from_snapshot(row.response))

    async def add_request(
        self, venue_id: str, request_id: str, fingerprint: str, booking: Booking
    ) -> None:
        # ON CONFLICT rather than a savepoint around an IntegrityError: two round trips fewer.
        # A twin still in flight makes this wait for its end, as the unique index did.
        await self._pending.flush()
        result = await ADD_REQUEST.execute(
            self._db,
            {
                "venue_id": venue_id,
                "request_id": request_id,
                "request_hash": fingerprint,
                "booking_id": booking.booking_id,
                "response": _snapshot(booking),
            },
        )
        if result.scalar() is None:
            raise RequestAlreadyStored(request_id)

    async def search(self, query: BookingQuery) -> list[Booking]:
        await self._pending.flush()
        conditions = [
            bookings.c.venue_id == query.venue_id,
            bookings.c.state.in_([s.value for s in query.states]),
        ]
        if query.start_from is not None:
            conditions.append(bookings.c.start_time >= query.start_from)
        if query.start_to is not None:
            conditions.append(bookings.c.start_time < query.start_to)
        if query.after is not None:
            conditions.append(
                tuple_(bookings.c.start_time, bookings.c.booking_id)
                > tuple_(*(literal(value) for value in query.after))
            )
        rows = (
            await self._db.execute(
                select(bookings)
                .where(and_(*conditions))
                .order_by(bookings.c.start_time, bookings.c.booking_id)
                .limit(query.limit)
            )
        ).mappings()
        return [_from_values(dict(row)) for row in rows]

    async def history(
        self, venue_id: str, booking_id: UUID, after: int, limit: int
    ) -> list[tuple[int, StateChange]]:
        await self._pending.flush()
        table = booking_state_history
        rows = (
            await self._db.execute(
                select(table)
                .where(
                    table.c.booking_id == booking_id,
                    table.c.venue_id == venue_id,
                    table.c.history_id > after,
                )
                .order_by(table.c.history_id)
                .limit(limit)
            )
        ).mappings()
        return [
            (
                row["history_id"],
                StateChange(
                    booking_id=row["booking_id"],
                    venue_id=row["venue_id"],
                    from_state=BookingState(row["from_state"]) if row["from_state"] else None,
                    to_state=BookingState(row["to_state"]),
                    version=row["version"],
                    actor=row["actor"],
                    reason=row["reason"],
                    trace_id=row["trace_id"],
                    change_time=row["change_time"],
                ),
            )
            for row in rows
        ]


def _change_row(change: StateChange) -> dict[str, object]:
    return {
        "booking_id": change.booking_id,
        "venue_id": change.venue_id,
        "from_state": change.from_state.value if change.from_state else None,
        "to_state": change.to_state.value,
        "version": change.version,
        "actor": change.actor,
        "reason": change.reason,
        "trace_id": change.trace_id,
        "change_time": change.change_time,
    }
