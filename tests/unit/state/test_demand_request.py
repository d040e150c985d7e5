"""A created booking's request as the demand counts key it: local weekday, slot, lead bucket."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.state.domain.demand import demand_request
from shared.seating.demand import LEAD_BUCKET_BOUNDS

TOKYO = ZoneInfo("Asia/Tokyo")


def test_the_slot_weekday_and_date_are_the_venues_local_ones():
    start = datetime(2026, 7, 3, 23, 40, tzinfo=UTC)  # Saturday 08:40 in Tokyo
    counted = demand_request("v", 3, start, TOKYO, start - timedelta(hours=2))
    assert counted.service_date == date(2026, 7, 4)
    assert (counted.weekday, counted.slot_minute, counted.party_size) == (5, 8 * 60 + 30, 3)
    assert counted.lead_bucket == 1  # two hours ahead: 60 to 180 minutes


def test_each_lead_bound_starts_the_next_bucket():
    start = datetime(2026, 7, 3, 19, tzinfo=UTC)
    buckets = [
        demand_request("v", 2, start, UTC, start - timedelta(minutes=bound)).lead_bucket
        for bound in (0, *LEAD_BUCKET_BOUNDS)
    ]
    assert buckets == list(range(len(LEAD_BUCKET_BOUNDS) + 1))


def test_a_request_for_a_start_already_past_counts_with_no_lead():
    start = datetime(2026, 7, 3, 19, tzinfo=UTC)
    assert demand_request("v", 2, start, UTC, start + timedelta(minutes=30)).lead_bucket == 0
