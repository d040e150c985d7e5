"""A live day as the rescue search's problem: the bounded re-pack that may seat one more party."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from services.availability.domain.floor import Floor, Policy
from services.availability.domain.occupancy import Facts, Kind, Occupancy
from shared.seating.combinations import Candidate
from shared.seating.planning.model import Booking, Problem, Span, Table, Weights

REACH = timedelta(hours=12)  # the longest a booking's tables are taken: the optimizer's reach
NEW_PARTY = "new-party"  # the id of a party that has no booking yet
# Bookings a re-pack may move when they hold tables (as the optimizer reads a day); the tables
# of bookings in any other state, and holds, stay where they are.
PLANNED = frozenset({"ASSIGNED", "CONFIRMED", "SEATED", "ASSIGNMENT_PENDING", "MANUAL_REVIEW"})


def repack_problem(
    floor: Floor,
    policy: Policy,
    facts: Facts,
    candidates: Sequence[Candidate],
    start: datetime,
    end: datetime,
    party_size: int,
    *,
    now: datetime,
) -> tuple[Problem, Booking]:
    """The problem the optimizer's FindRescuePlan builds from PostgreSQL for a party over
    [start, end), built from the day in memory instead; and the new party as a booking."""
    active = {t.table_id: t for t in floor.active_tables()}
    seated: dict[str, list[Occupancy]] = defaultdict(list)
    fixed: dict[str, list[Span]] = defaultdict(list)
    for occupancy in facts.occupancies:
        if not occupancy.counts_at(now):
            continue
        if _planned(occupancy, start - REACH, end + REACH) and occupancy.booking_id:
            seated[occupancy.booking_id].append(occupancy)
        else:
            for table_id in occupancy.table_ids:
                if table_id in active:
                    fixed[table_id].append((occupancy.start, occupancy.end))
    bookings = []
    for booking_id, groups in seated.items():
        own = tuple(sorted(t for group in groups for t in group.table_ids))
        span = (groups[-1].start, groups[-1].end)
        if any(t not in active for t in own):  # on a table no longer active: it stays put
            for table_id in own:
                fixed[table_id].append(span)
            continue
        first = groups[0]
        bookings.append(
            Booking(
                booking_id,
                first.party_size,
                *span,
                own,
                first.booking_state or "",
                first.pinned,
                first.preferred_zone_id,
            )
        )
    problem = Problem(
        tables=tuple(
            Table(t.table_id, t.zone_id, t.min_seats, t.max_seats) for t in active.values()
        ),
        candidates=tuple(candidates),
        bookings=tuple(sorted(bookings, key=lambda b: (b.start, b.booking_id))),
        now=now,
        freeze_window=policy.freeze_window,
        fixed_busy=dict(fixed),
        weights=Weights(),
        rule=policy.combination_rule,
    )
    new = Booking(
        NEW_PARTY, party_size, start, end + policy.cleaning_buffer, state="ASSIGNMENT_PENDING"
    )
    return problem, new


def _planned(occupancy: Occupancy, first: datetime, last: datetime) -> bool:
    """Whether an occupancy is the assignment of a booking the re-pack may move."""
    return (
        occupancy.kind is not Kind.HOLD
        and occupancy.booking_state in PLANNED
        and first <= occupancy.start < last
    )
