"""Moves of several bookings: which are skipped and why, request checks, and local replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from services.assigner.adapters.move_replays import LocalMoveReplays
from services.assigner.domain.booking import BookingView
from services.assigner.domain.moves import MoveOrder, MoveOutcome, MoveResult, skip_of
from services.assigner.domain.validation import move_orders_of
from shared.domain_errors import InvalidArgument, RequestIdReused

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)
ORDER = MoveOrder(UUID(int=1), 3, ("t2",))


def booking(state: str = "ASSIGNED", version: int = 3, start=NOW + 3 * HOUR, **extra):
    return BookingView(
        booking_id=UUID(int=1), venue_id="v", state=state, version=version, party_size=2,
        start=start, end=start + 2 * HOUR, preferred_zone_id=None, table_ids=("t1",), **extra,
    )  # fmt: skip


def outcome(found: BookingView | None, freeze: timedelta = HOUR) -> tuple[MoveOutcome, str] | None:
    skip = skip_of(ORDER, found, now=NOW, freeze=freeze)
    return (skip.outcome, skip.detail) if skip else None


@pytest.mark.parametrize(
    "state", ["ASSIGNED", "CONFIRMED", "ASSIGNMENT_PENDING", "ASSIGNMENT_IN_PROGRESS"]
)
def test_bookings_with_or_waiting_for_tables_may_move(state):
    assert outcome(booking(state)) is None


@pytest.mark.parametrize(
    ("found", "detail"),
    [
        (None, "booking not found at this venue"),
        (booking(version=4), "booking changed since the plan (version 4)"),
        (booking(pinned=True), "booking is pinned to its tables"),
        (booking("MANUAL_REVIEW"), "manual review needs ops"),
        (booking("SEATED"), "booking is SEATED"),
        (booking("CANCELLED"), "booking is CANCELLED"),
    ],
)
def test_bookings_that_must_stay_are_stale_with_a_reason(found, detail):
    assert outcome(found) == (MoveOutcome.SKIPPED_STALE, detail)


def test_only_a_booking_with_tables_is_frozen_near_its_start():
    near = NOW + 30 * timedelta(minutes=1)
    assert outcome(booking(start=near))[0] is MoveOutcome.SKIPPED_FROZEN  # type: ignore[index]
    assert outcome(booking("ASSIGNMENT_PENDING", start=near)) is None
    assert outcome(booking(start=near), freeze=timedelta(0)) is None


def test_the_moves_of_a_call_are_checked_field_by_field():
    good = (str(UUID(int=1)), 2, ["t1", "t2"])
    assert move_orders_of([good]) == (MoveOrder(UUID(int=1), 2, ("t1", "t2")),)
    with pytest.raises(InvalidArgument) as raised:
        move_orders_of([good, good, ("x", 0, []), (str(UUID(int=2)), 1, ["a", ""])])
    assert [v.field for v in raised.value.violations] == [
        "moves[1].booking_id", "moves[2].booking_id", "moves[2].expected_version",
        "moves[2].table_ids", "moves[3].table_ids[1]",
    ]  # fmt: skip


async def test_a_local_replay_returns_the_first_results_and_refuses_another_payload():
    replays = LocalMoveReplays(limit=2)
    assert await replays.claim("v", "r1", "fp") is None
    results = [MoveResult(UUID(int=1), MoveOutcome.APPLIED, "", 4, UUID(int=9))]
    await replays.store("v", "r1", "fp", results)
    assert await replays.claim("v", "r1", "fp") == results
    with pytest.raises(RequestIdReused):
        await replays.claim("v", "r1", "other")


async def test_a_local_replay_forgets_abandoned_calls_and_the_oldest_beyond_its_limit():
    replays = LocalMoveReplays(limit=2)
    assert await replays.claim("v", "r1", "fp") is None
    await replays.abandon("v", "r1")
    assert await replays.claim("v", "r1", "fp") is None  # a retry runs again
    await replays.store("v", "r1", "fp", [])
    for request_id in ("r2", "r3"):
        await replays.store("v", request_id, "fp", [])
    assert await replays.claim("v", "r1", "fp") is None  # forgotten: runs as new
