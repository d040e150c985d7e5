"""Snapshot protos stamp times exactly as protobuf's own Timestamp.FromDatetime does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from services.availability.snapshot_convert import stamp

ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)), ZONES)
def test_a_stamp_is_what_from_datetime_makes_for_aware_and_naive_moments(moment, zone):
    for value in (moment.replace(tzinfo=zone), moment):
        expected = Timestamp()
        expected.FromDatetime(value)
        assert stamp(value) == expected
