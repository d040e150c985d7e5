"""Combinations and seating knobs in the venue policy, through FloorPlanService: validated,
stored, read back, and guarded against stranding live assignments."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as pb
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as api
from tests.service.availability_fixtures import (
    OPS,
    BuiltVenue,
    assign,
    build_venue,
    floor_plan_address_fixture,  # noqa: F401 (a fixture)
    floor_plans_fixture,  # noqa: F401 (a fixture)
    policy_proto,
)
from tests.service.conftest import details_of


def combination(venue: BuiltVenue, names: list[str], low: int, high: int, priority: int = 0):
    return pb.TableCombination(
        table_ids=[venue.id(n) for n in names], min_covers=low, max_covers=high, priority=priority
    )


async def update_policy(floor_plans, venue: BuiltVenue, policy: pb.VenuePolicy, **options):
    return await floor_plans.UpdateVenuePolicy(
        api.UpdateVenuePolicyRequest(
            venue_id=venue.venue_id, policy=policy, expected_version=venue.version, **options
        ),
        metadata=OPS,
    )


async def refused(floor_plans, venue: BuiltVenue, policy: pb.VenuePolicy) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await update_policy(floor_plans, venue, policy)
    return raised.value


async def test_combinations_and_knobs_are_stored_and_read_back(floor_plans, unique):
    venue = await build_venue(floor_plans, unique("combos"))
    policy = policy_proto(
        combination_rule=pb.CombinationRule(seats_lost_per_join=2, min_covers=5),
        table_combinations=[combination(venue, ["t3", "t1"], 6, 9, priority=3)],
        seating_knobs=pb.SeatingKnobs(
            rescue_time_limit=Duration(nanos=250_000_000),
            rescue_max_movers=12,
            look_ahead_horizon=Duration(seconds=3 * 3600),
        ),
    )
    await update_policy(floor_plans, venue, policy)
    read = (
        await floor_plans.GetVenuePolicy(
            api.GetVenuePolicyRequest(venue_id=venue.venue_id), metadata=OPS
        )
    ).policy
    assert (read.combination_rule.seats_lost_per_join, read.combination_rule.min_covers) == (2, 5)
    [stored] = read.table_combinations
    assert list(stored.table_ids) == [venue.id("t3"), venue.id("t1")]
    assert (stored.min_covers, stored.max_covers, stored.priority) == (6, 9, 3)
    knobs = read.seating_knobs
    assert knobs.rescue_time_limit.ToMilliseconds() == 250
    assert knobs.rescue_max_movers == 12
    assert knobs.look_ahead_horizon.ToSeconds() == 3 * 3600


async def test_a_policy_that_sets_nothing_new_reads_back_without_rule_combinations_or_knobs(
    floor_plans, unique
):
    venue = await build_venue(floor_plans, unique("plain"))
    read = (
        await floor_plans.GetVenuePolicy(
            api.GetVenuePolicyRequest(venue_id=venue.venue_id), metadata=OPS
        )
    ).policy
    assert not read.HasField("combination_rule") and not read.HasField("seating_knobs")
    assert list(read.table_combinations) == []


async def test_bad_combinations_and_knobs_are_invalid_naming_each_field(floor_plans, unique):
    venue = await build_venue(floor_plans, unique("badcombo"))
    other = await build_venue(floor_plans, unique("othervenue"))
    policy = policy_proto(
        combination_rule=pb.CombinationRule(seats_lost_per_join=-1, min_covers=-2),
        table_combinations=[
            pb.TableCombination(table_ids=[venue.id("t1"), "nowhere"], min_covers=2, max_covers=6),
            pb.TableCombination(
                table_ids=[venue.id("t1"), other.id("t2")], min_covers=2, max_covers=6
            ),
            combination(venue, ["t1", "t2"], 7, 5),
            combination(venue, ["t2", "t1"], 2, 8),
            combination(venue, ["t3"], 2, 6),
            combination(venue, ["t2", "t3"], 0, 6, priority=-1),
        ],
    )  # fmt: skip
    error = await refused(floor_plans, venue, policy)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = {v.field for v in details_of(error)["BadRequest"].field_violations}
    combos = "policy.table_combinations"
    assert fields == {
        "policy.combination_rule.seats_lost_per_join",
        "policy.combination_rule.min_covers",
        f"{combos}[0].table_ids[1]",  # no such table
        f"{combos}[1].table_ids[1]",  # another venue's table
        f"{combos}[2].max_covers",  # below its min_covers
        f"{combos}[3].table_ids",  # the same tables as [2]
        f"{combos}[4].table_ids",  # one table is no combination
        f"{combos}[5].min_covers",
        f"{combos}[5].priority",
    }
    read = await floor_plans.GetVenuePolicy(
        api.GetVenuePolicyRequest(venue_id=venue.venue_id), metadata=OPS
    )
    assert read.venue_version == venue.version and list(read.policy.table_combinations) == []


async def test_knobs_out_of_range_are_invalid_naming_each_knob(floor_plans, unique):
    venue = await build_venue(floor_plans, unique("badknobs"))
    knobs = pb.SeatingKnobs(
        rescue_time_limit=Duration(seconds=3),
        rescue_max_movers=-4,
        look_ahead_horizon=Duration(seconds=-60),
    )
    error = await refused(floor_plans, venue, policy_proto(seating_knobs=knobs))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = {v.field: v.description for v in details_of(error)["BadRequest"].field_violations}
    assert set(violations) == {
        "policy.seating_knobs.rescue_time_limit",
        "policy.seating_knobs.rescue_max_movers",
        "policy.seating_knobs.look_ahead_horizon",
    }
    assert "at most" in violations["policy.seating_knobs.rescue_time_limit"]


async def test_seats_lost_per_join_that_leave_a_seated_party_short_strand_it(
    floor_plans, bookings, unique, engine
):
    venue = await build_venue(floor_plans, unique("lost"))
    booking = await assign(bookings, engine, venue.venue_id, [venue.id("t1"), venue.id("t2")], 8)
    lossy = policy_proto(combination_rule=pb.CombinationRule(seats_lost_per_join=1))
    error = await refused(floor_plans, venue, lossy)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    info = details_of(error)["ErrorInfo"]
    assert (info.reason, info.metadata["booking_ids"]) == ("STRANDS_BOOKINGS", booking.booking_id)
    assert "seat 7, the party is 8" in error.details()
    # An explicit combination of the same tables keeps its own covers: nobody is stranded.
    explicit = policy_proto(
        combination_rule=pb.CombinationRule(seats_lost_per_join=1),
        table_combinations=[combination(venue, ["t1", "t2"], 6, 8)],
    )
    response = await update_policy(floor_plans, venue, explicit)
    assert list(response.stranded_booking_ids) == []


async def test_removing_the_explicit_combination_a_party_sits_at_strands_it(
    floor_plans, bookings, unique, engine
):
    venue = await build_venue(floor_plans, unique("explicit"))
    with_combination = policy_proto(table_combinations=[combination(venue, ["t1", "t3"], 6, 10)])
    venue.version = (await update_policy(floor_plans, venue, with_combination)).venue_version
    # t1 and t3 are not adjacent: only the explicit combination lets them seat a party.
    booking = await assign(bookings, engine, venue.venue_id, [venue.id("t1"), venue.id("t3")], 9)
    response = await update_policy(floor_plans, venue, policy_proto(), validate_only=True)
    assert list(response.stranded_booking_ids) == [booking.booking_id]
