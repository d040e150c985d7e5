"""A booking request as the yield forecast counts it: local weekday, slot, party size, lead time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from shared.seating.demand import lead_bucket_of, slot_of


@dataclass(frozen=True)
class DemandRequest:
    """One request for the venue's demand counts; it names no guest."""

    venue_id: str
    service_date: date  # the local date of the requested start
    weekday: int  # 0 = Monday, local
    slot_minute: int
    party_size: int
    lead_bucket: int


def demand_request(
    venue_id: str, party_size: int, start: datetime, timezone: tzinfo, now: datetime
) -> DemandRequest:
    """The counted form of a request for `party_size` at `start`, made at `now`."""
    local = start.astimezone(timezone)
    lead = max(0, (start - now) // timedelta(minutes=1))
    return DemandRequest(
        venue_id=venue_id,
        service_date=local.date(),
        weekday=local.weekday(),
        slot_minute=slot_of(local.hour * 60 + local.minute),
        party_size=party_size,
        lead_bucket=lead_bucket_of(lead),
    )
