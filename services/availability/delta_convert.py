"""Snapshot deltas on the wire: the domain delta as a proto, and applying one to a snapshot."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from services.availability.domain.snapshot_delta import SnapshotDelta
from services.availability.snapshot_convert import (
    demand_to_proto,
    slot_to_proto,
    stamp,
    table_to_proto,
)
from shared.stubs.maitred.availability.v1 import snapshot_pb2 as pb


def delta_to_proto(delta: SnapshotDelta) -> pb.SnapshotDelta:
    message = pb.SnapshotDelta(
        base_version=delta.base_version,
        version=delta.version,
        floor_plan_version=delta.floor_version,
        tables=[table_to_proto(table_id, spans) for table_id, spans in delta.tables],
        removed_table_ids=delta.removed_table_ids,
        slots=[slot_to_proto(s) for s in delta.slots],
        removed_slot_start_times=[stamp(start) for start in delta.removed_slot_starts],
        compute_time=stamp(delta.compute_time),
    )
    if delta.demand is not None:
        message.pending_demand.items.extend(demand_to_proto(d) for d in delta.demand)
        message.pending_demand.SetInParent()  # an empty list still says "no demand now"
    return message


def apply_snapshot_delta(snapshot: pb.Snapshot, delta: pb.SnapshotDelta) -> pb.Snapshot:
    """The snapshot at delta.version, made from `snapshot` (at delta.base_version) without
    changing it: what a WatchSnapshots client in delta mode does with each message."""
    if snapshot.version != delta.base_version:
        raise ValueError(f"delta from {delta.base_version} applied to {snapshot.version}")
    removed_tables = set(delta.removed_table_ids)
    tables = {t.table_id: t for t in snapshot.tables if t.table_id not in removed_tables}
    tables.update((t.table_id, t) for t in delta.tables)
    removed_slots = {_key(s) for s in delta.removed_slot_start_times}
    slots = {
        _key(s.start_time): s for s in snapshot.slots if _key(s.start_time) not in removed_slots
    }
    slots.update((_key(s.start_time), s) for s in delta.slots)
    demand = (
        delta.pending_demand.items if delta.HasField("pending_demand") else snapshot.pending_demand
    )
    return pb.Snapshot(
        venue_id=snapshot.venue_id,
        window=snapshot.window,
        version=delta.version,
        floor_plan_version=delta.floor_plan_version,
        tables=[tables[table_id] for table_id in sorted(tables)],
        pending_demand=demand,
        slots=[slots[key] for key in sorted(slots)],
        compute_time=delta.compute_time,
    )


def _key(moment: Timestamp) -> tuple[int, int]:
    return moment.seconds, moment.nanos
