"""Unit tests of venue, zone, table and adjacency validation: every invalid field is named."""

from __future__ import annotations

import dataclasses

import pytest

from services.availability.domain.floor_plan import Venue, Zone
from services.availability.domain.floor_plan_validation import (
    edges_of,
    new_venue_violations,
    table_violations,
    venue_update_violations,
    zone_violations,
)
from shared.domain_errors import InvalidArgument
from tests.unit.availability.plan_builders import plan, table

VENUE = Venue("bistro-1", "Bistro", "Europe/London", 12)


def fields(violations) -> list[str]:
    return [v.field for v in violations]


def test_a_valid_venue_zone_and_table_pass():
    assert new_venue_violations(VENUE, "req-1") == []
    assert venue_update_violations(plan(), VENUE) == []
    assert zone_violations(Zone("v1", "bar", "Bar"), request_id="req-2") == []
    assert table_violations(plan(), table("t9", 1, 50), request_id="req-3") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"venue_id": ""}, "venue_id"),
        ({"venue_id": "Bistro"}, "venue_id"),
        ({"venue_id": "-bistro"}, "venue_id"),
        ({"venue_id": "b" * 64}, "venue_id"),
        ({"display_name": ""}, "venue.display_name"),
        ({"display_name": "  "}, "venue.display_name"),
        ({"display_name": "n" * 201}, "venue.display_name"),
        ({"time_zone": ""}, "venue.time_zone"),
        ({"time_zone": "Mars/Olympus_Mons"}, "venue.time_zone"),
        ({"time_zone": "../etc/passwd"}, "venue.time_zone"),
        ({"max_party_size": 0}, "venue.max_party_size"),
        ({"max_party_size": 101}, "venue.max_party_size"),
    ],
)
def test_each_invalid_venue_field_is_named(changes, field):
    assert fields(new_venue_violations(dataclasses.replace(VENUE, **changes), "req-1")) == [field]


def test_a_missing_or_malformed_request_id_is_named():
    assert fields(new_venue_violations(VENUE, "")) == ["request_id"]
    assert fields(new_venue_violations(VENUE, "has spaces")) == ["request_id"]


def test_a_larger_party_than_the_turn_times_cover_is_refused_on_update():
    violations = venue_update_violations(plan(), dataclasses.replace(VENUE, max_party_size=14))
    assert fields(violations) == ["venue.max_party_size"]
    assert violations[0].params == {"party_size": 13}


@pytest.mark.parametrize(
    ("zone", "field"),
    [
        (Zone("v1", "", "Bar"), "zone.zone_id"),
        (Zone("v1", "Bar", "Bar"), "zone.zone_id"),
        (Zone("v1", "bar", ""), "zone.display_name"),
        (Zone("v1", "bar", "b" * 201), "zone.display_name"),
    ],
)
def test_each_invalid_zone_field_is_named(zone, field):
    assert fields(zone_violations(zone, request_id="req-1")) == [field]


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (table("T9"), "table.table_id"),
        (dataclasses.replace(table("t9"), display_name=""), "table.display_name"),
        (dataclasses.replace(table("t9"), display_name="n" * 101), "table.display_name"),
        (dataclasses.replace(table("t9"), display_name="T1"), "table.display_name"),
        (table("t9", zone=""), "table.zone_id"),
        (table("t9", zone="cellar"), "table.zone_id"),
        (table("t9", 0, 4), "table.min_seats"),
        (table("t9", 2, 51), "table.max_seats"),
        (table("t9", 5, 4), "table.min_seats"),
    ],
)
def test_each_invalid_table_field_is_named(record, field):
    assert fields(table_violations(plan(), record, request_id="req-1")) == [field]


def test_every_invalid_table_field_is_reported_at_once():
    record = dataclasses.replace(table("T 9", 0, 60, zone="cellar"), display_name="")
    assert set(fields(table_violations(plan(), record, request_id=""))) == {
        "table.table_id", "request_id", "table.display_name", "table.zone_id",
        "table.min_seats", "table.max_seats",
    }  # fmt: skip


def test_a_joined_table_cannot_stop_being_combinable_but_a_lone_one_can():
    joined = table("t1", combinable=False)
    assert fields(table_violations(plan(), joined)) == ["table.combinable"]
    alone = plan(edges=frozenset())
    assert table_violations(alone, joined) == []


def test_a_table_keeps_its_own_name_on_update():
    assert table_violations(plan(), table("t1", 1, 2)) == []


def test_edges_are_stored_smaller_id_first_whatever_the_order_given():
    assert edges_of(plan(), [("t2", "t1"), ("t3", "t4")]) == {("t1", "t2"), ("t3", "t4")}


@pytest.mark.parametrize(
    ("pairs", "field"),
    [
        ([("t1", "t9")], "adjacency_graph.edges[0].second_table_id"),
        ([("zz", "t1")], "adjacency_graph.edges[0].first_table_id"),
        ([("t1", "t1")], "adjacency_graph.edges[0]"),
        ([("t1", "t2"), ("t2", "t1")], "adjacency_graph.edges[1]"),
        ([("t1", "t2"), ("t1", "t2")], "adjacency_graph.edges[1]"),
    ],
)
def test_each_invalid_edge_is_named(pairs, field):
    with pytest.raises(InvalidArgument) as raised:
        edges_of(plan(), pairs)
    assert fields(raised.value.violations) == [field]


def test_an_edge_to_a_table_that_is_not_combinable_is_refused():
    floor = plan().with_table(table("t4", zone="terrace", combinable=False))
    with pytest.raises(InvalidArgument) as raised:
        edges_of(floor, [("t1", "t2"), ("t3", "t4")])
    assert fields(raised.value.violations) == ["adjacency_graph.edges[1].second_table_id"]
    assert raised.value.violations[0].key == "field.not_combinable"
