"""Unit tests of the lifecycle rules: the matrix, moves, versions, roles, display statuses."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.state.domain.model import Move, apply_move
from services.state.domain.states import (
    DISPLAY_STATUS,
    MOVES,
    TERMINAL,
    BookingState,
    Command,
    DisplayStatus,
    allowed_targets,
    transition_matrix,
)
from shared.auth import Role
from shared.domain_errors import IllegalTransition, InvalidArgument, OpsRoleRequired, StaleVersion
from tests.unit.state.builders import BACKEND, NOW, OPS, SERVICE, booking

S = BookingState

HAPPY_PATH = [
    (Command.VERIFY_CAPACITY, S.CAPACITY_VERIFIED),
    (Command.REQUEST_ASSIGNMENT, S.ASSIGNMENT_PENDING),
    (Command.START_ASSIGNMENT, S.ASSIGNMENT_IN_PROGRESS),
    (Command.RECORD_ASSIGNMENT, S.ASSIGNED),
    (Command.CONFIRM, S.CONFIRMED),
    (Command.SEAT, S.SEATED),
    (Command.COMPLETE, S.COMPLETED),
]


def test_the_design_lifecycle_is_in_the_matrix():
    edges = {(t.from_state, t.to_state) for t in transition_matrix()}
    path = [S.CREATED] + [target for _, target in HAPPY_PATH]
    for source, target in itertools.pairwise(path):
        assert (source, target) in edges
    for side in [
        (S.ASSIGNMENT_IN_PROGRESS, S.ASSIGNMENT_PENDING),
        (S.ASSIGNMENT_IN_PROGRESS, S.MANUAL_REVIEW),
        (S.ASSIGNED, S.ASSIGNMENT_PENDING),
        (S.CONFIRMED, S.NO_SHOW),
        (S.CREATED, S.REJECTED),
        (S.CONFIRMED, S.CANCELLED),
    ]:
        assert side in edges


def test_terminal_states_have_no_exit():
    for state in TERMINAL:
        assert allowed_targets(state) == []


def test_only_ops_may_leave_manual_review_in_the_matrix():
    exits = [t for t in transition_matrix() if t.from_state is S.MANUAL_REVIEW]
    assert exits
    assert all(t.allowed_roles == frozenset({Role.OPS}) for t in exits)
    others = [t for t in transition_matrix() if t.from_state is not S.MANUAL_REVIEW]
    assert all(t.allowed_roles == frozenset(Role) for t in others)


def test_every_state_has_a_display_status():
    assert set(DISPLAY_STATUS) == set(BookingState)
    assert DISPLAY_STATUS[S.SEATED] is DisplayStatus.CHECKED_IN
    assert DISPLAY_STATUS[S.ASSIGNMENT_IN_PROGRESS] is DisplayStatus.PENDING_ALLOCATION
    assert DISPLAY_STATUS[S.REJECTED] is DisplayStatus.CANCELLED


def test_the_happy_path_bumps_the_version_once_per_move_and_audits_it():
    current = booking()
    for command, target in HAPPY_PATH:
        tables = ("t1", "t2") if command is Command.RECORD_ASSIGNMENT else ()
        move = Move(command, current.version, f"to {target}", table_ids=tables)
        moved, change = apply_move(current, move, SERVICE, now=NOW, trace_id="trace-1")
        assert moved.state is target
        assert moved.version == current.version + 1
        assert (change.from_state, change.to_state, change.version) == (
            current.state,
            target,
            moved.version,
        )
        assert change.actor == "assigner" and change.trace_id == "trace-1"
        current = moved
    assert current.table_ids == ("t1", "t2")


def test_a_stale_version_is_refused_before_anything_else():
    with pytest.raises(StaleVersion) as raised:
        apply_move(booking(version=3), Move(Command.VERIFY_CAPACITY, 2, ""), SERVICE, now=NOW)
    assert raised.value.params == {"expected": 2, "current": 3}


def test_an_illegal_move_names_the_allowed_targets():
    with pytest.raises(IllegalTransition) as raised:
        apply_move(booking(S.CREATED), Move(Command.CONFIRM, 1, ""), SERVICE, now=NOW)
    allowed = str(raised.value.params["allowed"]).split(",")
    assert allowed == [s.value for s in allowed_targets(S.CREATED)]
    assert "CAPACITY_VERIFIED" in allowed


@pytest.mark.parametrize("caller", [BACKEND, SERVICE])
def test_only_ops_move_a_booking_out_of_manual_review(caller):
    review = booking(S.MANUAL_REVIEW)
    with pytest.raises(OpsRoleRequired):
        apply_move(review, Move(Command.CANCEL, 1, "guest called"), caller, now=NOW)
    resolve = Move(Command.RESOLVE_MANUAL_REVIEW, 1, "retry", target=S.ASSIGNMENT_PENDING)
    with pytest.raises(OpsRoleRequired):
        apply_move(review, resolve, caller, now=NOW)
    moved, _ = apply_move(review, resolve, OPS, now=NOW)
    assert moved.state is S.ASSIGNMENT_PENDING


def test_resolving_to_confirmed_needs_tables():
    resolve = Move(Command.RESOLVE_MANUAL_REVIEW, 1, "seated by hand", target=S.CONFIRMED)
    with pytest.raises(InvalidArgument) as raised:
        apply_move(booking(S.MANUAL_REVIEW), resolve, OPS, now=NOW)
    assert [v.field for v in raised.value.violations] == ["table_ids"]
    with_tables = Move(resolve.command, 1, resolve.reason, target=S.CONFIRMED, table_ids=("t9",))
    moved, _ = apply_move(booking(S.MANUAL_REVIEW), with_tables, OPS, now=NOW)
    assert moved.table_ids == ("t9",)


def test_a_reassignment_releases_the_recorded_tables():
    assigned = booking(S.ASSIGNED, table_ids=("t1",))
    moved, _ = apply_move(assigned, Move(Command.REQUEST_ASSIGNMENT, 1, "move"), SERVICE, now=NOW)
    assert moved.state is S.ASSIGNMENT_PENDING and moved.table_ids == ()


@given(st.lists(st.sampled_from(list(Command)), max_size=25), st.sampled_from(list(BookingState)))
def test_any_sequence_of_moves_follows_the_matrix(commands, start):
    edges = {(t.from_state, t.to_state, t.command) for t in transition_matrix()}
    current = booking(start, table_ids=("t1",))
    for command in commands:
        targets = MOVES[command][1]
        move = Move(command, current.version, "", target=sorted(targets)[0], table_ids=("t1",))
        try:
            moved, change = apply_move(current, move, OPS, now=NOW)
        except IllegalTransition:
            assert (current.state, move.target, command) not in edges
            continue
        assert (change.from_state, change.to_state, command) in edges
        assert moved.version == current.version + 1
        current = moved
