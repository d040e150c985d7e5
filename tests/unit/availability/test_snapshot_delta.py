"""A snapshot delta applied to the snapshot it came from gives the newer snapshot, in the domain
and on the wire, for random floors, occupancy, demand and service periods on both sides."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.availability.delta_convert import apply_snapshot_delta, delta_to_proto
from services.availability.domain.floor import ServicePeriod
from services.availability.domain.snapshot import Snapshot, compute_snapshot
from services.availability.domain.snapshot_delta import apply_delta, snapshot_delta
from services.availability.snapshot_convert import snapshot_to_proto
from tests.unit.availability.floors import DAY, NOW, facts_for, floors, policy

START = DAY + timedelta(hours=16)
END = START + timedelta(hours=6)


@st.composite
def snapshots(draw: st.DrawFn, version: int) -> Snapshot:
    floor = draw(floors())
    facts = replace(draw(facts_for(floor)), version=version, floor_version=draw(st.integers(1, 3)))
    last = draw(st.sampled_from([time(20), time(21, 30), time(22)]))
    rules = policy(
        service_periods=(ServicePeriod("dinner", frozenset(range(7)), time(17), last),),
        max_covers_per_slot=draw(st.sampled_from([None, 12])),
    )
    now = NOW + timedelta(minutes=draw(st.integers(0, 10)))
    return compute_snapshot("v", floor, rules, facts, START, END, now=now)


@settings(max_examples=300)
@given(snapshots(version=5), snapshots(version=9))
def test_applying_the_delta_to_the_older_snapshot_gives_the_newer_one(before, after):
    delta = snapshot_delta(before, after)
    assert apply_delta(before, delta) == after
    on_the_wire = apply_snapshot_delta(snapshot_to_proto(before), delta_to_proto(delta))
    assert on_the_wire == snapshot_to_proto(after)


@settings(max_examples=100)
@given(snapshots(version=5))
def test_a_delta_carries_only_the_tables_and_slots_that_changed(before):
    table_id, spans = before.tables[0]
    after = replace(
        before,
        version=6,
        tables=((table_id, (*spans, *spans[:1])), *before.tables[1:]),
        slots=(replace(before.slots[0], booked_covers=99), *before.slots[1:]),
    )
    delta = snapshot_delta(before, after)
    assert [t for t, _ in delta.tables] == ([table_id] if spans else [])
    assert delta.slots == after.slots[:1]
    assert delta.demand is None and delta.removed_table_ids == () == delta.removed_slot_starts
    assert not delta_to_proto(delta).HasField("pending_demand")


@settings(max_examples=50)
@given(snapshots(version=5))
def test_demand_that_became_empty_is_sent_as_an_empty_list(before):
    after = replace(before, version=6, demand=())
    message = delta_to_proto(snapshot_delta(before, after))
    assert message.HasField("pending_demand") == bool(before.demand)
    assert apply_snapshot_delta(snapshot_to_proto(before), message) == snapshot_to_proto(after)


@settings(max_examples=10)
@given(snapshots(version=1))
def test_a_delta_from_another_version_is_refused(snapshot):
    delta = snapshot_delta(replace(snapshot, version=7), replace(snapshot, version=8))
    with pytest.raises(ValueError, match="delta from 7 applied to 1"):
        apply_delta(snapshot, delta)
    with pytest.raises(ValueError, match="delta from 7 applied to 1"):
        apply_snapshot_delta(snapshot_to_proto(snapshot), delta_to_proto(delta))
