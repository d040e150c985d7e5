"""What changed in a snapshot between two versions over one window, and how to apply it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from services.availability.domain.occupancy import Demand, Occupancy
from services.availability.domain.snapshot import SlotFigures, Snapshot


@dataclass(frozen=True)
class SnapshotDelta:
    """The snapshot at `version` as a difference from the one at `base_version`: changed or
    new tables and slots in full, the ids of those gone, and the demand only when it changed."""

    base_version: int
    version: int
    floor_version: int
    tables: tuple[tuple[str, tuple[Occupancy, ...]], ...]
    removed_table_ids: tuple[str, ...]
    demand: tuple[Demand, ...] | None
    slots: tuple[SlotFigures, ...]
    removed_slot_starts: tuple[datetime, ...]
    compute_time: datetime


def snapshot_delta(before: Snapshot, after: Snapshot) -> SnapshotDelta:
    """The delta that turns `before` into `after` (same venue and window)."""
    old_tables = dict(before.tables)
    new_tables = dict(after.tables)
    old_slots = {s.start: s for s in before.slots}
    new_slots = {s.start: s for s in after.slots}
    return SnapshotDelta(
        base_version=before.version,
        version=after.version,
        floor_version=after.floor_version,
        tables=tuple(item for item in after.tables if old_tables.get(item[0]) != item[1]),
        removed_table_ids=tuple(t for t, _ in before.tables if t not in new_tables),
        demand=None if after.demand == before.demand else after.demand,
        slots=tuple(s for s in after.slots if old_slots.get(s.start) != s),
        removed_slot_starts=tuple(s.start for s in before.slots if s.start not in new_slots),
        compute_time=after.compute_time,
    )


def apply_delta(before: Snapshot, delta: SnapshotDelta) -> Snapshot:
    """The snapshot `delta` describes, made from the one at its base version."""
    if before.version != delta.base_version:
        raise ValueError(f"delta from {delta.base_version} applied to {before.version}")
    tables = dict(before.tables)
    for table_id in delta.removed_table_ids:
        tables.pop(table_id, None)
    tables.update(delta.tables)
    slots = {s.start: s for s in before.slots}
    for start in delta.removed_slot_starts:
        slots.pop(start, None)
    slots.update((s.start, s) for s in delta.slots)
    return replace(
        before,
        version=delta.version,
        floor_version=delta.floor_version,
        tables=tuple(sorted(tables.items())),
        demand=before.demand if delta.demand is None else delta.demand,
        slots=tuple(slots[start] for start in sorted(slots)),
        compute_time=delta.compute_time,
    )
