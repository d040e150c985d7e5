"""Reads a venue's day from PostgreSQL in one repeatable-read snapshot."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.availability.adapters.facts_reader import (
    read_changed_demand,
    read_changed_occupancies,
    read_demand,
    read_occupancies,
    read_version,
)
from services.availability.adapters.floor_reader import read_floor
from services.availability.adapters.tables import venue_change_versions, venue_changes, venues
from services.availability.application.snapshot_ports import (
    DayFacts,
    Head,
    VenueChanges,
    VenueHeads,
)

BOOKING_SOURCES = ("bookings", "allocations")
# The change log between two versions, built once (a catch-up runs it on every change).
CHANGES_AFTER = select(
    venue_changes.c.version,
    venue_changes.c.source,
    venue_changes.c.booking_id,
    venue_changes.c.group_id,
).where(
    venue_changes.c.venue_id == bindparam("venue_id"),
    venue_changes.c.version > bindparam("since"),
    venue_changes.c.version <= bindparam("version"),
)


class PostgresDaySource:
    """The truth about a venue's day.

    `heads`, when given, answers the change read's first question (has anything been
    committed since?) in one autocommit statement: a single statement reads one snapshot as
    the transaction's first one does, for a quarter of the CPU of a repeatable-read
    transaction's three round trips through SQLAlchemy, and a warm model mostly hears "no".
    """

    def __init__(self, engine: AsyncEngine, heads: VenueHeads | None = None) -> None:
        self._engine = engine
        self._heads = heads

    async def identity(self) -> str:
        """This database as opposed to any other or an earlier copy: its oid and server start."""
        async with self._engine.connect() as db:
            found = await db.scalar(
                text(
                    "SELECT oid::text || '.' || extract(epoch FROM pg_postmaster_start_time())"
                    "::bigint FROM pg_database WHERE datname = current_database()"
                )
            )
        return str(found)

    async def head(self, venue_id: str) -> Head | None:
        async with self._engine.connect() as db:
            row = (
                await db.execute(
                    select(venues.c.timezone, venue_change_versions.c.version)
                    .select_from(
                        venues.outerjoin(
                            venue_change_versions,
                            venue_change_versions.c.venue_id == venues.c.venue_id,
                        )
                    )
                    .where(venues.c.venue_id == venue_id)
                )
            ).first()
        return Head(row.timezone, int(row.version or 0)) if row else None

    async def day(
        self, venue_id: str, day: date, start: datetime, end: datetime
    ) -> DayFacts | None:
        async with self._engine.connect() as db:
            # One snapshot for the version and every row, so the facts match their version.
            db = await db.execution_options(isolation_level="REPEATABLE READ")
            async with db.begin():
                version = await read_version(db, venue_id)
                floor = await read_floor(db, venue_id)
                if floor is None:
                    return None
                occupancies = await read_occupancies(db, venue_id, start, end)
                demand = await read_demand(db, venue_id, start, end)
        return DayFacts(venue_id, day, version, floor[2], floor[0], floor[1], occupancies, demand)

    async def changes(
        self, venue_id: str, since: int, *, behind: bool = False
    ) -> VenueChanges | None:
        if self._heads is not None and not behind:
            head = await self._heads.head(venue_id)
            if head is not None and head.version == since:
                return VenueChanges(since, frozenset(), frozenset(), (), (), None)
        async with self._engine.connect() as db:
            db = await db.execution_options(isolation_level="REPEATABLE READ")
            async with db.begin():
                version = await read_version(db, venue_id)
                if version == since:  # the common case of a warm model: nothing to read
                    return VenueChanges(version, frozenset(), frozenset(), (), (), None)
                window = {"venue_id": venue_id, "since": since, "version": version}
                rows = (await db.execute(CHANGES_AFTER, window)).all()
                # Every version leaves at least one row; a missing one was pruned: rebuild.
                if {row.version for row in rows} != set(range(since + 1, version + 1)):
                    return None
                bookings = {str(r.booking_id) for r in rows if r.booking_id is not None}
                groups = {str(r.group_id) for r in rows if r.group_id is not None}
                floor = None
                if any(row.source not in BOOKING_SOURCES for row in rows):
                    floor = await read_floor(db, venue_id)
                    if floor is None:
                        return None
                occupancies = await read_changed_occupancies(db, venue_id, bookings, groups)
                demand = await read_changed_demand(db, venue_id, bookings)
        return VenueChanges(
            version, frozenset(bookings), frozenset(groups), occupancies, demand, floor
        )

    async def prune_changes(self, older_than: timedelta) -> int:
        """Delete change-log rows older than `older_than`; a model that needed them rebuilds."""
        async with self._engine.begin() as db:
            result = await db.execute(
                delete(venue_changes).where(venue_changes.c.change_time < func.now() - older_than)
            )
        return int(result.rowcount or 0)
