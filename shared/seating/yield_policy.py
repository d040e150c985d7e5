"""The yield (admission) decision: admit a booking, or refuse it to protect forecast demand for the peak."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.seating.combinations import Candidate, Seat
from shared.seating.demand import DemandHistory


@dataclass(frozen=True)
class YieldSettings:
    """The venue's yield policy; off by default.

    Cold start: while fewer than `min_days_observed` service days of the request's weekday are
    in the history, every request that fits is admitted.
    """

    enabled: bool = False
    min_days_observed: int = 4


@dataclass(frozen=True)
class Seated:
    """A booking already holding tables on the service day."""

    table_ids: tuple[str, ...]
    start_minute: int  # local minutes after midnight of the service day
    end_minute: int
    party_size: int


@dataclass(frozen=True)
class AdmissionRequest:
    """The booking being decided."""

    party_size: int
    start_minute: int
    end_minute: int
    weekday: int
    lead_minutes: int  # minutes between now and the requested start


@dataclass(frozen=True)
class AdmissionDecision:
    """Whether to admit, and the expected covers behind the choice."""

    admit: bool
    expected_gain: float  # covers this booking seats
    expected_loss: float  # covers expected to be lost later by seating it now
    protected_slot_minute: int | None
    protected_party_size: int | None
    reason: str  # "" when admitted plainly; else e.g. "protecting 19:30 for forecast 4-tops: ..."


def decide_admission(
    seats: Sequence[Seat],
    candidates: Sequence[Candidate],
    seated: Sequence[Seated],
    request: AdmissionRequest,
    history: DemandHistory,
    settings: YieldSettings,
) -> AdmissionDecision:
    """Admit the request unless seating it now costs more covers in expectation than it gains.

    `seats` are the venue's tables, `candidates` the table sets that may seat a party, `seated`
    the bookings already holding tables that day. The loss is estimated against demand forecast
    from `history` for the rest of the day.
    """
    raise NotImplementedError
