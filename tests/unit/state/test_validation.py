"""Unit tests of booking validation: every invalid field is named, valid input passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.state.domain.validation import validate_move_request, validate_new_booking
from shared.domain_errors import InvalidArgument
from tests.unit.state.builders import FRIDAY_1930, NOW, new_booking, venue_rules


def fields_of(error: InvalidArgument) -> list[str]:
    return [violation.field for violation in error.violations]


def test_a_valid_booking_gets_the_turn_time_of_its_party_size():
    end = validate_new_booking(new_booking(party_size=4), venue_rules(), now=NOW)
    assert end == FRIDAY_1930 + timedelta(minutes=105)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"request_id": ""}, "request_id"),
        ({"request_id": "has spaces"}, "request_id"),
        ({"request_id": "x" * 65}, "request_id"),
        ({"venue_id": ""}, "venue_id"),
        ({"party_size": 0}, "booking.party_size"),
        ({"party_size": 13}, "booking.party_size"),
        ({"party_size": -2}, "booking.party_size"),
        ({"start_time": None}, "booking.start_time"),
        ({"start_time": NOW - timedelta(minutes=1)}, "booking.start_time"),
        ({"start_time": datetime(2026, 11, 27, 10, 0, tzinfo=UTC)}, "booking.start_time"),
        ({"guest_reference": "g" * 129}, "booking.guest_reference"),
        ({"notes": "n" * 501}, "booking.notes"),
        ({"preferred_zone_id": "cellar"}, "booking.preferred_zone_id"),
        ({"preferred_zone_id": "z" * 65}, "booking.preferred_zone_id"),
    ],
)
def test_each_invalid_field_is_named(changes, field):
    with pytest.raises(InvalidArgument) as raised:
        validate_new_booking(new_booking(**changes), venue_rules(), now=NOW)
    assert fields_of(raised.value) == [field]


def test_an_unknown_venue_is_named():
    with pytest.raises(InvalidArgument) as raised:
        validate_new_booking(new_booking(), None, now=NOW)
    assert fields_of(raised.value) == ["venue_id"]


def test_every_invalid_field_is_reported_at_once():
    bad = new_booking(request_id="", party_size=0, start_time=None, notes="n" * 600)
    with pytest.raises(InvalidArgument) as raised:
        validate_new_booking(bad, venue_rules(), now=NOW)
    assert set(fields_of(raised.value)) == {
        "request_id",
        "booking.party_size",
        "booking.start_time",
        "booking.notes",
    }


def test_the_service_period_is_read_in_the_venue_timezone():
    # 17:30 in London in summer is 16:30 UTC: open then, closed at 16:00 UTC.
    rules = venue_rules()
    assert rules.is_open_at(datetime(2027, 7, 2, 16, 30, tzinfo=UTC))
    assert not rules.is_open_at(datetime(2027, 7, 2, 16, 0, tzinfo=UTC))


def test_a_party_size_without_a_turn_time_is_refused():
    rules = venue_rules()
    narrowed = type(rules)(**{**rules.__dict__, "turn_times": rules.turn_times[:1]})
    with pytest.raises(InvalidArgument) as raised:
        validate_new_booking(new_booking(party_size=6), narrowed, now=NOW)
    assert raised.value.violations[0].key == "field.no_turn_time"


def test_transition_requests_name_their_bad_fields():
    with pytest.raises(InvalidArgument) as raised:
        validate_move_request(venue_id="", booking_id="", reason="r" * 501, table_ids=("", "t"))
    assert fields_of(raised.value) == ["venue_id", "booking_id", "reason", "table_ids[0]"]


def test_the_last_seating_is_bookable_and_a_minute_later_is_not():
    rules = venue_rules()  # dinner 17:30 to 23:00, London; GMT in November
    assert rules.is_open_at(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
    assert not rules.is_open_at(datetime(2026, 11, 27, 23, 1, tzinfo=UTC))
