"""Use case: create a booking, idempotently by request id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from services.state.application.ports import (
    RequestAlreadyStored,
    UnitOfWork,
    UnitOfWorkFactory,
)
from services.state.domain.demand import demand_request
from services.state.domain.legacy_fingerprint import legacy_fingerprint
from services.state.domain.model import Booking, StateChange, event_for
from services.state.domain.states import BookingState
from services.state.domain.validation import REQUEST_ID, NewBooking, validate_new_booking
from shared.auth import Caller
from shared.domain_errors import DomainError, RequestIdReused
from shared.request_fingerprint import VERSION


async def create_booking(
    new: NewBooking,
    caller: Caller,
    *,
    fingerprint: str,
    uow: UnitOfWorkFactory,
    now: datetime,
    new_id: Callable[[], UUID],
    trace_id: str = "",
) -> Booking:
    """The created booking, or the first response when the request id was seen before.

    `fingerprint` digests the whole request but its request id: a request id seen before
    with another fingerprint is refused as reused. A new request, the usual case, is not looked
    up first: storing its id claims it (a round trip fewer), and an id found taken there sends
    the call to the replay path, as does a request that no longer validates.
    """
    look_first = False
    for _ in range(2):
        try:
            return await _create_once(
                new, fingerprint, caller, uow, now, new_id, trace_id, look_first=look_first
            )
        except RequestAlreadyStored:
            look_first = True  # a replay, or a twin that committed first: answer as it did
    raise RuntimeError("request id conflict did not resolve to a stored request")


async def _create_once(
    new: NewBooking,
    fingerprint: str,
    caller: Caller,
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    new_id: Callable[[], UUID],
    trace_id: str,
    *,
    look_first: bool,
) -> Booking:
    async with uow_factory() as uow:
        if look_first and (replayed := await _replay(uow, new, fingerprint)) is not None:
            return replayed
        # In the same transaction: no second connection and round trips for the rules.
        rules = await uow.venues.get(new.venue_id) if new.venue_id else None
        try:
            end_time = validate_new_booking(new, rules, now=now)
        except DomainError:
            # A replay answers as the first call did, even when its payload would no longer
            # validate (its start has passed, the venue's rules changed).
            if not look_first and (replayed := await _replay(uow, new, fingerprint)) is not None:
                return replayed
            raise
        assert new.start_time is not None
        booking = Booking(
            booking_id=new_id(),
            venue_id=new.venue_id,
            party_size=new.party_size,
            start_time=new.start_time,
            end_time=end_time,
            state=BookingState.CREATED,
            version=1,
            guest_reference=new.guest_reference,
            notes=new.notes,
            preferred_zone_id=new.preferred_zone_id,
            pinned=new.pinned,
            table_ids=(),
            state_reason="created",
            request_id=new.request_id,
            create_time=now,
            update_time=now,
        )
        change = StateChange(
            booking_id=booking.booking_id,
            venue_id=booking.venue_id,
            from_state=None,
            to_state=BookingState.CREATED,
            version=1,
            actor=caller.subject,
            reason="created",
            trace_id=trace_id,
            change_time=now,
        )
        # Every request counts for the yield forecast, those later refused for capacity too.
        assert rules is not None  # validation refuses an unknown venue
        demand = demand_request(
            booking.venue_id, booking.party_size, booking.start_time, rules.timezone, now
        )
        # The request and the event first: adding the booking takes its venue's version row
        # (migration 0008's trigger), which the venue's other writers wait for until commit.
        await uow.bookings.add_request(new.venue_id, new.request_id, fingerprint, booking)
        await uow.bookings.add_event(event_for(booking, change))
        await uow.bookings.add(booking, demand)
        await uow.bookings.add_change(change)
        await uow.commit()
        return booking


async def _replay(uow: UnitOfWork, new: NewBooking, fingerprint: str) -> Booking | None:
    """The first response to this request id; None when the id was never stored."""
    if not (new.venue_id and REQUEST_ID.match(new.request_id)):
        return None
    stored = await uow.bookings.find_request(new.venue_id, new.request_id)
    if stored is None:
        return None
    if not _same_payload(stored.fingerprint, fingerprint, new):
        raise RequestIdReused(request_id=new.request_id)
    return stored.booking


def _same_payload(stored: str, fingerprint: str, new: NewBooking) -> bool:
    """Whether a stored fingerprint is this request's, in the form its release wrote it."""
    if stored.startswith(VERSION):
        return stored == fingerprint
    return stored == legacy_fingerprint(new)
