"""Demand observations the yield forecast learns from: request counts per weekday, slot, party size and lead time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SLOT_MINUTES = 15
# Minutes; lead bucket i holds leads below bound i, the last bucket (len(bounds)) holds 7 days and more.
LEAD_BUCKET_BOUNDS = (60, 180, 1440, 4320, 10080)


def slot_of(local_minute: int) -> int:
    """The slot a local minute falls in: the minute floored to SLOT_MINUTES."""
    return local_minute - local_minute % SLOT_MINUTES


def lead_bucket_of(lead_minutes: int) -> int:
    """The lead bucket (0..len(LEAD_BUCKET_BOUNDS)) of a request made `lead_minutes` before its start."""
    for index, bound in enumerate(LEAD_BUCKET_BOUNDS):
        if lead_minutes < bound:
            return index
    return len(LEAD_BUCKET_BOUNDS)


@dataclass(frozen=True)
class DemandCell:
    """How many requests a venue saw for one weekday, slot, party size and lead bucket (no guest data)."""

    weekday: int  # 0 = Monday, in the venue's time zone
    slot_minute: int  # requested start, minutes after local midnight, a multiple of SLOT_MINUTES
    party_size: int
    lead_bucket: int
    requests: int  # requests seen, refused and unseated ones included


@dataclass(frozen=True)
class DemandHistory:
    """The counts over past service days, and how many service days of each weekday they cover."""

    cells: tuple[DemandCell, ...]
    days_observed: Mapping[int, int]  # weekday -> service days counted for that weekday
