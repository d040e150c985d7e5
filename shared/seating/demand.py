"""Demand the yield forecast learns from: request counts per weekday, slot, party and lead."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SLOT_MINUTES = 15
# Minutes; lead bucket i holds leads below bound i, the last one (len(bounds)) 7 days and more.
LEAD_BUCKET_BOUNDS = (60, 180, 1440, 4320, 10080)


def slot_of(local_minute: int) -> int:
    """The slot a local minute falls in: the minute floored to SLOT_MINUTES."""
    return local_minute - local_minute % SLOT_MINUTES


def lead_bucket_of(lead_minutes: int) -> int:
    """The lead bucket (0..len(LEAD_BUCKET_BOUNDS)) of a request made `lead_minutes` ahead."""
    for index, bound in enumerate(LEAD_BUCKET_BOUNDS):
        if lead_minutes < bound:
            return index
    return len(LEAD_BUCKET_BOUNDS)


@dataclass(frozen=True)
class DemandCell:
    """How many requests a venue saw for one weekday, slot, party size and lead bucket."""

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


@dataclass(frozen=True)
class Observation:
    """One request as the forecast counts it: when it was for, how many, how far ahead."""

    weekday: int
    start_minute: int  # local minutes after midnight of the service day
    party_size: int
    lead_minutes: int


def tally(observations: Iterable[Observation], days_observed: Mapping[int, int]) -> DemandHistory:
    """The DemandHistory of some requests over service days (`days_observed` per weekday)."""
    counts: Counter[tuple[int, int, int, int]] = Counter(
        (o.weekday, slot_of(o.start_minute), o.party_size, lead_bucket_of(max(o.lead_minutes, 0)))
        for o in observations
    )
    cells = tuple(DemandCell(*key, requests=n) for key, n in sorted(counts.items()))
    return DemandHistory(cells, dict(days_observed))
