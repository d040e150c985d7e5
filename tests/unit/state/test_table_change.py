"""Unit tests of a table change: tables move in place, with a version, an audit row and an event."""

from __future__ import annotations

import pytest

from services.state.domain.states import BookingState, transition_matrix
from services.state.domain.table_change import (
    EVENT_TYPE,
    TableChange,
    TablesNotHeld,
    apply_table_change,
    table_change_event,
)
from services.state.domain.validation import validate_table_change_request
from shared.domain_errors import IllegalTransition, InvalidArgument, StaleVersion
from tests.unit.state.builders import NOW, SERVICE, booking

S = BookingState


@pytest.mark.parametrize("state", [S.ASSIGNED, S.CONFIRMED])
def test_a_booking_with_tables_moves_to_others_and_keeps_its_state(state):
    before = booking(state, version=5, table_ids=("t1",), state_reason="auto-confirmed")
    after, audit = apply_table_change(
        before, TableChange(5, "plan 7", ("t2", "t3")), SERVICE, now=NOW, trace_id="tr"
    )
    assert (after.state, after.version, after.table_ids) == (state, 6, ("t2", "t3"))
    assert after.state_reason == "auto-confirmed"
    assert (audit.from_state, audit.to_state, audit.version) == (state, state, 6)
    assert (audit.actor, audit.reason, audit.trace_id) == ("assigner", "plan 7", "tr")
    event = table_change_event(before, after, audit)
    assert event.event_type == EVENT_TYPE == "booking.tables_changed"
    assert event.payload["table_ids"] == ["t2", "t3"]
    assert event.payload["previous_table_ids"] == ["t1"]
    assert event.payload["from_state"] == event.payload["to_state"] == state.value


def test_a_stale_version_is_refused():
    with pytest.raises(StaleVersion):
        apply_table_change(booking(S.ASSIGNED, version=4), TableChange(3, "", ("t2",)), SERVICE,
                           now=NOW)  # fmt: skip


@pytest.mark.parametrize("state", [s for s in S if s not in (S.ASSIGNED, S.CONFIRMED)])
def test_a_booking_that_holds_no_tables_cannot_change_them(state):
    with pytest.raises(TablesNotHeld) as raised:
        apply_table_change(booking(state), TableChange(1, "", ("t2",)), SERVICE, now=NOW)
    assert isinstance(raised.value, IllegalTransition)
    assert raised.value.params["state"] == state.value


def test_a_table_change_is_not_a_transition_of_the_matrix():
    assert all(t.from_state is not t.to_state for t in transition_matrix())


@pytest.mark.parametrize(
    ("table_ids", "fields"),
    [((), ["table_ids"]), (("a", "a"), ["table_ids[1]"]), (("",), ["table_ids[0]"])],
)
def test_a_table_change_request_needs_distinct_tables(table_ids, fields):
    with pytest.raises(InvalidArgument) as raised:
        validate_table_change_request(
            venue_id="venue-a", booking_id="b", reason="", table_ids=table_ids
        )
    assert [v.field for v in raised.value.violations] == fields
