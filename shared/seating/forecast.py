"""The demand forecast: expected requests still to come per slot and party size, from history.

Cold start: a weekday with fewer observed service days than the caller's minimum has no
forecast (`learn` returns None), and the yield policy then admits every request.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.seating.demand import LEAD_BUCKET_BOUNDS, DemandHistory, lead_bucket_of

# The last lead bucket (a week and more) is taken to span one more week, for interpolation.
LAST_BUCKET_SPAN = 10080


@dataclass(frozen=True)
class Forecast:
    """Mean requests per service day of one weekday, by (slot minute, party size, lead bucket)."""

    weekday: int
    days_observed: int
    rates: dict[tuple[int, int, int], float]

    def remaining(self, now_minute: int) -> dict[tuple[int, int], float]:
        """Expected requests still to come, per (slot minute, party size), seen at `now_minute`.

        `now_minute` is local minutes after midnight of the service day (negative on earlier
        days). A request for slot s arrives later than now when its lead is below s - now: the
        buckets wholly below count fully, the bucket holding s - now counts pro rata, as if
        requests were spread evenly over its leads. Slots already started get nothing.
        """
        found: dict[tuple[int, int], float] = {}
        for (slot, party, bucket), rate in self.rates.items():
            share = _share_below(bucket, slot - now_minute)
            if share > 0:
                found[(slot, party)] = found.get((slot, party), 0.0) + rate * share
        return found


def learn(history: DemandHistory, weekday: int, min_days: int = 1) -> Forecast | None:
    """The forecast of a weekday; None while fewer than `min_days` (at least 1) days are known."""
    days = history.days_observed.get(weekday, 0)
    if days < max(min_days, 1):
        return None
    rates: dict[tuple[int, int, int], float] = {}
    for cell in history.cells:
        if cell.weekday == weekday and cell.requests > 0:
            key = (cell.slot_minute, cell.party_size, cell.lead_bucket)
            rates[key] = rates.get(key, 0.0) + cell.requests / days
    return Forecast(weekday, days, rates)


def _share_below(bucket: int, lead: int) -> float:
    """The share of a lead bucket's requests whose lead is below `lead` minutes."""
    if lead <= 0:
        return 0.0
    low = LEAD_BUCKET_BOUNDS[bucket - 1] if bucket > 0 else 0
    last = bucket == len(LEAD_BUCKET_BOUNDS)
    high = low + LAST_BUCKET_SPAN if last else LEAD_BUCKET_BOUNDS[bucket]
    here = lead_bucket_of(lead)
    if bucket < here:
        return 1.0
    if bucket > here:
        return 0.0
    return min(max((lead - low) / (high - low), 0.0), 1.0)
