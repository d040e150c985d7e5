"""Translations of a policy's combinations and seating knobs between protos and the domain."""

from __future__ import annotations

from typing import Any

from google.protobuf.duration_pb2 import Duration

from services.availability.domain.floor_plan import VenuePolicy
from shared.seating.combinations import CombinationRule, ExplicitCombination
from shared.seating.knobs import SeatingKnobs
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as pb


def seating_to_proto(policy: VenuePolicy) -> dict[str, Any]:
    """The VenuePolicy fields of the combination rule, explicit combinations and knobs; a rule
    or knobs left at their defaults stay unset, as a venue that sets nothing sent them."""
    rule, knobs = policy.combination_rule, policy.knobs
    fields: dict[str, Any] = {
        "table_combinations": [
            pb.TableCombination(
                table_ids=list(c.table_ids),
                min_covers=c.min_covers,
                max_covers=c.max_covers,
                priority=c.priority,
            )
            for c in policy.table_combinations
        ],
    }
    if rule != CombinationRule():
        fields["combination_rule"] = pb.CombinationRule(
            seats_lost_per_join=rule.seats_lost_per_join, min_covers=rule.min_covers
        )
    if knobs != SeatingKnobs():
        limit, horizon = Duration(), Duration()
        limit.FromTimedelta(knobs.rescue_time_limit)
        horizon.FromTimedelta(knobs.look_ahead_horizon)
        fields["seating_knobs"] = pb.SeatingKnobs(
            rescue_time_limit=limit,
            rescue_max_movers=knobs.rescue_max_movers,
            look_ahead_horizon=horizon,
        )
    return fields


def seating_from_proto(policy: pb.VenuePolicy) -> dict[str, Any]:
    """The domain's combination fields and knobs as a request states them; knobs it leaves
    unset keep the domain's defaults."""
    rule = policy.combination_rule
    return {
        "combination_rule": CombinationRule(rule.seats_lost_per_join, rule.min_covers),
        "table_combinations": tuple(
            ExplicitCombination(tuple(c.table_ids), c.min_covers, c.max_covers, c.priority)
            for c in policy.table_combinations
        ),
        "knobs": _knobs(policy),
    }


def _knobs(policy: pb.VenuePolicy) -> SeatingKnobs:
    default = SeatingKnobs()
    if not policy.HasField("seating_knobs"):
        return default
    given = policy.seating_knobs
    return SeatingKnobs(
        rescue_time_limit=given.rescue_time_limit.ToTimedelta()
        if given.HasField("rescue_time_limit")
        else default.rescue_time_limit,
        rescue_max_movers=given.rescue_max_movers or default.rescue_max_movers,
        look_ahead_horizon=given.look_ahead_horizon.ToTimedelta()
        if given.HasField("look_ahead_horizon")
        else default.look_ahead_horizon,
    )
