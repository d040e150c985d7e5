"""The times and spans the services compute with, and the checks that keep requests inside them.

Protobuf accepts any time of years 0001..9999, but a venue's day is computed with margins
around it (turn times, the day before and after, time zones), which would overflow Python's
dates at either end. So every time a service computes with must fall within
`EARLIEST`..`LATEST` (1970 to 9000), and searches over a window take at most a given span.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shared.domain_errors import FieldViolation, InvalidArgument

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
LIST_SPAN = timedelta(days=366)  # a listing's time range (it is paged besides)


def check_moment(moment: datetime, path: str) -> datetime:
    """`moment`, or INVALID_ARGUMENT naming `path` when it lies outside EARLIEST..LATEST."""
    if not EARLIEST <= moment < LATEST:
        raise InvalidArgument([_outside(path)])
    return moment


def check_day(day: date, path: str) -> date:
    """`day`, or INVALID_ARGUMENT naming `path` when it lies outside EARLIEST..LATEST."""
    if not EARLIEST.date() <= day < LATEST.date():
        raise InvalidArgument([_outside(path)])
    return day


def check_span(start: datetime, end: datetime, longest: timedelta, path: str) -> None:
    """INVALID_ARGUMENT naming `path` when `end - start` is longer than `longest`."""
    if end - start > longest:
        raise InvalidArgument(
            [FieldViolation(path, "field.window_too_long", {"max": describe(longest)})]
        )


def describe(span: timedelta) -> str:
    """A span as a reader says it: `24 hours`, `366 days`."""
    if span % timedelta(days=1) == timedelta(0) and span >= timedelta(days=2):
        return f"{span.days} days"
    return f"{int(span.total_seconds() // 3600)} hours"


def _outside(path: str) -> FieldViolation:
    return FieldViolation(
        path, "field.out_of_range", {"min": "1970-01-01T00:00:00Z", "max": "9000-01-01T00:00:00Z"}
    )
