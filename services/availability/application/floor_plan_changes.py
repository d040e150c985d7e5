"""How every floor-plan change runs: one transaction under the venue's row lock, strands checked."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.availability.application.ports import (
    BookingStates,
    FloorPlanRepository,
    UnitOfWorkFactory,
)
from services.availability.domain.errors import FloorChangeStrandsBookings
from services.availability.domain.floor_plan import FloorPlan, Venue
from services.availability.domain.stranding import LiveGroup, Stranded, newly_stranded
from shared.domain_errors import FieldViolation, InvalidArgument, NotFound, StaleVersion

Edit = Callable[[FloorPlan], FloorPlan]
Write = Callable[[FloorPlanRepository, FloorPlan], Awaitable[None]]


@dataclass(frozen=True)
class ChangeOptions:
    """The caller's etag, and how it wants a change handled that strands bookings."""

    expected_version: int
    move_stranded_to_manual_review: bool = False
    validate_only: bool = False


@dataclass(frozen=True)
class Changed:
    """The floor plan after a change (or as it would be), and the bookings the change strands."""

    plan: FloorPlan
    stranded: tuple[Stranded, ...]

    @property
    def stranded_ids(self) -> list[str]:
        return [str(s.booking_id) for s in self.stranded]


async def locked_venue(repository: FloorPlanRepository, venue_id: str) -> Venue:
    """The venue, locked for this unit of work; NotFound when it does not exist."""
    venue = await repository.lock_venue(venue_id)
    if venue is None:
        raise NotFound(resource="Venue", id=venue_id)
    return venue


async def change_floor_plan(
    venue_id: str,
    options: ChangeOptions,
    edit: Edit,
    write: Write,
    *,
    uow: UnitOfWorkFactory,
    states: BookingStates,
    now: datetime,
) -> Changed:
    """Apply `edit` at the expected version, unless it strands bookings the caller kept."""
    if options.expected_version < 1:
        raise InvalidArgument([FieldViolation("expected_version", "field.required")])
    async with uow() as work:
        repository = work.floor_plans
        venue = await locked_venue(repository, venue_id)
        _check_version(venue, options.expected_version)
        before = await repository.load(venue)
        after = edit(before)
        stranded = _stranded(before, after, await repository.live_groups(venue_id, now), now)
        if options.validate_only:
            return Changed(after, stranded)
        _refuse_unless_released(stranded, options)
        # Before our own writes: the state service's booking updates bump the venue's change
        # version too, and that row would stay locked by us until we commit.
        await _send_to_manual_review(venue_id, stranded, states)
        bumped = dataclasses.replace(after.venue, version=venue.version + 1, update_time=now)
        after = dataclasses.replace(after, venue=bumped)
        await write(repository, after)
        await repository.save_venue(bumped)
        await work.commit()
        return Changed(after, stranded)


def _check_version(venue: Venue, expected: int) -> None:
    if venue.version != expected:
        raise StaleVersion(
            "stale_floor_plan_version",
            venue_id=venue.venue_id,
            expected=expected,
            current=venue.version,
        )


def _stranded(
    before: FloorPlan, after: FloorPlan, groups: Sequence[LiveGroup], now: datetime
) -> tuple[Stranded, ...]:
    old = (before.floor(), before.seating_policy())
    new = (after.floor(), after.seating_policy())
    return tuple(newly_stranded(groups, old, new, now=now))


def _refuse_unless_released(stranded: Sequence[Stranded], options: ChangeOptions) -> None:
    if not stranded:
        return
    seated = [s for s in stranded if s.seated]
    if options.move_stranded_to_manual_review and not seated:
        return
    refused = seated if options.move_stranded_to_manual_review else stranded
    raise FloorChangeStrandsBookings(
        [str(s.booking_id) for s in refused],
        [f"{s.booking_id}: {s.cause}" for s in refused],
        seated=options.move_stranded_to_manual_review,
    )


async def _send_to_manual_review(
    venue_id: str, stranded: Sequence[Stranded], states: BookingStates
) -> None:
    # If one call fails, the bookings moved so far stay in manual review, a safe state, and a
    # retry of the change no longer counts them as live: retries converge.
    for booking in stranded:
        await states.send_to_manual_review(
            venue_id,
            booking.booking_id,
            booking.booking_version,
            f"floor plan change: {booking.cause}",
        )
