"""The ports the floor-plan use cases run on: a unit of work, its repository, the state service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

from services.availability.domain.floor_plan import FloorPlan, TableRecord, Venue, VenuePolicy, Zone
from services.availability.domain.stranding import LiveGroup
from shared.unit_of_work import Transactional

Resource = Literal["venue", "zone", "table"]


class IdAlreadyStored(Exception):
    """Another transaction created a resource with the same key (venue and id) first."""


@dataclass(frozen=True)
class Creation:
    """Who created an existing resource: its venue and the request id of the create call."""

    venue_id: str
    request_id: str | None


class FloorPlanRepository(Protocol):
    """Venues with their zones, tables, adjacency and policy; live assignments, read only."""

    async def lock_venue(self, venue_id: str) -> Venue | None:
        """The venue, its row locked until the unit of work ends, so mutations serialise."""
        ...

    async def get_venue(self, venue_id: str) -> Venue | None: ...

    async def list_venues(
        self, scope: frozenset[str] | None, after: str | None, limit: int
    ) -> list[Venue]:
        """Venues by id after `after`; only those in `scope` unless it is None (all venues)."""
        ...

    async def load(self, venue: Venue) -> FloorPlan:
        """The venue's zones, tables, edges and policy, around the given venue row."""
        ...

    async def creation_of(
        self, resource: Resource, venue_id: str, resource_id: str
    ) -> Creation | None:
        """Who created the venue's resource of this id (ids are unique per venue); None if none."""
        ...

    async def add_venue(self, venue: Venue, policy: VenuePolicy, request_id: str) -> None:
        """Store a new venue; raises IdAlreadyStored when the id is taken."""
        ...

    async def save_venue(self, venue: Venue) -> None:
        """Write the venue's fields, version and update time."""
        ...

    async def add_zone(self, zone: Zone, request_id: str) -> None:
        """Store a new zone; raises IdAlreadyStored when the id is taken."""
        ...

    async def update_zone(self, zone: Zone) -> None: ...

    async def add_table(self, table: TableRecord, request_id: str) -> None:
        """Store a new table; raises IdAlreadyStored when the id is taken."""
        ...

    async def update_table(self, table: TableRecord) -> None: ...

    async def replace_edges(self, venue_id: str, edges: frozenset[tuple[str, str]]) -> None: ...

    async def replace_policy(self, policy: VenuePolicy) -> None: ...

    async def live_groups(self, venue_id: str, now: datetime) -> list[LiveGroup]:
        """The venue's live assignments, with each booking's party size, start and version."""
        ...


class UnitOfWork(Transactional, Protocol):
    """One transaction: everything written through it commits together or not at all."""

    @property
    def floor_plans(self) -> FloorPlanRepository: ...

    async def __aenter__(self) -> UnitOfWork: ...


class UnitOfWorkFactory(Protocol):
    """Opens a new unit of work; a read-only one sees one consistent snapshot."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


class BookingStates(Protocol):
    """The state service, which alone moves bookings (floor changes send some to manual review)."""

    async def send_to_manual_review(
        self, venue_id: str, booking_id: UUID, expected_version: int, reason: str
    ) -> None:
        """Move the booking to MANUAL_REVIEW; StaleVersion when it changed meanwhile."""
        ...
