"""Use cases that update a venue, a zone, a table, the adjacency graph or the policy."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from services.availability.application.floor_plan_changes import (
    Changed,
    ChangeOptions,
    change_floor_plan,
)
from services.availability.application.ports import (
    BookingStates,
    FloorPlanRepository,
    UnitOfWorkFactory,
)
from services.availability.domain.floor_plan import FloorPlan, TableRecord, Venue, Zone
from services.availability.domain.floor_plan_validation import (
    edges_of,
    raise_if_any,
    table_violations,
    venue_update_violations,
    zone_violations,
)
from services.availability.domain.policy_validation import PolicyDraft, build_policy
from shared.domain_errors import NotFound


async def update_venue(
    venue: Venue,
    options: ChangeOptions,
    *,
    uow: UnitOfWorkFactory,
    states: BookingStates,
    now: datetime,
) -> Changed:
    """Replace the venue's display name, time zone and largest party."""

    def edit(plan: FloorPlan) -> FloorPlan:
        raise_if_any(venue_update_violations(plan, venue))
        changed = dataclasses.replace(
            plan.venue,
            display_name=venue.display_name,
            time_zone=venue.time_zone,
            max_party_size=venue.max_party_size,
        )
        return dataclasses.replace(plan, venue=changed)

    async def write(repository: FloorPlanRepository, plan: FloorPlan) -> None:
        """Nothing beyond the venue row, which every change writes."""

    return await change_floor_plan(
        venue.venue_id, options, edit, write, uow=uow, states=states, now=now
    )


async def update_zone(
    zone: Zone,
    options: ChangeOptions,
    *,
    uow: UnitOfWorkFactory,
    states: BookingStates,
    now: datetime,
) -> Changed:
    """Replace a zone's display name."""

    def edit(plan: FloorPlan) -> FloorPlan:
        current = plan.zone(zone.zone_id)
        if current is None:
            raise NotFound(resource="Zone", id=zone.zone_id)
        raise_if_any(zone_violations(zone))
        changed = dataclasses.replace(current, display_name=zone.display_name, update_time=now)
        zones = tuple(changed if z.zone_id == zone.zone_id else z for z in plan.zones)
        return dataclasses.replace(plan, zones=zones)

    async def write(repository: FloorPlanRepository, plan: FloorPlan) -> None:
        changed = plan.zone(zone.zone_id)
        assert changed is not None
        await repository.update_zone(changed)

    return await change_floor_plan(
        zone.venue_id, options, edit, write, uow=uow, states=states, now=now
    )


async def update_table(
    table: TableRecord,
    options: ChangeOptions,
    *,
    uow: UnitOfWorkFactory,
    states: BookingStates,
    now: datetime,
) -> Changed:
    """Replace a table's name, zone, seats, combinability and activity."""

    def edit(plan: FloorPlan) -> FloorPlan:
        current = plan.table(table.table_id)
        if current is None:
            raise NotFound(resource="Table", id=table.table_id)
        changed = dataclasses.replace(table, create_time=current.create_time, update_time=now)
        raise_if_any(table_violations(plan, changed))
        return plan.with_table(changed)

    async def write(repository: FloorPlanRepository, plan: FloorPlan) -> None:
        changed = plan.table(table.table_id)
        assert changed is not None
        await repository.update_table(changed)

    return await change_floor_plan(
        table.venue_id, options, edit, write, uow=uow, states=states, now=now
    )


async def update_adjacency(
    venue_id: str,
    pairs: Sequence[tuple[str, str]],
    options: ChangeOptions,
    *,
    uow: UnitOfWorkFactory,
    states: BookingStates,
    now: datetime,
) -> Changed:
    """Replace every edge of the venue's adjacency graph."""

    def edit(plan: FloorPlan) -> FloorPlan:
        return dataclasses.replace(plan, edges=edges_of(plan, pairs))

    async def write(repository: FloorPlanRepository, plan: FloorPlan) -> None:
        await repository.replace_edges(venue_id, plan.edges)

    return await change_floor_plan(venue_id, options, edit, write, uow=uow, states=states, now=now)


async def update_policy(
    venue_id: str,
    draft: PolicyDraft,
    options: ChangeOptions,
    *,
    uow: UnitOfWorkFactory,
    states: BookingStates,
    now: datetime,
) -> Changed:
    """Replace every field of the venue's policy."""

    def edit(plan: FloorPlan) -> FloorPlan:
        tables = frozenset(t.table_id for t in plan.tables)
        policy = build_policy(draft, plan.venue.max_party_size, tables)
        policy = dataclasses.replace(policy, venue_id=venue_id, update_time=now)
        return dataclasses.replace(plan, policy=policy)

    async def write(repository: FloorPlanRepository, plan: FloorPlan) -> None:
        await repository.replace_policy(plan.policy)

    return await change_floor_plan(venue_id, options, edit, write, uow=uow, states=states, now=now)
