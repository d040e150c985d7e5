"""Use cases that create a venue, a zone or a table, idempotently by request id."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from services.availability.application.floor_plan_changes import locked_venue
from services.availability.application.ports import (
    FloorPlanRepository,
    IdAlreadyStored,
    Resource,
    UnitOfWorkFactory,
)
from services.availability.domain.errors import ResourceExists
from services.availability.domain.floor_plan import (
    FloorPlan,
    TableRecord,
    Venue,
    VenuePolicy,
    Zone,
    default_policy,
)
from services.availability.domain.floor_plan_validation import (
    MAX_PARTY_SIZE,
    new_venue_violations,
    raise_if_any,
    table_violations,
    zone_violations,
)
from services.availability.domain.policy_validation import PolicyDraft, policy_violations

T = TypeVar("T")


async def _is_replay(
    repository: FloorPlanRepository,
    resource: Resource,
    resource_id: str,
    venue_id: str,
    request_id: str,
) -> bool:
    """True for a replay of the create that made the resource; ResourceExists for another one.

    Only the venue's own resources count: ids are unique per venue, not across venues.
    """
    creation = (
        await repository.creation_of(resource, venue_id, resource_id) if resource_id else None
    )
    if creation is None:
        return False
    if request_id and creation.request_id == request_id:
        return True
    raise ResourceExists(resource=resource.capitalize(), id=resource_id)


async def _twice(resource: Resource, resource_id: str, attempt: Callable[[], Awaitable[T]]) -> T:
    for _ in range(2):
        try:
            return await attempt()
        except IdAlreadyStored:
            continue  # a concurrent twin committed first: the next pass replays or refuses it
    # Still refused, yet not by a resource of this venue: a database whose keys are not yet
    # scoped by venue (before migration 0015) holds the id elsewhere. The id is taken all the same.
    raise ResourceExists(resource=resource.capitalize(), id=resource_id)


async def create_venue(
    venue: Venue,
    draft: PolicyDraft | None,
    request_id: str,
    *,
    uow: UnitOfWorkFactory,
    now: datetime,
) -> tuple[Venue, VenuePolicy]:
    """The venue at version 1 with its policy (the defaults when `draft` is None)."""

    async def attempt() -> tuple[Venue, VenuePolicy]:
        async with uow() as work:
            repository = work.floor_plans
            if await _is_replay(repository, "venue", venue.venue_id, venue.venue_id, request_id):
                stored = await repository.get_venue(venue.venue_id)
                assert stored is not None
                return stored, (await repository.load(stored)).policy
            violations = new_venue_violations(venue, request_id)
            largest = max(1, min(venue.max_party_size, MAX_PARTY_SIZE))
            policy = default_policy(venue.venue_id, largest)
            if draft is not None:
                found, periods = policy_violations(draft, largest)
                violations += found
                policy = dataclasses.replace(draft.policy, service_periods=periods)
            raise_if_any(violations)
            policy = dataclasses.replace(policy, venue_id=venue.venue_id, update_time=now)
            created = dataclasses.replace(venue, version=1, create_time=now, update_time=now)
            await repository.add_venue(created, policy, request_id)
            await work.commit()
            return created, policy

    return await _twice("venue", venue.venue_id, attempt)


async def _create_in_venue(
    uow: UnitOfWorkFactory,
    now: datetime,
    key: tuple[Resource, str, str, str],
    find: Callable[[FloorPlan], T | None],
    add: Callable[[FloorPlanRepository, FloorPlan], Awaitable[T]],
) -> tuple[T, int]:
    """Create one resource of a venue (`add`), or find it again (`find`) on a replay."""
    resource, resource_id, venue_id, request_id = key

    async def attempt() -> tuple[T, int]:
        async with uow() as work:
            repository = work.floor_plans
            venue = await locked_venue(repository, venue_id)
            plan = await repository.load(venue)
            if await _is_replay(repository, resource, resource_id, venue_id, request_id):
                found = find(plan)
                assert found is not None
                return found, venue.version
            created = await add(repository, plan)
            bumped = dataclasses.replace(venue, version=venue.version + 1, update_time=now)
            await repository.save_venue(bumped)
            await work.commit()
            return created, bumped.version

    return await _twice(resource, resource_id, attempt)


async def create_zone(
    zone: Zone, request_id: str, *, uow: UnitOfWorkFactory, now: datetime
) -> tuple[Zone, int]:
    """The new zone and the venue's version after it."""

    async def add(repository: FloorPlanRepository, plan: FloorPlan) -> Zone:
        raise_if_any(zone_violations(zone, request_id=request_id))
        created = dataclasses.replace(zone, create_time=now, update_time=now)
        await repository.add_zone(created, request_id)
        return created

    key: tuple[Resource, str, str, str] = ("zone", zone.zone_id, zone.venue_id, request_id)
    return await _create_in_venue(uow, now, key, lambda plan: plan.zone(zone.zone_id), add)


async def create_table(
    table: TableRecord, request_id: str, *, uow: UnitOfWorkFactory, now: datetime
) -> tuple[TableRecord, int]:
    """The new table and the venue's version after it."""

    async def add(repository: FloorPlanRepository, plan: FloorPlan) -> TableRecord:
        raise_if_any(table_violations(plan, table, request_id=request_id))
        created = dataclasses.replace(table, create_time=now, update_time=now)
        await repository.add_table(created, request_id)
        return created

    key: tuple[Resource, str, str, str] = ("table", table.table_id, table.venue_id, request_id)
    return await _create_in_venue(uow, now, key, lambda plan: plan.table(table.table_id), add)
