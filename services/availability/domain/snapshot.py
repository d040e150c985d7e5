"""A venue's floor over a window: occupancy per table, waiting demand, capacity per slot."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.availability.domain.busy import Busy
from services.availability.domain.floor import Floor, Policy
from services.availability.domain.occupancy import Demand, Facts, Occupancy
from services.availability.domain.packing import Pacing


@dataclass(frozen=True)
class SlotFigures:
    """The free capacity of one slot [start, start + slot interval)."""

    start: datetime
    free_seats: int
    free_tables: tuple[tuple[int, int], ...]  # (max_seats, count), smallest first
    booked_covers: int
    booked_parties: int
    covers_headroom: int | None
    parties_headroom: int | None


@dataclass(frozen=True)
class Snapshot:
    """The live state of a venue's floor over [start, end), at one version."""

    venue_id: str
    start: datetime
    end: datetime
    version: int
    floor_version: int
    tables: tuple[tuple[str, tuple[Occupancy, ...]], ...]
    demand: tuple[Demand, ...]
    slots: tuple[SlotFigures, ...]
    compute_time: datetime


def slot_starts(policy: Policy, start: datetime, end: datetime) -> list[datetime]:
    """The bookable start times in [start, end), in order."""
    first_day = start.astimezone(policy.timezone).date() - timedelta(days=1)
    last_day = end.astimezone(policy.timezone).date()
    starts: list[datetime] = []
    day = first_day
    while day <= last_day:
        starts += [s for s, _ in policy.slot_starts(day) if start <= s < end]
        day += timedelta(days=1)
    return sorted(set(starts))


def headroom(limit: int | None, used: int) -> int | None:
    return None if limit is None else max(limit - used, 0)


def compute_snapshot(
    venue_id: str,
    floor: Floor,
    policy: Policy,
    facts: Facts,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
) -> Snapshot:
    """The snapshot of [start, end) as of `now` (expired holds no longer count)."""
    live = [o for o in facts.live(now) if o.overlaps(start, end)]
    tables = floor.active_tables()
    on_table: dict[str, list[Occupancy]] = {t.table_id: [] for t in tables}
    for occupancy in live:
        for table_id in occupancy.table_ids:
            if table_id in on_table:
                on_table[table_id].append(occupancy)
    per_table = {
        table_id: tuple(sorted(found, key=_by_start)) for table_id, found in on_table.items()
    }
    waiting = sorted((d for d in facts.waiting() if d.overlaps(start, end)), key=lambda d: d.start)
    starts = slot_starts(policy, start, end)
    pacing = Pacing(live, waiting)
    busy = Busy.of(live)
    slots = []
    for slot in starts:
        covers, parties = pacing.load(slot, policy.slot_interval)
        taken = busy.taken(slot, slot + policy.slot_interval)
        free = [t for t in tables if t.table_id not in taken]
        slots.append(
            SlotFigures(
                start=slot,
                free_seats=sum(t.max_seats for t in free),
                free_tables=tuple(sorted(Counter(t.max_seats for t in free).items())),
                booked_covers=covers,
                booked_parties=parties,
                covers_headroom=headroom(policy.max_covers_per_slot, covers),
                parties_headroom=headroom(policy.max_parties_per_slot, parties),
            )
        )
    return Snapshot(
        venue_id=venue_id,
        start=start,
        end=end,
        version=facts.version,
        floor_version=facts.floor_version,
        tables=tuple(sorted(per_table.items())),
        demand=tuple(waiting),
        slots=tuple(slots),
        compute_time=now,
    )


def _by_start(occupancy: Occupancy) -> tuple[datetime, str]:
    return occupancy.start, occupancy.allocation_id
