"""The yield policy's say in a slot search: the starts it would refuse leave the options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from services.availability.domain.floor import Floor, Policy
from services.availability.domain.occupancy import Facts
from services.availability.domain.slots import SlotOption
from shared.seating.admission import SeatedBooking, YieldView, admission, with_venue_turns
from shared.seating.combinations import Candidate, Seat
from shared.seating.demand import DemandHistory

# A steered search decides at most this many starts (six hours of a 15-minute grid): each
# decision samples demand scenarios, so a whole day's starts would cost a widget too long.
MAX_DECISIONS = 24


def service_dates_of(options: Sequence[SlotOption], policy: Policy) -> set[date]:
    """The local service dates of the starts a steer may decide: the demand histories it needs."""
    return {o.start.astimezone(policy.timezone).date() for o in options[:MAX_DECISIONS]}


def steered_options(
    options: Sequence[SlotOption],
    anchor: datetime,
    floor: Floor,
    policy: Policy,
    facts: Facts,
    candidates: Sequence[Candidate],
    party_size: int,
    histories: Mapping[date, DemandHistory],
    *,
    now: datetime,
    limit: int,
) -> list[SlotOption]:
    """The ranked options as they are when the yield policy admits the party at the asked start
    (or that start is not offered); else the ones it admits, nearest the asked start first.

    Each start is decided as the assigner would decide a booking there, against the tables in
    use now, so a party refused at the peak is steered to the nearby starts it may keep. At
    most MAX_DECISIONS starts are decided; the ones beyond are not offered.
    """
    seats = tuple(
        Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, t.combinable)
        for t in floor.active_tables()
    )
    seated = tuple(
        SeatedBooking(o.table_ids, o.start, o.end, o.party_size) for o in facts.live(now)
    )
    settings = with_venue_turns(
        policy.yield_settings,
        ((band.max_party, band.duration) for band in policy.turn_bands),
        policy.cleaning_buffer,
    )

    def admits(option: SlotOption) -> bool:
        day = option.start.astimezone(policy.timezone).date()
        view = YieldView(settings, seats, seated, histories[day])
        return admission(
            view,
            candidates,
            party_size=party_size,
            start=option.start,
            blocked_until=option.end + policy.cleaning_buffer,
            timezone=policy.timezone,
            now=now,
        ).admit

    asked = next((o for o in options if o.start == anchor), None)
    if asked is None or admits(asked):
        return list(options[:limit])
    kept = [o for o in options[:MAX_DECISIONS] if o is not asked and admits(o)]
    return kept[:limit]
