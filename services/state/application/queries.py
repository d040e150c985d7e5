"""Use cases that read: one booking, a venue's bookings, a booking's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.state.application.ports import BookingQuery, UnitOfWorkFactory
from services.state.domain.model import Booking, StateChange
from services.state.domain.states import DISPLAY_STATUS, BookingState, DisplayStatus
from shared.domain_errors import FieldViolation, InvalidArgument, NotFound
from shared.paging import decode_token, encode_token, page_size, read_position


@dataclass(frozen=True)
class ListFilter:
    """What a caller asks ListBookings for."""

    venue_id: str
    states: frozenset[BookingState]
    display_statuses: frozenset[DisplayStatus]
    start_from: datetime | None
    start_to: datetime | None


async def get_booking(venue_id: str, booking_id: UUID, *, uow: UnitOfWorkFactory) -> Booking:
    """The booking, or NotFound (also when it belongs to another venue)."""
    async with uow() as work:
        booking = await work.bookings.get(venue_id, booking_id)
    if booking is None:
        raise NotFound(resource="Booking", id=booking_id)
    return booking


def states_for(wanted: ListFilter) -> frozenset[BookingState]:
    """The detailed states a filter matches: both filters apply when both are given."""
    states = wanted.states or frozenset(BookingState)
    if wanted.display_statuses:
        states = states & {s for s, d in DISPLAY_STATUS.items() if d in wanted.display_statuses}
    return frozenset(states)


async def list_bookings(
    wanted: ListFilter, token: str, size: int, *, uow: UnitOfWorkFactory
) -> tuple[list[Booking], str]:
    """One page of bookings by start time then id, and the token of the next page."""
    if not wanted.venue_id:
        raise InvalidArgument([FieldViolation("venue_id", "field.required")])
    limit = page_size(size, default=50, maximum=500)
    signature = {
        "venue": wanted.venue_id,
        "states": sorted(wanted.states),
        "display": sorted(wanted.display_statuses),
        "from": wanted.start_from,
        "to": wanted.start_to,
    }
    position = decode_token(token, signature)
    after = None
    if position is not None:
        after = read_position(
            position, lambda p: (datetime.fromisoformat(p["start"]), UUID(p["id"]))
        )
    query = BookingQuery(
        venue_id=wanted.venue_id,
        states=states_for(wanted),
        start_from=wanted.start_from,
        start_to=wanted.start_to,
        after=after,
        limit=limit + 1,
    )
    async with uow() as work:
        rows = await work.bookings.search(query) if query.states else []
    page, more = rows[:limit], len(rows) > limit
    next_token = ""
    if more:
        last = page[-1]
        next_token = encode_token(
            {"start": last.start_time.isoformat(), "id": str(last.booking_id)}, signature
        )
    return page, next_token


async def list_history(
    venue_id: str, booking_id: UUID, token: str, size: int, *, uow: UnitOfWorkFactory
) -> tuple[list[StateChange], str]:
    """One page of a booking's state changes, oldest first."""
    limit = page_size(size, default=100, maximum=500)
    signature = {"venue": venue_id, "booking": str(booking_id)}
    position = decode_token(token, signature)
    after = int(position["after"]) if position else 0
    async with uow() as work:
        if await work.bookings.get(venue_id, booking_id) is None:
            raise NotFound(resource="Booking", id=booking_id)
        rows = await work.bookings.history(venue_id, booking_id, after, limit + 1)
    page = rows[:limit]
    next_token = encode_token({"after": page[-1][0]}, signature) if len(rows) > limit else ""
    return [change for _, change in page], next_token
