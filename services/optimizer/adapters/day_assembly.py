"""A venue's window assembled into the optimizer's problem from the rows read for it."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.optimizer.domain.day import Period, VenueDay
from shared.db.venue_policy import combination_rule, seating_knobs, table_combinations
from shared.seating.combinations import Seat, floor_candidates
from shared.seating.planning.model import Booking, Problem, Span, Table, Weights
from shared.seating.planning.states import WITH_TABLES, BookingState
from shared.seating.policy_defaults import FREEZE_WINDOW
from shared.seating.policy_defaults import MAX_TABLES_PER_COMBINATION as MAX_TABLES
from shared.seating.policy_defaults import OPTIMIZER_THRESHOLD_PERCENT as THRESHOLD


def assemble(
    policy: dict[str, Any],
    tables: dict[str, Table],
    seats: list[Seat],
    neighbours: dict[str, set[str]],
    rows: list[Any],
    taken: list[Any],
    now: datetime,
    move_penalty: int | None,
    snapshot_version: int,
    periods: list[Period],
) -> VenueDay:
    """The problem: each booking at its live tables (waiting ones at none), everything else's
    allocations as fixed occupancy, and the policy's buffer, freeze window and threshold."""
    buffer = timedelta(minutes=policy.get("cleaning_buffer_minutes") or 0)
    seated: dict[str, list[str]] = defaultdict(list)
    spans: dict[str, Span] = {}
    fixed: dict[str, list[Span]] = defaultdict(list)
    planned = {str(row.booking_id) for row in rows}
    for row in taken:
        booking_id = str(row.booking_id) if row.booking_id else None
        if booking_id in planned and row.kind == "ASSIGNMENT":
            seated[booking_id].append(row.table_id)
            spans[booking_id] = (row.lower, row.upper)
        elif row.table_id in tables:
            fixed[row.table_id].append((row.lower, row.upper))
    problem_bookings = []
    for row in rows:
        booking_id = str(row.booking_id)
        own = tuple(sorted(seated.get(booking_id, ())))
        if any(t not in tables for t in own):  # on a table no longer active: it stays put
            for table_id in own:
                fixed[table_id].append(spans[booking_id])
            continue
        state = BookingState(row.state)
        if state in WITH_TABLES and not own:
            continue  # its tables were released under it: the coordinator will see to it
        start, until = spans.get(booking_id, (row.start_time, row.end_time + buffer))
        problem_bookings.append(
            Booking(
                booking_id,
                row.party_size,
                start,
                until,
                own,
                state,
                row.pinned,
                row.preferred_zone_id,
            )
        )
    weights = Weights() if move_penalty is None else Weights(move=move_penalty)
    candidates = floor_candidates(
        seats,
        neighbours,
        max_tables=policy.get("max_tables_per_combination") or MAX_TABLES,
        cross_zone=bool(policy.get("allow_cross_zone_combinations")),
        rule=combination_rule(policy),
        explicit=table_combinations(policy),
    )
    problem = Problem(
        tables=tuple(tables.values()),
        candidates=tuple(candidates),
        bookings=tuple(problem_bookings),
        now=now,
        freeze_window=or_default(minutes(policy.get("freeze_window_minutes")), FREEZE_WINDOW),
        fixed_busy=dict(fixed),
        rule=combination_rule(policy),
        weights=weights,
    )
    return VenueDay(
        problem=problem,
        versions={str(r.booking_id): r.version for r in rows},
        windows={str(r.booking_id): (r.start_time, r.end_time) for r in rows},
        threshold_percent=float(or_default(policy.get("optimizer_threshold_percent"), THRESHOLD)),
        timezone=ZoneInfo(policy["timezone"]),
        buffer=buffer,
        snapshot_version=snapshot_version,
        periods=periods,
        knobs=seating_knobs(policy),
    )


def or_default(value: Any, default: Any) -> Any:
    return default if value is None else value


def minutes(value: Any) -> timedelta | None:
    return None if value is None else timedelta(minutes=int(value))
