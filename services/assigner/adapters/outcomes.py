"""Aggregated assignment outcomes per table set, party-size band and hour: no guest identities."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from sqlalchemy import desc, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.read_only_tables import venues
from services.assigner.adapters.tables import allocations, assignment_success_counts
from services.assigner.domain.booking import BookingState
from services.assigner.domain.strategies import party_band, table_key

MOVED_AFTER_CONFIRMATION = (BookingState.ASSIGNMENT_PENDING, BookingState.MANUAL_REVIEW)
COUNTED_TTL_SECONDS = 7 * 24 * 3600


class PostgresOutcomes:
    """Counts a success when a party completes at its tables, a failure when it had to move."""

    def __init__(self, engine: AsyncEngine, redis: Redis) -> None:
        self._engine = engine
        self._redis = redis

    async def note(self, event_id: int, payload: dict[str, object]) -> None:
        """Count the outcome an event reveals, once per event however often it is delivered."""
        before, after = payload.get("from_state"), payload.get("to_state")
        if after == BookingState.COMPLETED:
            succeeded = True
        elif (
            before in (BookingState.CONFIRMED, BookingState.SEATED)
            and after in MOVED_AFTER_CONFIRMATION
        ):
            succeeded = False
        else:
            return
        if not await self._redis.set(
            f"maitred:assigner:counted:{event_id}", 1, nx=True, ex=COUNTED_TTL_SECONDS
        ):
            return  # a redelivery: already counted
        booking_id = UUID(str(payload["booking_id"]))
        venue_id = str(payload["venue_id"])
        tables = await self._tables_of(booking_id)
        if tables:
            start = datetime.fromisoformat(str(payload["start_time"]))
            await self._count(venue_id, tables, int(str(payload["party_size"])), start, succeeded)

    async def _tables_of(self, booking_id: UUID) -> tuple[str, ...]:
        async with self._engine.connect() as db:
            group = await db.scalar(
                select(allocations.c.group_id)
                .where(allocations.c.booking_id == booking_id, allocations.c.kind == "ASSIGNMENT")
                .order_by(desc(allocations.c.create_time))
                .limit(1)
            )
            if group is None:
                return ()
            rows = await db.execute(
                select(allocations.c.table_id).where(allocations.c.group_id == group)
            )
            return tuple(sorted(rows.scalars()))

    async def _count(
        self, venue_id: str, tables: tuple[str, ...], party: int, start: datetime, succeeded: bool
    ) -> None:
        async with self._engine.begin() as db:
            zone = await db.scalar(select(venues.c.timezone).where(venues.c.venue_id == venue_id))
            hour = start.astimezone(ZoneInfo(zone or "UTC")).hour
            counts = assignment_success_counts
            column = "successes" if succeeded else "failures"
            statement = insert(counts).values(
                venue_id=venue_id,
                table_key=table_key(tables),
                party_band=party_band(party),
                hour=hour,
                **{column: 1},
            )
            await db.execute(
                statement.on_conflict_do_update(
                    index_elements=["venue_id", "table_key", "party_band", "hour"],
                    set_={column: getattr(counts.c, column) + 1},
                )
            )
