"""The demand counts and the forecast of requests still to come."""

from shared.seating.demand import (
    LEAD_BUCKET_BOUNDS,
    DemandCell,
    Observation,
    lead_bucket_of,
    slot_of,
    tally,
)
from shared.seating.forecast import learn

MONDAY, TUESDAY = 0, 1
SEVEN = 19 * 60


def test_slots_and_lead_buckets_floor_to_their_grid() -> None:
    assert slot_of(SEVEN + 14) == SEVEN
    assert [lead_bucket_of(m) for m in (0, 59, 60, 179, 180, 1439, 4320, 10079, 10080)] == [
        0, 0, 1, 1, 2, 2, 4, 4, len(LEAD_BUCKET_BOUNDS)
    ]  # fmt: skip


def test_tally_counts_requests_per_cell_without_guest_data() -> None:
    history = tally(
        [
            Observation(MONDAY, SEVEN + 5, 4, 30),
            Observation(MONDAY, SEVEN, 4, 45),
            Observation(MONDAY, SEVEN, 2, 45),
        ],
        {MONDAY: 1},
    )
    assert set(history.cells) == {
        DemandCell(MONDAY, SEVEN, 4, 0, 2),
        DemandCell(MONDAY, SEVEN, 2, 0, 1),
    }


def test_a_weekday_with_too_few_days_has_no_forecast() -> None:
    history = tally([Observation(MONDAY, SEVEN, 4, 30)], {MONDAY: 3})
    assert learn(history, MONDAY, min_days=4) is None
    assert learn(history, TUESDAY) is None
    assert learn(history, MONDAY, min_days=3) is not None


def test_remaining_counts_only_requests_that_arrive_after_now_per_day() -> None:
    # Over 2 Mondays: 4 requests a week ahead, 2 in the last half hour.
    observations = [Observation(MONDAY, SEVEN, 4, 8000)] * 4
    observations += [Observation(MONDAY, SEVEN, 4, 30)] * 2
    forecast = learn(tally(observations, {MONDAY: 2}), MONDAY)
    assert forecast is not None
    assert forecast.remaining(SEVEN - 20000) == {(SEVEN, 4): 3.0}
    assert forecast.remaining(SEVEN - 120) == {(SEVEN, 4): 1.0}
    assert forecast.remaining(SEVEN - 15) == {(SEVEN, 4): 0.25}  # a quarter of bucket 0's leads
    assert forecast.remaining(SEVEN) == {}


def test_other_weekdays_do_not_leak_into_a_forecast() -> None:
    history = tally(
        [Observation(MONDAY, SEVEN, 2, 30), Observation(TUESDAY, SEVEN, 6, 30)],
        {MONDAY: 1, TUESDAY: 1},
    )
    forecast = learn(history, TUESDAY)
    assert forecast is not None
    assert forecast.remaining(0) == {(SEVEN, 6): 1.0}
