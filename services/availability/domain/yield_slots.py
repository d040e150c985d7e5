"""The yield policy's say in a slot search: the starts it would refuse leave the options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from services.availability.domain.floor import Floor, Policy
from services.availability.domain.occupancy import Facts
from services.availability.domain.slots import SlotOption
from shared.seating.admission import SeatedBooking, YieldView, admission
from shared.seating.combinations import Candidate, Seat
from shared.seating.demand import DemandHistory


def weekdays_of(options: Sequence[SlotOption], policy: Policy) -> set[int]:
    """The local weekdays the options start on: the demand histories a steer needs."""
    return {o.start.astimezone(policy.timezone).weekday() for o in options}


def admitted_options(
    options: Sequence[SlotOption],
    floor: Floor,
    policy: Policy,
    facts: Facts,
    candidates: Sequence[Candidate],
    party_size: int,
    histories: Mapping[int, DemandHistory],
    *,
    now: datetime,
) -> list[SlotOption]:
    """The options the yield policy would admit the party at, in their order.

    Each start is decided as the assigner would decide a booking there, against the tables in
    use now, so a search steers a party refused at the peak to the nearby starts it may keep.
    """
    seats = tuple(
        Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, t.combinable)
        for t in floor.active_tables()
    )
    seated = tuple(
        SeatedBooking(o.table_ids, o.start, o.end, o.party_size) for o in facts.live(now)
    )
    kept = []
    for option in options:
        weekday = option.start.astimezone(policy.timezone).weekday()
        view = YieldView(policy.yield_settings, seats, seated, histories[weekday])
        decision = admission(
            view, candidates, party_size=party_size, start=option.start,
            blocked_until=option.end + policy.cleaning_buffer, timezone=policy.timezone, now=now,
        )  # fmt: skip
        if decision.admit:
            kept.append(option)
    return kept
