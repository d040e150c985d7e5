"""Test floors and occupancy rows for the availability service, written straight to PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.availability.adapters.tables import (
    dining_tables,
    service_periods,
    table_adjacency,
    turn_times,
    venue_policies,
    venues,
    zones,
)
from services.state.adapters.tables import bookings

TABLES = [("t1", 1, 2), ("t2", 2, 4), ("t3", 2, 4), ("t4", 4, 6)]


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=1)
    return datetime.combine(day, time(hour, minute), UTC)


async def seed_floor(
    engine: AsyncEngine, venue_id: str, *, tables=TABLES, edges=(("t2", "t3"),)
) -> None:
    """A UTC venue open 12:00-22:00 daily, 15-minute slots, 15-minute buffer, t2-t3 adjacent."""
    async with engine.begin() as db:
        await db.execute(insert(venues).values(venue_id=venue_id, name=venue_id, timezone="UTC",
                                               max_party_size=10))  # fmt: skip
        await db.execute(insert(zones).values(zone_id=f"{venue_id}-z", venue_id=venue_id, name="Z"))
        await db.execute(
            insert(dining_tables),
            [
                {"table_id": f"{venue_id}-{name}", "venue_id": venue_id, "zone_id": f"{venue_id}-z",
                 "name": name, "min_seats": low, "max_seats": high}
                for name, low, high in tables
            ],
        )  # fmt: skip
        for first, second in edges:
            await db.execute(insert(table_adjacency).values(
                venue_id=venue_id, table_a=f"{venue_id}-{first}",
                table_b=f"{venue_id}-{second}"))  # fmt: skip
        await db.execute(insert(venue_policies).values(venue_id=venue_id))
        await db.execute(insert(turn_times), [
            {"venue_id": venue_id, "min_party": 1, "max_party": 2, "minutes": 90},
            {"venue_id": venue_id, "min_party": 3, "max_party": 10, "minutes": 120},
        ])  # fmt: skip
        await db.execute(insert(service_periods), [
            {"venue_id": venue_id, "weekday": d, "name": "all", "start_local": time(12),
             "end_local": time(22)} for d in range(7)
        ])  # fmt: skip


async def add_booking(
    engine: AsyncEngine, venue_id: str, start: datetime, party: int, state: str
) -> uuid.UUID:
    booking_id = uuid.uuid4()
    async with engine.begin() as db:
        await db.execute(insert(bookings).values(
            booking_id=booking_id, venue_id=venue_id, party_size=party, start_time=start,
            end_time=start + timedelta(minutes=90 if party <= 2 else 120), state=state,
            display_status="PENDING_ALLOCATION", version=1,
            request_id=str(booking_id)))  # fmt: skip
    return booking_id


async def allocate(
    engine: AsyncEngine,
    venue_id: str,
    tables: list[str],
    start: datetime,
    end: datetime,
    *,
    booking_id: uuid.UUID | None = None,
    kind: str = "ASSIGNMENT",
    expire: datetime | None = None,
) -> uuid.UUID:
    group = uuid.uuid4()
    async with engine.begin() as db:
        for table in tables:
            await db.execute(
                text("INSERT INTO allocations (group_id, venue_id, table_id, booking_id, kind, "
                     "during, expire_time) "
                     "VALUES (:g, :v, :t, :b, :k, tstzrange(:s, :e, '[)'), :x)"),
                {"g": group, "v": venue_id, "t": f"{venue_id}-{table}", "b": booking_id,
                 "k": kind, "s": start, "e": end, "x": expire},
            )  # fmt: skip
    return group
