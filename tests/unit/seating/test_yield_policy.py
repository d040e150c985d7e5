"""The yield policy admits what costs nothing later and refuses what displaces more covers."""

from shared.seating.combinations import Candidate, Seat
from shared.seating.demand import DemandHistory, Observation, tally
from shared.seating.yield_policy import (
    AdmissionRequest,
    Seated,
    YieldSettings,
    decide_admission,
)

MONDAY = 0
SEVEN = 19 * 60
WEEK = 7 * 24 * 60
ON = YieldSettings(enabled=True)


def four_tops(count: int) -> tuple[list[Seat], list[Candidate]]:
    seats = [Seat(f"t{n}", "z", 2, 4, False) for n in range(count)]
    return seats, [Candidate((s.table_id,), s.min_seats, s.max_seats) for s in seats]


def fours_at_seven(per_day: int, days: int = 8, lead: int = 60) -> DemandHistory:
    """Every Monday, `per_day` parties of 4 asked for 19:00 `lead` minutes ahead."""
    return tally([Observation(MONDAY, SEVEN, 4, lead)] * (per_day * days), {MONDAY: days})


def couple_at_seven(lead: int = WEEK) -> AdmissionRequest:
    return AdmissionRequest(2, SEVEN, SEVEN + 105, MONDAY, lead)


def test_a_couple_is_refused_when_forecast_fours_would_fill_the_peak() -> None:
    seats, candidates = four_tops(2)
    decision = decide_admission(seats, candidates, [], couple_at_seven(), fours_at_seven(6), ON)
    assert not decision.admit
    assert decision.expected_gain == 2
    assert decision.expected_loss > 3
    assert (decision.protected_slot_minute, decision.protected_party_size) == (SEVEN, 4)
    assert decision.reason.startswith("protecting 19:00 for forecast 4-tops: expected loss")


def test_a_quiet_night_admits_with_no_expected_loss() -> None:
    seats, candidates = four_tops(10)
    decision = decide_admission(seats, candidates, [], couple_at_seven(), fours_at_seven(1), ON)
    assert decision.admit
    assert decision.expected_loss == 0
    assert decision.reason == ""


def test_a_party_that_fills_its_table_is_admitted_even_at_the_peak() -> None:
    seats, candidates = four_tops(2)
    request = AdmissionRequest(4, SEVEN, SEVEN + 120, MONDAY, WEEK)
    decision = decide_admission(seats, candidates, [], request, fours_at_seven(6), ON)
    assert decision.admit


def test_the_cold_start_admits_everything() -> None:
    seats, candidates = four_tops(2)
    history = fours_at_seven(6, days=ON.min_days_observed - 1)
    decision = decide_admission(seats, candidates, [], couple_at_seven(), history, ON)
    assert decision.admit
    assert decision.expected_loss == 0


def test_yield_off_admits_everything() -> None:
    seats, candidates = four_tops(2)
    decision = decide_admission(
        seats, candidates, [], couple_at_seven(), fours_at_seven(6), YieldSettings()
    )
    assert decision.admit


def test_demand_that_has_already_arrived_is_not_protected() -> None:
    seats, candidates = four_tops(2)
    history = fours_at_seven(6, lead=3 * WEEK // 2)  # the fours book 10 days ahead
    decision = decide_admission(seats, candidates, [], couple_at_seven(lead=60), history, ON)
    assert decision.admit


def test_the_last_free_peak_table_is_kept_but_a_late_slot_is_not() -> None:
    seats, candidates = four_tops(2)
    seated = [Seated(("t0",), SEVEN - 30, SEVEN + 90, 4)]
    history = fours_at_seven(3)
    assert not decide_admission(seats, candidates, seated, couple_at_seven(), history, ON).admit
    late = AdmissionRequest(2, SEVEN + 240, SEVEN + 345, MONDAY, WEEK)
    assert decide_admission(seats, candidates, seated, late, history, ON).admit


def test_the_same_inputs_give_the_same_decision() -> None:
    seats, candidates = four_tops(3)
    history = fours_at_seven(3)
    first = decide_admission(seats, candidates, [], couple_at_seven(), history, ON)
    again = decide_admission(seats, candidates, [], couple_at_seven(), history, ON)
    assert first == again


def test_the_party_is_weighed_at_the_table_it_strands_least_time_on() -> None:
    """t0 is free from 18:30, t1 from 19:00. A couple at 19:00 on t0 would leave 18:30's
    forecast four nowhere; on t1, which it follows without a gap, it costs nothing."""
    seats, candidates = four_tops(2)
    seated = [Seated(("t0",), 17 * 60, SEVEN - 30, 4), Seated(("t1",), 17 * 60, SEVEN, 4)]
    history = tally(
        [Observation(MONDAY, SEVEN - 30, 4, 60)] * (3 * 8), {MONDAY: 8}
    )  # three fours a night at 18:30, an hour ahead
    decision = decide_admission(seats, candidates, seated, couple_at_seven(), history, ON)
    assert decision.admit
    assert decision.expected_loss == 0
