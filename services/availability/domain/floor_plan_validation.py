"""Validation of venues, zones, tables and adjacency edges; every violation is listed at once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.availability.domain.floor_plan import FloorPlan, TableRecord, Venue, Zone, edge
from shared.domain_errors import FieldViolation, InvalidArgument

ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ID_FORMAT = "1-63 of [a-z0-9-], not starting with a hyphen"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# The contract allows longer venue and zone names than table names (floor_plan.proto).
MAX_VENUE_NAME = 200
MAX_ZONE_NAME = 200
MAX_TABLE_NAME = 100
MAX_SEATS = 50
MAX_PARTY_SIZE = 100

Violations = list[FieldViolation]


def raise_if_any(violations: Violations) -> None:
    if violations:
        raise InvalidArgument(violations)


def check_id(out: Violations, field: str, value: str) -> None:
    if not value:
        out.append(FieldViolation(field, "field.required"))
    elif not ID.match(value):
        out.append(FieldViolation(field, "field.bad_format", {"format": ID_FORMAT}))


def check_name(out: Violations, field: str, value: str, maximum: int) -> None:
    if not value.strip():
        out.append(FieldViolation(field, "field.required"))
    elif len(value) > maximum:
        out.append(FieldViolation(field, "field.too_long", {"max": maximum}))


def check_request_id(out: Violations, value: str) -> None:
    if not value:
        out.append(FieldViolation("request_id", "field.required"))
    elif not REQUEST_ID.match(value):
        out.append(
            FieldViolation("request_id", "field.bad_format", {"format": "1-64 of [A-Za-z0-9._:-]"})
        )


def check_range(out: Violations, field: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        out.append(FieldViolation(field, "field.out_of_range", {"min": low, "max": high}))


def is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def venue_violations(venue: Venue) -> Violations:
    """The violations of a venue's writable fields (display name, time zone, max party size)."""
    out: Violations = []
    check_name(out, "venue.display_name", venue.display_name, MAX_VENUE_NAME)
    if not venue.time_zone:
        out.append(FieldViolation("venue.time_zone", "field.required"))
    elif not is_time_zone(venue.time_zone):
        out.append(FieldViolation("venue.time_zone", "field.unknown_time_zone"))
    check_range(out, "venue.max_party_size", venue.max_party_size, 1, MAX_PARTY_SIZE)
    return out


def new_venue_violations(venue: Venue, request_id: str) -> Violations:
    out: Violations = []
    check_id(out, "venue_id", venue.venue_id)
    check_request_id(out, request_id)
    return out + venue_violations(venue)


def venue_update_violations(plan: FloorPlan, venue: Venue) -> Violations:
    """A venue change must keep every party size it takes covered by a turn-time band."""
    out = venue_violations(venue)
    covered = max((band.max_party for band in plan.policy.turn_bands), default=0)
    if 1 <= venue.max_party_size <= MAX_PARTY_SIZE and covered < venue.max_party_size:
        out.append(
            FieldViolation(
                "venue.max_party_size", "field.no_turn_time", {"party_size": covered + 1}
            )
        )
    return out


def zone_violations(zone: Zone, *, request_id: str | None = None) -> Violations:
    """A zone's violations; `request_id` is given (and checked) for a create."""
    out: Violations = []
    if request_id is not None:
        check_id(out, "zone.zone_id", zone.zone_id)
        check_request_id(out, request_id)
    check_name(out, "zone.display_name", zone.display_name, MAX_ZONE_NAME)
    return out


def table_violations(
    plan: FloorPlan, record: TableRecord, *, request_id: str | None = None
) -> Violations:
    """A table's violations against its venue's plan; `request_id` is given for a create."""
    out: Violations = []
    seats = record.seats
    if request_id is not None:
        check_id(out, "table.table_id", seats.table_id)
        check_request_id(out, request_id)
    check_name(out, "table.display_name", record.display_name, MAX_TABLE_NAME)
    if any(
        t.display_name == record.display_name and t.table_id != seats.table_id for t in plan.tables
    ):
        out.append(FieldViolation("table.display_name", "field.name_taken"))
    if not seats.zone_id:
        out.append(FieldViolation("table.zone_id", "field.required"))
    elif plan.zone(seats.zone_id) is None:
        out.append(FieldViolation("table.zone_id", "field.unknown_zone"))
    check_range(out, "table.min_seats", seats.min_seats, 1, MAX_SEATS)
    check_range(out, "table.max_seats", seats.max_seats, 1, MAX_SEATS)
    if 1 <= seats.max_seats < seats.min_seats:
        out.append(FieldViolation("table.min_seats", "field.above_max", {"max": seats.max_seats}))
    joined = any(seats.table_id in pair for pair in plan.edges)
    if not seats.combinable and joined:
        out.append(FieldViolation("table.combinable", "field.has_edges"))
    return out


def edges_of(plan: FloorPlan, pairs: Sequence[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """The stored form of a new adjacency graph; InvalidArgument naming every bad edge."""
    out: Violations = []
    seen: set[tuple[str, str]] = set()
    for index, (first, second) in enumerate(pairs):
        path = f"adjacency_graph.edges[{index}]"
        ends_ok = True
        for name, table_id in (("first_table_id", first), ("second_table_id", second)):
            table = plan.table(table_id)
            if table is None:
                out.append(FieldViolation(f"{path}.{name}", "field.unknown_table"))
                ends_ok = False
            elif not table.seats.combinable:
                out.append(FieldViolation(f"{path}.{name}", "field.not_combinable"))
        if ends_ok and first == second:
            out.append(FieldViolation(path, "field.self_edge"))
        elif ends_ok and edge(first, second) in seen:
            out.append(FieldViolation(path, "field.duplicate"))
        seen.add(edge(first, second))
    raise_if_any(out)
    return frozenset(seen)
