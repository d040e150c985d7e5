"""The venue's seating knobs (rescue effort, look-ahead reach) and their one set of defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

MAX_RESCUE_TIME_LIMIT = timedelta(seconds=2)  # FindRescuePlan's own maximum
MAX_RESCUE_MOVERS = 200
MAX_LOOK_AHEAD_HORIZON = timedelta(hours=24)


@dataclass(frozen=True)
class SeatingKnobs:
    """How hard the suite tries to seat a party; part of the venue's policy, never the process's.

    rescue_time_limit: the longest a re-pack search runs before a refusal stands.
    rescue_max_movers: the most bookings one re-pack may move.
    look_ahead_horizon: how far before and after a booking the engine looks for the bookings
    its look-ahead strategy protects.
    """

    rescue_time_limit: timedelta = timedelta(milliseconds=500)
    rescue_max_movers: int = 40
    look_ahead_horizon: timedelta = timedelta(hours=12)
