"""A booking at a real time and the floor as stored, put to the yield policy's decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from shared.seating.combinations import Candidate, Seat
from shared.seating.demand import DemandHistory
from shared.seating.yield_policy import (
    AdmissionDecision,
    AdmissionRequest,
    Seated,
    YieldSettings,
    decide_admission,
)

MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class SeatedBooking:
    """A booking (or hold) holding tables on the day, as the database has it."""

    table_ids: tuple[str, ...]
    start: datetime
    end: datetime  # the blocked end: turn time and cleaning buffer
    party_size: int


@dataclass(frozen=True)
class YieldView:
    """What the yield decision needs of a venue's day; read only when the policy is on."""

    settings: YieldSettings
    seats: tuple[Seat, ...]
    seated: tuple[SeatedBooking, ...]
    history: DemandHistory  # the counts of the service day's weekday


def admission(
    view: YieldView,
    candidates: Sequence[Candidate],
    *,
    party_size: int,
    start: datetime,
    blocked_until: datetime,
    timezone: tzinfo,
    now: datetime,
) -> AdmissionDecision:
    """The yield policy's decision on seating `party_size` from `start` to `blocked_until`."""
    day = start.astimezone(timezone).date()

    def minute(moment: datetime) -> int:
        """Wall-clock minutes after the service day's midnight, as the demand slots count them."""
        local = moment.astimezone(timezone)
        return (local.date() - day).days * 1440 + local.hour * 60 + local.minute

    seated = tuple(
        Seated(s.table_ids, minute(s.start), minute(s.end), s.party_size) for s in view.seated
    )
    request = AdmissionRequest(
        party_size=party_size,
        start_minute=minute(start),
        end_minute=minute(blocked_until),
        weekday=day.weekday(),
        lead_minutes=max(0, int((start - now) // MINUTE)),
    )
    return decide_admission(view.seats, candidates, seated, request, view.history, view.settings)
