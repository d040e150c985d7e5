"""A booking at a real time and the floor as stored, put to the yield policy's decision."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo

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


def with_venue_turns(
    settings: YieldSettings, turns: Iterable[tuple[int, timedelta]], buffer: timedelta
) -> YieldSettings:
    """The settings with the venue's own turn times as `turn_bands`: each band's largest party
    and its turn plus the cleaning buffer, in whole minutes rounded up, ascending; a venue
    without turn times keeps the settings' bands."""
    bands = tuple(sorted((largest, -(-(turn + buffer) // MINUTE)) for largest, turn in turns))
    return replace(settings, turn_bands=bands) if bands else settings


def local_minute(moment: datetime, day: date, timezone: tzinfo) -> int:
    """Wall-clock minutes from `day`'s local midnight to `moment`, as demand slots count them
    (past midnight runs on: 00:30 the next day is 1470)."""
    local = moment.astimezone(timezone)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


def admission_request(
    party_size: int, start: datetime, blocked_until: datetime, timezone: tzinfo, now: datetime
) -> AdmissionRequest:
    """A party at `start`, holding tables until `blocked_until`, asked for at `now`."""
    day = start.astimezone(timezone).date()
    return AdmissionRequest(
        party_size=party_size,
        start_minute=local_minute(start, day, timezone),
        end_minute=local_minute(blocked_until, day, timezone),
        weekday=day.weekday(),
        lead_minutes=max(0, (start - now) // MINUTE),
    )


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
    request = admission_request(party_size, start, blocked_until, timezone, now)
    day = start.astimezone(timezone).date()
    seated = tuple(
        Seated(
            s.table_ids,
            local_minute(s.start, day, timezone),
            local_minute(s.end, day, timezone),
            s.party_size,
        )
        for s in view.seated
    )
    return decide_admission(view.seats, candidates, seated, request, view.history, view.settings)
