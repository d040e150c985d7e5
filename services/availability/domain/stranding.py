"""Which live assignments a floor change would leave impossible: pure, on floors and policies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.availability.domain.floor import Floor, Policy
from shared.seating.combinations import covers_of, explicit_candidate


@dataclass(frozen=True)
class LiveGroup:
    """The tables one live assignment holds for a booking (allocations sharing a group id)."""

    booking_id: UUID
    booking_version: int
    party_size: int
    start_time: datetime
    seated: bool
    table_ids: frozenset[str]


@dataclass(frozen=True)
class Stranded:
    """A booking whose assignment the change breaks, and why."""

    booking_id: UUID
    booking_version: int
    seated: bool
    cause: str


def problem_of(group: LiveGroup, floor: Floor, policy: Policy, *, now: datetime) -> str | None:
    """Why the group's tables can no longer seat its booking, or None when they still can."""
    tables = {t.table_id: t for t in floor.tables}
    for table_id in sorted(group.table_ids):
        table = tables.get(table_id)
        if table is None or not table.active:
            return f"table {table_id} is not active"
    held = [tables[table_id] for table_id in sorted(group.table_ids)]
    if group.party_size > policy.max_party_size:
        return f"the venue takes parties of at most {policy.max_party_size}"
    members = tuple(sorted(group.table_ids))
    explicit = [explicit_candidate(c) for c in policy.table_combinations]
    seats = covers_of(
        members, {t.table_id: t.max_seats for t in held}, explicit, policy.combination_rule
    )
    if seats < group.party_size:
        return f"its tables seat {seats}, the party is {group.party_size}"
    if len(held) > 1 and not any(c.table_ids == members for c in explicit):
        problem = _combination_problem(group, floor, policy)
        if problem:
            return problem
    # A party already at the table keeps it whatever the hours say.
    if group.start_time > now and policy.period_at(group.start_time) is None:
        return "it starts outside every service period"
    return None


def _combination_problem(group: LiveGroup, floor: Floor, policy: Policy) -> str | None:
    held = [t for t in floor.tables if t.table_id in group.table_ids]
    if len(held) > policy.max_tables_per_combination:
        return f"it joins {len(held)} tables, the limit is {policy.max_tables_per_combination}"
    loose = [t.table_id for t in held if not t.combinable]
    if loose:
        return f"table {loose[0]} is not combinable"
    if not policy.allow_cross_zone_combinations and len({t.zone_id for t in held}) > 1:
        return "its tables span zones"
    if not _connected(group.table_ids, floor.neighbours()):
        return "its tables are no longer adjacent"
    return None


def _connected(table_ids: frozenset[str], neighbours: dict[str, set[str]]) -> bool:
    start = min(table_ids)
    reached, frontier = {start}, [start]
    while frontier:
        for near in neighbours.get(frontier.pop(), set()) & table_ids:
            if near not in reached:
                reached.add(near)
                frontier.append(near)
    return reached == table_ids


def newly_stranded(
    groups: Iterable[LiveGroup],
    before: tuple[Floor, Policy],
    after: tuple[Floor, Policy],
    *,
    now: datetime,
) -> list[Stranded]:
    """The bookings the change from `before` to `after` strands, by booking id.

    A booking that was already impossible before is not blamed on this change: it is
    someone else's problem, and refusing every edit of the venue over it would lock ops out.
    """
    stranded: dict[UUID, Stranded] = {}
    for group in groups:
        problem = problem_of(group, *after, now=now)
        if problem is None or problem_of(group, *before, now=now) is not None:
            continue
        stranded.setdefault(
            group.booking_id,
            Stranded(group.booking_id, group.booking_version, group.seated, problem),
        )
    return [stranded[key] for key in sorted(stranded)]
