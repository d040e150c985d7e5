"""Use cases that read floor plans: a venue, the venues in scope, a plan or a part of it."""

from __future__ import annotations

from services.availability.application.ports import UnitOfWorkFactory
from services.availability.domain.floor_plan import FloorPlan, TableRecord, Venue, Zone
from shared.domain_errors import NotFound
from shared.paging import (
    decode_token,
    encode_token,
    page_after,
    page_size,
)


async def get_floor_plan(venue_id: str, *, uow: UnitOfWorkFactory) -> FloorPlan:
    """The venue's whole plan, read in one snapshot so it is the plan of one version."""
    async with uow(read_only=True) as work:
        venue = await work.floor_plans.get_venue(venue_id)
        if venue is None:
            raise NotFound(resource="Venue", id=venue_id)
        return await work.floor_plans.load(venue)


async def get_venue(venue_id: str, *, uow: UnitOfWorkFactory) -> Venue:
    async with uow(read_only=True) as work:
        venue = await work.floor_plans.get_venue(venue_id)
    if venue is None:
        raise NotFound(resource="Venue", id=venue_id)
    return venue


async def list_venues(
    scope: frozenset[str] | None, token: str, size: int, *, uow: UnitOfWorkFactory
) -> tuple[list[Venue], str]:
    """One page of the venues in `scope` (None: every venue) by id, and the next page's token."""
    limit = page_size(size, default=50, maximum=500)
    signature = {"scope": sorted(scope) if scope is not None else "*"}
    position = decode_token(token, signature)
    after = str(position["after"]) if position else None
    async with uow(read_only=True) as work:
        rows = await work.floor_plans.list_venues(scope, after, limit + 1)
    page = rows[:limit]
    more = len(rows) > limit
    return page, encode_token({"after": page[-1].venue_id}, signature) if more else ""


async def get_zone(venue_id: str, zone_id: str, *, uow: UnitOfWorkFactory) -> tuple[Zone, int]:
    """The zone and the venue's version as of this read."""
    plan = await get_floor_plan(venue_id, uow=uow)
    zone = plan.zone(zone_id)
    if zone is None:
        raise NotFound(resource="Zone", id=zone_id)
    return zone, plan.venue.version


async def list_zones(
    venue_id: str, token: str, size: int, *, uow: UnitOfWorkFactory
) -> tuple[list[Zone], str, int]:
    """One page of the venue's zones by id, the next page's token, and the venue's version."""
    plan = await get_floor_plan(venue_id, uow=uow)
    # A venue has tens of zones and tables: paging the one snapshot read keeps pages consistent.
    page, next_token = page_after(plan.zones, lambda z: z.zone_id, token, size, {"venue": venue_id})
    return page, next_token, plan.venue.version


async def get_table(
    venue_id: str, table_id: str, *, uow: UnitOfWorkFactory
) -> tuple[TableRecord, int]:
    """The table and the venue's version as of this read."""
    plan = await get_floor_plan(venue_id, uow=uow)
    table = plan.table(table_id)
    if table is None:
        raise NotFound(resource="Table", id=table_id)
    return table, plan.venue.version


async def list_tables(
    venue_id: str,
    zone_id: str,
    include_inactive: bool,
    token: str,
    size: int,
    *,
    uow: UnitOfWorkFactory,
) -> tuple[list[TableRecord], str, int]:
    """One page of the venue's tables by id (of one zone when given; active ones unless asked)."""
    plan = await get_floor_plan(venue_id, uow=uow)
    tables = [
        t
        for t in plan.tables
        if (not zone_id or t.seats.zone_id == zone_id) and (include_inactive or t.seats.active)
    ]
    signature = {"venue": venue_id, "zone": zone_id, "inactive": include_inactive}
    page, next_token = page_after(tables, lambda t: t.table_id, token, size, signature)
    return page, next_token, plan.venue.version
