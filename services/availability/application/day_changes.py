"""Brings a venue day up to a later version from what changed, without reading the day again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo

from services.availability.application.snapshot_ports import DayFacts, VenueChanges


def day_span(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The day's local midnights: the span its facts cover."""
    start = datetime.combine(day, time(0), zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), zone)


def apply_changes(day: DayFacts, changes: VenueChanges) -> DayFacts:
    """The day as a rebuild at `changes.version` would read it, in the same order.

    Every occupancy and waiting booking of a changed booking or group is replaced by its row
    as it is now (or dropped when it is gone); the rest of the day did not change.
    """
    floor, policy, floor_version = changes.floor or (day.floor, day.policy, day.floor_version)
    start, end = day_span(day.day, policy.timezone)
    kept = [
        o
        for o in day.occupancies
        if o.allocation_id not in changes.group_ids and o.booking_id not in changes.booking_ids
    ]
    fresh = [o for o in changes.occupancies if o.overlaps(start, end)]
    waiting = [d for d in day.demand if d.booking_id not in changes.booking_ids]
    arrived = [d for d in changes.demand if d.overlaps(start, end)]
    return replace(
        day,
        version=changes.version,
        floor_version=floor_version,
        floor=floor,
        policy=policy,
        # The rebuild's order: by group, and waiting bookings by start then id.
        occupancies=tuple(sorted([*kept, *fresh], key=lambda o: o.allocation_id)),
        demand=tuple(sorted([*waiting, *arrived], key=lambda d: (d.start, d.booking_id))),
    )
