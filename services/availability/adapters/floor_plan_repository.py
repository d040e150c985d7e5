"""Venues, zones, tables, adjacency and live assignments in PostgreSQL (SQLAlchemy Core)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.availability.adapters.floor_plan_policy_rows import read_policy, write_policy
from services.availability.adapters.read_only_tables import allocations, bookings
from services.availability.adapters.tables import dining_tables, table_adjacency, venues, zones
from services.availability.application.ports import Creation, IdAlreadyStored, Resource
from services.availability.domain.floor import Table as Seats
from services.availability.domain.floor_plan import FloorPlan, TableRecord, Venue, VenuePolicy, Zone
from services.availability.domain.stranding import LiveGroup

LIVE_STATES = ("ASSIGNED", "CONFIRMED", "SEATED")
TABLES: dict[Resource, tuple[Table, str]] = {
    "venue": (venues, "venue_id"),
    "zone": (zones, "zone_id"),
    "table": (dining_tables, "table_id"),
}


def _venue(row: Any) -> Venue:
    return Venue(
        venue_id=row["venue_id"], display_name=row["name"], time_zone=row["timezone"],
        max_party_size=row["max_party_size"], version=row["version"],
        create_time=row["create_time"], update_time=row["update_time"],
    )  # fmt: skip


def _zone(row: Any) -> Zone:
    return Zone(
        row["venue_id"], row["zone_id"], row["name"], row["create_time"], row["update_time"]
    )


def _table(row: Any) -> TableRecord:
    seats = Seats(row["table_id"], row["zone_id"], row["min_seats"], row["max_seats"],
                  row["combinable"], row["active"])  # fmt: skip
    return TableRecord(row["venue_id"], seats, row["name"], row["create_time"], row["update_time"])


def _table_values(table: TableRecord) -> dict[str, Any]:
    seats = table.seats
    return {
        "zone_id": seats.zone_id, "name": table.display_name, "min_seats": seats.min_seats,
        "max_seats": seats.max_seats, "combinable": seats.combinable, "active": seats.active,
        "update_time": table.update_time,
    }  # fmt: skip


class PostgresFloorPlanRepository:
    """The availability service's floor-plan tables, on the connection of one unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def lock_venue(self, venue_id: str) -> Venue | None:
        # FOR NO KEY UPDATE: it serialises floor changes of the venue, yet lets bookings that
        # reference the venue (a foreign key share lock) be written by the state service meanwhile.
        query = select(venues).where(venues.c.venue_id == venue_id).with_for_update(key_share=True)
        row = (await self._db.execute(query)).mappings().first()
        return _venue(row) if row else None

    async def get_venue(self, venue_id: str) -> Venue | None:
        query = select(venues).where(venues.c.venue_id == venue_id)
        row = (await self._db.execute(query)).mappings().first()
        return _venue(row) if row else None

    async def list_venues(
        self, scope: frozenset[str] | None, after: str | None, limit: int
    ) -> list[Venue]:
        query = select(venues).order_by(venues.c.venue_id).limit(limit)
        if scope is not None:
            query = query.where(venues.c.venue_id.in_(sorted(scope)))
        if after is not None:
            query = query.where(venues.c.venue_id > after)
        return [_venue(row) for row in (await self._db.execute(query)).mappings()]

    async def load(self, venue: Venue) -> FloorPlan:
        venue_id = venue.venue_id
        zone_rows = await self._db.execute(
            select(zones).where(zones.c.venue_id == venue_id).order_by(zones.c.zone_id)
        )
        table_rows = await self._db.execute(
            select(dining_tables)
            .where(dining_tables.c.venue_id == venue_id)
            .order_by(dining_tables.c.table_id)
        )
        edge_rows = await self._db.execute(
            select(table_adjacency.c.table_a, table_adjacency.c.table_b).where(
                table_adjacency.c.venue_id == venue_id
            )
        )
        return FloorPlan(
            venue=venue,
            zones=tuple(_zone(row) for row in zone_rows.mappings()),
            tables=tuple(_table(row) for row in table_rows.mappings()),
            edges=frozenset((a, b) for a, b in edge_rows),
            policy=await read_policy(self._db, venue_id),
        )

    async def creation_of(
        self, resource: Resource, venue_id: str, resource_id: str
    ) -> Creation | None:
        table, key = TABLES[resource]
        # Zone and table ids are unique within a venue only: another venue's ids stay unseen.
        query = select(table.c.venue_id, table.c.create_request_id).where(
            table.c.venue_id == venue_id, table.c[key] == resource_id
        )
        row = (await self._db.execute(query)).first()
        return Creation(row.venue_id, row.create_request_id) if row else None

    async def _insert(self, table: Table, values: dict[str, Any]) -> None:
        # An unknown time falls back to the column's default, the database's clock.
        known = {k: v for k, v in values.items() if v is not None or not k.endswith("_time")}
        try:
            async with self._db.begin_nested():
                await self._db.execute(insert(table).values(**known))
        except IntegrityError as error:
            raise IdAlreadyStored(str(values)) from error

    async def add_venue(self, venue: Venue, policy: VenuePolicy, request_id: str) -> None:
        await self._insert(
            venues,
            {"venue_id": venue.venue_id, "name": venue.display_name, "timezone": venue.time_zone,
             "max_party_size": venue.max_party_size, "version": venue.version,
             "create_time": venue.create_time, "update_time": venue.update_time,
             "create_request_id": request_id},
        )  # fmt: skip
        await write_policy(self._db, policy)

    async def save_venue(self, venue: Venue) -> None:
        await self._db.execute(
            update(venues)
            .where(venues.c.venue_id == venue.venue_id)
            .values(name=venue.display_name, timezone=venue.time_zone,
                    max_party_size=venue.max_party_size, version=venue.version,
                    update_time=venue.update_time)
        )  # fmt: skip

    async def add_zone(self, zone: Zone, request_id: str) -> None:
        await self._insert(
            zones,
            {"zone_id": zone.zone_id, "venue_id": zone.venue_id, "name": zone.display_name,
             "create_time": zone.create_time, "update_time": zone.update_time,
             "create_request_id": request_id},
        )  # fmt: skip

    async def update_zone(self, zone: Zone) -> None:
        await self._db.execute(
            update(zones)
            .where(zones.c.zone_id == zone.zone_id, zones.c.venue_id == zone.venue_id)
            .values(name=zone.display_name, update_time=zone.update_time)
        )

    async def add_table(self, table: TableRecord, request_id: str) -> None:
        values = {"table_id": table.table_id, "venue_id": table.venue_id,
                  "create_time": table.create_time, "create_request_id": request_id}  # fmt: skip
        await self._insert(dining_tables, {**values, **_table_values(table)})

    async def update_table(self, table: TableRecord) -> None:
        await self._db.execute(
            update(dining_tables)
            .where(
                dining_tables.c.table_id == table.table_id,
                dining_tables.c.venue_id == table.venue_id,
            )
            .values(version=dining_tables.c.version + 1, **_table_values(table))
        )

    async def replace_edges(self, venue_id: str, edges: frozenset[tuple[str, str]]) -> None:
        await self._db.execute(
            delete(table_adjacency).where(table_adjacency.c.venue_id == venue_id)
        )
        if edges:
            await self._db.execute(
                insert(table_adjacency),
                [{"venue_id": venue_id, "table_a": a, "table_b": b} for a, b in sorted(edges)],
            )

    async def replace_policy(self, policy: VenuePolicy) -> None:
        await write_policy(self._db, policy)

    async def live_groups(self, venue_id: str, now: datetime) -> list[LiveGroup]:
        query = (
            select(allocations.c.group_id, allocations.c.table_id, bookings.c.booking_id,
                   bookings.c.version, bookings.c.party_size, bookings.c.start_time,
                   bookings.c.state)
            .join(bookings, bookings.c.booking_id == allocations.c.booking_id)
            .where(
                allocations.c.venue_id == venue_id,
                allocations.c.kind == "ASSIGNMENT",
                allocations.c.release_time.is_(None),
                func.upper(allocations.c.during) > now,
                bookings.c.state.in_(LIVE_STATES),
            )
        )  # fmt: skip
        tables: dict[UUID, set[str]] = defaultdict(set)
        facts: dict[UUID, Any] = {}
        for row in await self._db.execute(query):
            tables[row.group_id].add(row.table_id)
            facts[row.group_id] = row
        return [
            LiveGroup(
                booking_id=row.booking_id,
                booking_version=row.version,
                party_size=row.party_size,
                start_time=row.start_time,
                seated=row.state == "SEATED",
                table_ids=frozenset(tables[group]),
            )
            for group, row in facts.items()
        ]
