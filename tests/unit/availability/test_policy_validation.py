"""Unit tests of venue policy validation: periods, turn-time bands, durations, limits, weights."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from services.availability.domain.floor import ServicePeriod, TurnBand
from services.availability.domain.policy_validation import build_policy, policy_violations
from shared.domain_errors import InvalidArgument
from shared.seating.yield_policy import YieldSettings
from tests.unit.availability.plan_builders import draft, period, retry

MINUTES = timedelta(minutes=1)


def fields_of(policy_draft, max_party_size: int = 12) -> list[str]:
    violations, _ = policy_violations(policy_draft, max_party_size)
    return [v.field for v in violations]


def test_a_valid_draft_becomes_a_policy_with_its_periods():
    lunch = period("lunch", (0, 1, 2, 3, 4), (12, 0), (14, 30))
    built = build_policy(draft(lunch, period("dinner", (4, 5), (18, 0), (18, 0))), 12)
    assert built.service_periods == (
        ServicePeriod("lunch", frozenset({0, 1, 2, 3, 4}), time(12), time(14, 30)),
        # One seating time only is a period too: both ends are bookable.
        ServicePeriod("dinner", frozenset({4, 5}), time(18), time(18)),
    )


@pytest.mark.parametrize(
    ("periods", "field"),
    [
        ((period(name=""),), "policy.service_periods[0].name"),
        ((period(name="n" * 101),), "policy.service_periods[0].name"),
        ((period(weekdays=()),), "policy.service_periods[0].weekdays"),
        ((period(weekdays=(0, 7)),), "policy.service_periods[0].weekdays[1]"),
        ((period(weekdays=(-1,)),), "policy.service_periods[0].weekdays[0]"),
        ((period(first=None),), "policy.service_periods[0].first_seating"),
        ((period(last=None),), "policy.service_periods[0].last_seating"),
        ((period(first=(24, 0)),), "policy.service_periods[0].first_seating"),
        ((period(last=(22, 60)),), "policy.service_periods[0].last_seating"),
        ((period(first=(22, 0), last=(1, 0)),), "policy.service_periods[0].last_seating"),
        (
            (period("lunch", (0,), (12, 0), (15, 0)), period("lunch", (1,), (12, 0), (15, 0))),
            "policy.service_periods[1].name",
        ),
        (
            (period("lunch", (0, 1), (12, 0), (17, 0)), period("dinner", (1, 2))),
            "policy.service_periods[1]",
        ),
        (
            (period("dinner", (5,)), period("late", (5,), (22, 30), (23, 30))),
            "policy.service_periods[1]",
        ),
    ],
)
def test_each_invalid_service_period_field_is_named(periods, field):
    assert fields_of(draft(*periods)) == [field]


def test_a_period_past_midnight_is_refused_with_its_own_message():
    violations, _ = policy_violations(draft(period(first=(22, 0), last=(1, 0))), 12)
    assert violations[0].key == "field.past_midnight"


def test_periods_at_the_same_hours_on_other_weekdays_do_not_overlap():
    weekdays = period("dinner", (0, 1, 2, 3))
    weekend = period("weekend dinner", (4, 5, 6), (18, 0), (23, 0))
    assert fields_of(draft(weekdays, weekend)) == []


@pytest.mark.parametrize(
    ("bands", "field"),
    [
        ((TurnBand(0, 4, 90 * MINUTES), TurnBand(5, 12, 90 * MINUTES)),
         "policy.turn_time_bands[0].min_party_size"),
        ((TurnBand(1, 4, 90 * MINUTES), TurnBand(5, 101, 90 * MINUTES)),
         "policy.turn_time_bands[1].max_party_size"),
        ((TurnBand(1, 4, 90 * MINUTES), TurnBand(12, 5, 90 * MINUTES)),
         "policy.turn_time_bands[1].max_party_size"),
        ((TurnBand(1, 12, timedelta(0)),), "policy.turn_time_bands[0].turn_duration"),
        ((TurnBand(1, 12, -MINUTES),), "policy.turn_time_bands[0].turn_duration"),
        ((TurnBand(1, 12, timedelta(minutes=90, seconds=30)),),
         "policy.turn_time_bands[0].turn_duration"),
        ((TurnBand(1, 12, timedelta(hours=25)),), "policy.turn_time_bands[0].turn_duration"),
        ((TurnBand(1, 6, 90 * MINUTES), TurnBand(5, 12, 90 * MINUTES)),
         "policy.turn_time_bands[1]"),
        ((TurnBand(1, 4, 90 * MINUTES), TurnBand(6, 12, 90 * MINUTES)),
         "policy.turn_time_bands"),
        ((TurnBand(2, 12, 90 * MINUTES),), "policy.turn_time_bands"),
        ((TurnBand(1, 10, 90 * MINUTES),), "policy.turn_time_bands"),
        ((), "policy.turn_time_bands"),
    ],
)  # fmt: skip
def test_each_invalid_turn_time_band_is_named(bands, field):
    assert fields_of(draft(turn_bands=bands)) == [field]


def test_bands_given_in_any_order_may_cover_more_than_the_largest_party():
    bands = (TurnBand(5, 20, 120 * MINUTES), TurnBand(1, 4, 90 * MINUTES))
    assert fields_of(draft(turn_bands=bands), max_party_size=12) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slot_interval": timedelta(0)}, "policy.slot_interval"),
        ({"slot_interval": timedelta(minutes=7, seconds=30)}, "policy.slot_interval"),
        ({"cleaning_buffer": -MINUTES}, "policy.cleaning_buffer"),
        ({"hold_ttl": timedelta(0)}, "policy.hold_ttl"),
        ({"hold_ttl": timedelta(seconds=1.5)}, "policy.hold_ttl"),
        ({"freeze_window": -MINUTES}, "policy.freeze_window"),
        ({"max_covers_per_slot": -1}, "policy.pacing.max_covers_per_slot"),
        ({"max_parties_per_slot": -3}, "policy.pacing.max_parties_per_slot"),
        ({"max_tables_per_combination": 0}, "policy.max_tables_per_combination"),
        ({"max_tables_per_combination": 11}, "policy.max_tables_per_combination"),
        ({"optimizer_threshold_percent": 100.5}, "policy.optimizer_threshold_percent"),
        ({"optimizer_threshold_percent": float("nan")}, "policy.optimizer_threshold_percent"),
        ({"retry_budget": retry(max_attempts=0)}, "policy.retry_budget.max_attempts"),
        ({"retry_budget": retry(initial_backoff=timedelta(0))},
         "policy.retry_budget.initial_backoff"),
        ({"retry_budget": retry(max_backoff=timedelta(milliseconds=500))},
         "policy.retry_budget.max_backoff"),
        ({"retry_budget": retry(deadline=timedelta(0))}, "policy.retry_budget.deadline"),
        ({"strategy_weights": (("luck", 1.0),)}, "policy.strategy_weights[0].strategy"),
        ({"strategy_weights": (("adjacency", 1.0), ("adjacency", 2.0))},
         "policy.strategy_weights[1].strategy"),
        ({"strategy_weights": (("adjacency", -1.0),)}, "policy.strategy_weights[0].weight"),
        ({"strategy_weights": (("adjacency", 1e308),)}, "policy.strategy_weights[0].weight"),
        ({"strategy_weights": (("adjacency", float("inf")),)},
         "policy.strategy_weights[0].weight"),
    ],
)  # fmt: skip
def test_each_invalid_policy_field_is_named(changes, field):
    assert fields_of(draft(**changes)) == [field]


def test_zero_buffers_and_no_pacing_are_valid():
    relaxed = draft(
        cleaning_buffer=timedelta(0), freeze_window=timedelta(0),
        max_covers_per_slot=None, max_parties_per_slot=None,
    )  # fmt: skip
    assert fields_of(relaxed) == []


def test_every_invalid_policy_field_is_reported_at_once():
    bad = draft(
        period(first=(22, 0), last=(1, 0)), slot_interval=timedelta(0),
        turn_bands=(TurnBand(1, 4, 90 * MINUTES),), strategy_weights=(("luck", 1.0),),
    )  # fmt: skip
    with pytest.raises(InvalidArgument) as raised:
        build_policy(bad, 12)
    assert [v.field for v in raised.value.violations] == [
        "policy.service_periods[0].last_seating",
        "policy.turn_time_bands",
        "policy.slot_interval",
        "policy.strategy_weights[0].strategy",
    ]


@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_yield_cold_start_outside_1_to_365_days_is_invalid(days):
    settings = YieldSettings(enabled=True, min_days_observed=days)
    assert fields_of(draft(yield_settings=settings)) == ["policy.yield_settings.min_days_observed"]


def test_yield_is_off_by_default_and_a_valid_setting_is_kept():
    assert not build_policy(draft(), 12).yield_settings.enabled
    settings = YieldSettings(enabled=True, min_days_observed=365)
    assert build_policy(draft(yield_settings=settings), 12).yield_settings == settings
