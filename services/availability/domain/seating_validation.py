"""Validation of a policy's combinations (the derived rule, explicit ones) and seating knobs."""

from __future__ import annotations

from datetime import timedelta

from services.availability.domain.floor_plan import VenuePolicy
from services.availability.domain.floor_plan_validation import (
    MAX_PARTY_SIZE,
    Violations,
    check_range,
)
from shared.domain_errors import FieldViolation
from shared.seating.knobs import (
    MAX_LOOK_AHEAD_HORIZON,
    MAX_RESCUE_MOVERS,
    MAX_RESCUE_TIME_LIMIT,
    SeatingKnobs,
)

MAX_COMBINATIONS = 500
MAX_TABLES_PER_EXPLICIT = 10
MAX_SEATS_LOST_PER_JOIN = 20
MAX_PRIORITY = 1_000


def combination_violations(out: Violations, rules: VenuePolicy, table_ids: frozenset[str]) -> None:
    """The derived rule's numbers, and each explicit combination against the venue's tables."""
    rule = rules.combination_rule
    path = "policy.combination_rule"
    check_range(out, f"{path}.seats_lost_per_join", rule.seats_lost_per_join, 0,
                MAX_SEATS_LOST_PER_JOIN)  # fmt: skip
    check_range(out, f"{path}.min_covers", rule.min_covers, 0, MAX_PARTY_SIZE)
    combinations = rules.table_combinations
    if len(combinations) > MAX_COMBINATIONS:
        out.append(FieldViolation("policy.table_combinations", "field.too_many",
                                  {"max": MAX_COMBINATIONS}))  # fmt: skip
        return
    seen: set[frozenset[str]] = set()
    for index, combination in enumerate(combinations):
        path = f"policy.table_combinations[{index}]"
        members = combination.table_ids
        check_range(out, f"{path}.table_ids", len(set(members)), 2, MAX_TABLES_PER_EXPLICIT)
        for position, table_id in enumerate(members):
            if table_id not in table_ids:
                out.append(FieldViolation(f"{path}.table_ids[{position}]", "field.unknown_table"))
            elif table_id in members[:position]:
                out.append(FieldViolation(f"{path}.table_ids[{position}]", "field.duplicate"))
        if frozenset(members) in seen:
            out.append(FieldViolation(f"{path}.table_ids", "field.duplicate"))
        seen.add(frozenset(members))
        check_range(out, f"{path}.min_covers", combination.min_covers, 1, MAX_PARTY_SIZE)
        check_range(out, f"{path}.max_covers", combination.max_covers, 1, MAX_PARTY_SIZE)
        if 1 <= combination.max_covers < combination.min_covers:
            out.append(FieldViolation(f"{path}.max_covers", "field.below_min",
                                      {"min": combination.min_covers}))  # fmt: skip
        check_range(out, f"{path}.priority", combination.priority, 0, MAX_PRIORITY)


def knob_violations(out: Violations, knobs: SeatingKnobs) -> None:
    """The rescue time limit and movers, and the look-ahead horizon, each in its range."""
    path = "policy.seating_knobs"
    _span(out, f"{path}.rescue_time_limit", knobs.rescue_time_limit,
          timedelta(milliseconds=1), MAX_RESCUE_TIME_LIMIT)  # fmt: skip
    check_range(out, f"{path}.rescue_max_movers", knobs.rescue_max_movers, 1, MAX_RESCUE_MOVERS)
    _span(out, f"{path}.look_ahead_horizon", knobs.look_ahead_horizon,
          timedelta(minutes=1), MAX_LOOK_AHEAD_HORIZON)  # fmt: skip


def _span(out: Violations, field: str, value: timedelta, unit: timedelta, high: timedelta) -> None:
    if value <= timedelta(0):
        out.append(FieldViolation(field, "field.not_positive"))
    elif value % unit:
        name = "milliseconds" if unit < timedelta(seconds=1) else "minutes"
        out.append(FieldViolation(field, "field.whole_unit", {"unit": name}))
    elif value > high:
        out.append(FieldViolation(field, "field.too_large", {"max": str(high)}))
