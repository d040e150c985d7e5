"""The request check: values no field may hold are named by their path, clean requests pass."""

from __future__ import annotations

import math

import pytest
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from shared.request_check import MAX_REPEATED, MAX_STRING, request_violations
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as assigner
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as floor
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as floor_api
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as optimizer
from shared.stubs.maitred.optimizer.v1 import plan_pb2
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state


def create(**booking: object) -> state.CreateBookingRequest:
    return state.CreateBookingRequest(
        venue_id="venue-a", request_id="r-1", booking=booking_pb2.Booking(**booking)
    )


def fields_of(message) -> list[str]:
    return [violation.field for violation in request_violations(message)]


def test_a_clean_request_has_no_violations():
    request = create(party_size=4, start_time=Timestamp(seconds=1_796_758_200), notes="window")
    assert request_violations(request) == []


@pytest.mark.parametrize(
    ("seconds", "nanos"),
    [
        (1_796_758_200, -1),
        (1_796_758_200, 1_000_000_000),
        (-62_135_596_801, 0),
        (253_402_300_800, 0),
        (2**63 - 1, 0),
        (-(2**63), 0),
    ],
)
def test_a_timestamp_outside_the_protobuf_range_is_named_by_its_path(seconds, nanos):
    request = create(party_size=4, start_time=Timestamp(seconds=seconds, nanos=nanos))
    assert fields_of(request) == ["booking.start_time"]
    assert request_violations(request)[0].key == "field.out_of_range"


@pytest.mark.parametrize(
    ("seconds", "nanos"), [(-62_135_596_800, 0), (253_402_300_799, 999_999_999), (0, 0)]
)
def test_the_extreme_valid_timestamps_pass(seconds, nanos):
    assert fields_of(create(start_time=Timestamp(seconds=seconds, nanos=nanos))) == []


@pytest.mark.parametrize(
    ("seconds", "nanos"),
    [(2**63 - 1, 0), (315_576_000_001, 0), (-315_576_000_001, 0), (1, -1), (-1, 1), (0, 10**9)],
)
def test_a_duration_outside_the_protobuf_range_or_with_bad_nanos_is_named(seconds, nanos):
    request = assigner.PlaceHoldRequest(
        venue_id="venue-a", ttl=Duration(seconds=seconds, nanos=nanos)
    )
    assert fields_of(request) == ["ttl"]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_float_that_is_not_finite_is_named_by_its_nested_path(value):
    request = optimizer.OptimizeVenueDayRequest(
        venue_id="venue-a", options=plan_pb2.OptimizeOptions(move_penalty=value)
    )
    assert fields_of(request) == ["options.move_penalty"]
    assert request_violations(request)[0].key == "field.not_finite"


def test_a_nul_character_in_any_string_is_named_with_repeated_indexes():
    request = floor_api.UpdateVenuePolicyRequest(
        venue_id="venue-a",
        policy=floor.VenuePolicy(
            strategy_weights=[
                floor.StrategyWeight(strategy="exact_fit", weight=1),
                floor.StrategyWeight(strategy="adj\x00acency", weight=1),
            ]
        ),
    )
    assert fields_of(request) == ["policy.strategy_weights[1].strategy"]
    assert request_violations(request)[0].key == "field.nul_character"


def test_a_string_over_the_maximum_is_too_long_and_one_at_it_passes():
    assert fields_of(create(notes="x" * MAX_STRING)) == []
    assert fields_of(create(notes="x" * (MAX_STRING + 1))) == ["booking.notes"]


def test_a_repeated_field_over_the_maximum_is_refused_whole():
    request = assigner.ManualAssignRequest(venue_id="venue-a", table_ids=["t"] * (MAX_REPEATED + 1))
    assert fields_of(request) == ["table_ids"]


def test_an_enum_number_the_contract_does_not_define_is_named():
    request = state.ListBookingsRequest(venue_id="venue-a", states=[3, 999])
    assert fields_of(request) == ["states[1]"]


def test_every_bad_field_is_listed():
    request = create(
        party_size=4, start_time=Timestamp(seconds=1, nanos=-5), notes="\x00", guest_reference="x"
    )
    assert sorted(fields_of(request)) == ["booking.notes", "booking.start_time"]
