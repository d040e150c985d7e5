"""Validation of a venue policy as a request states it; every violation is listed at once."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import time, timedelta
from itertools import combinations

from services.availability.domain.floor import ServicePeriod, TurnBand
from services.availability.domain.floor_plan import STRATEGIES, VenuePolicy
from services.availability.domain.floor_plan_validation import (
    MAX_PARTY_SIZE,
    Violations,
    check_name,
    check_range,
    raise_if_any,
)
from services.availability.domain.seating_validation import (
    combination_violations,
    knob_violations,
)
from shared.domain_errors import FieldViolation

MAX_PERIOD_NAME = 100
MAX_TABLES_PER_COMBINATION = 10
MAX_PACING = 10_000
MAX_DAYS_OBSERVED = 365  # the yield policy's cold start, in service days of one weekday
MAX_WEIGHT = 1_000  # a strategy's weight; scores stay finite however many strategies add up
MINUTE, SECOND, MILLISECOND = timedelta(minutes=1), timedelta(seconds=1), timedelta(milliseconds=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class PeriodDraft:
    """A service period as a request states it: weekdays 0 = Monday, times as (hours, minutes)."""

    name: str
    weekdays: tuple[int, ...]
    first_seating: tuple[int, int] | None
    last_seating: tuple[int, int] | None


@dataclass(frozen=True)
class PolicyDraft:
    """A policy as a request states it: the periods still raw, everything else typed."""

    periods: tuple[PeriodDraft, ...]
    policy: VenuePolicy


def build_policy(
    draft: PolicyDraft, max_party_size: int, table_ids: frozenset[str] = frozenset()
) -> VenuePolicy:
    """The policy a draft describes; InvalidArgument naming every invalid field."""
    violations, periods = policy_violations(draft, max_party_size, table_ids)
    raise_if_any(violations)
    return dataclasses.replace(draft.policy, service_periods=periods)


def policy_violations(
    draft: PolicyDraft, max_party_size: int, table_ids: frozenset[str] = frozenset()
) -> tuple[Violations, tuple[ServicePeriod, ...]]:
    """Every violation of a draft, and the service periods that were well formed.

    `table_ids` are the venue's tables, which explicit combinations may join.
    """
    out: Violations = []
    periods = _periods(out, draft.periods)
    rules = draft.policy
    _bands(out, rules.turn_bands, max_party_size)
    _duration(out, "policy.slot_interval", rules.slot_interval, unit=MINUTE)
    _duration(out, "policy.cleaning_buffer", rules.cleaning_buffer, unit=MINUTE, zero_ok=True)
    _duration(out, "policy.hold_ttl", rules.hold_ttl, unit=SECOND)
    _duration(out, "policy.freeze_window", rules.freeze_window, unit=MINUTE, zero_ok=True)
    for name, limit in (
        ("max_covers_per_slot", rules.max_covers_per_slot),
        ("max_parties_per_slot", rules.max_parties_per_slot),
    ):
        if limit is not None:
            check_range(out, f"policy.pacing.{name}", limit, 1, MAX_PACING)
    check_range(
        out, "policy.max_tables_per_combination", rules.max_tables_per_combination,
        1, MAX_TABLES_PER_COMBINATION,
    )  # fmt: skip
    if not 0 <= rules.optimizer_threshold_percent <= 100:
        out.append(
            FieldViolation(
                "policy.optimizer_threshold_percent", "field.out_of_range", {"min": 0, "max": 100}
            )
        )
    _retry(out, rules)
    _weights(out, rules.strategy_weights)
    combination_violations(out, rules, table_ids)
    knob_violations(out, rules.knobs)
    check_range(
        out, "policy.yield_settings.min_days_observed", rules.yield_settings.min_days_observed,
        1, MAX_DAYS_OBSERVED,
    )  # fmt: skip
    return out, periods


def _clock(out: Violations, field: str, value: tuple[int, int] | None) -> time | None:
    if value is None:
        out.append(FieldViolation(field, "field.required"))
        return None
    hours, minutes = value
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        out.append(FieldViolation(field, "field.bad_time"))
        return None
    return time(hours, minutes)


def _periods(out: Violations, drafts: tuple[PeriodDraft, ...]) -> tuple[ServicePeriod, ...]:
    built: list[tuple[int, ServicePeriod]] = []
    names: set[str] = set()
    for index, draft in enumerate(drafts):
        path = f"policy.service_periods[{index}]"
        check_name(out, f"{path}.name", draft.name, MAX_PERIOD_NAME)
        if draft.name in names:
            out.append(FieldViolation(f"{path}.name", "field.duplicate"))
        names.add(draft.name)
        if not draft.weekdays:
            out.append(FieldViolation(f"{path}.weekdays", "field.required"))
        for position, day in enumerate(draft.weekdays):
            if not 0 <= day <= 6:
                out.append(FieldViolation(f"{path}.weekdays[{position}]", "field.unknown_weekday"))
        first = _clock(out, f"{path}.first_seating", draft.first_seating)
        last = _clock(out, f"{path}.last_seating", draft.last_seating)
        if first is not None and last is not None:
            if last < first:
                out.append(FieldViolation(f"{path}.last_seating", "field.past_midnight"))
            else:
                days = frozenset(d for d in draft.weekdays if 0 <= d <= 6)
                built.append((index, ServicePeriod(draft.name, days, first, last)))
    _overlaps(out, built)
    return tuple(period for _, period in built)


def _overlaps(out: Violations, built: list[tuple[int, ServicePeriod]]) -> None:
    for (_, one), (index, other) in combinations(built, 2):
        # Both ends are bookable, so periods that merely touch already share a seating time.
        if one.weekdays & other.weekdays and (
            one.first_seating <= other.last_seating and other.first_seating <= one.last_seating
        ):
            out.append(
                FieldViolation(
                    f"policy.service_periods[{index}]", "field.overlapping_period",
                    {"other": one.name},
                )
            )  # fmt: skip


def _bands(out: Violations, bands: tuple[TurnBand, ...], max_party_size: int) -> None:
    before = len(out)
    for index, band in enumerate(bands):
        path = f"policy.turn_time_bands[{index}]"
        check_range(out, f"{path}.min_party_size", band.min_party, 1, MAX_PARTY_SIZE)
        check_range(out, f"{path}.max_party_size", band.max_party, 1, MAX_PARTY_SIZE)
        if 1 <= band.max_party < band.min_party:
            out.append(
                FieldViolation(f"{path}.max_party_size", "field.below_min", {"min": band.min_party})
            )
        _duration(out, f"{path}.turn_duration", band.duration, unit=MINUTE)
    if len(out) > before:
        return  # overlaps and gaps of malformed bands would only repeat the errors above
    ordered = sorted(enumerate(bands), key=lambda pair: pair[1].min_party)
    covered = 0
    for index, band in ordered:
        if band.min_party <= covered:
            out.append(FieldViolation(f"policy.turn_time_bands[{index}]", "field.overlapping_band"))
        elif band.min_party > covered + 1:
            break
        covered = max(covered, band.max_party)
    if covered < max_party_size:
        out.append(
            FieldViolation(
                "policy.turn_time_bands", "field.no_turn_time", {"party_size": covered + 1}
            )
        )


def _duration(
    out: Violations, field: str, value: timedelta, *, unit: timedelta, zero_ok: bool = False
) -> None:
    if value < timedelta(0) or (value == timedelta(0) and not zero_ok):
        out.append(FieldViolation(field, "field.negative" if zero_ok else "field.not_positive"))
    elif value % unit:
        out.append(FieldViolation(field, "field.whole_unit", {"unit": _unit_name(unit)}))
    elif value > DAY:
        out.append(FieldViolation(field, "field.too_large", {"max": "24h"}))


def _unit_name(unit: timedelta) -> str:
    return {MINUTE: "minutes", SECOND: "seconds"}.get(unit, "milliseconds")


def _retry(out: Violations, rules: VenuePolicy) -> None:
    budget, path = rules.retry_budget, "policy.retry_budget"
    check_range(out, f"{path}.max_attempts", budget.max_attempts, 1, 100)
    _duration(out, f"{path}.initial_backoff", budget.initial_backoff, unit=MILLISECOND)
    _duration(out, f"{path}.max_backoff", budget.max_backoff, unit=MILLISECOND)
    if timedelta(0) < budget.max_backoff < budget.initial_backoff:
        out.append(FieldViolation(f"{path}.max_backoff", "field.below_initial_backoff"))
    _duration(out, f"{path}.deadline", budget.deadline, unit=SECOND)


def _weights(out: Violations, weights: tuple[tuple[str, float], ...]) -> None:
    seen: set[str] = set()
    for index, (strategy, weight) in enumerate(weights):
        path = f"policy.strategy_weights[{index}]"
        if strategy not in STRATEGIES:
            out.append(
                FieldViolation(
                    f"{path}.strategy", "field.unknown_strategy", {"allowed": ", ".join(STRATEGIES)}
                )
            )
        elif strategy in seen:
            out.append(FieldViolation(f"{path}.strategy", "field.duplicate"))
        seen.add(strategy)
        if not (math.isfinite(weight) and weight >= 0):
            out.append(FieldViolation(f"{path}.weight", "field.negative"))
        elif weight > MAX_WEIGHT:
            out.append(FieldViolation(f"{path}.weight", "field.too_large", {"max": MAX_WEIGHT}))
