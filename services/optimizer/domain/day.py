"""Which span of time a run re-plans: a venue's local day, or one service period of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.domain_errors import FieldViolation, InvalidArgument
from shared.seating.knobs import SeatingKnobs
from shared.seating.planning.model import Problem, Span

REACH = timedelta(hours=12)  # the longest a booking's tables are taken: reads reach this far


@dataclass(frozen=True)
class Period:
    """A named service period of a weekday: bookings may start from `first` to `last`."""

    name: str
    weekday: int  # 0 is Monday
    first: time
    last: time


@dataclass(frozen=True)
class Window:
    """Bookings that start in [start, end) belong to the run (both in UTC)."""

    start: datetime
    end: datetime


def day_window(day: date, zone: ZoneInfo) -> Window:
    """The venue's local day, midnight to midnight (23 or 25 hours across a clock change)."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return Window(start.astimezone(UTC), end.astimezone(UTC))


def period_window(day: date, zone: ZoneInfo, period: Period) -> Window:
    """The period's starts on that day: from its first seating to just after its last."""
    start = datetime.combine(day, period.first, tzinfo=zone)
    end = datetime.combine(day, period.last, tzinfo=zone) + timedelta(seconds=1)
    return Window(start.astimezone(UTC), end.astimezone(UTC))


def run_window(day: date, zone: ZoneInfo, periods: list[Period], period_name: str) -> Window:
    """The whole local day, or the starts of the named period on it (INVALID_ARGUMENT if none)."""
    if not period_name:
        return day_window(day, zone)
    chosen = periods_on(periods, day, period_name)
    if not chosen:
        raise InvalidArgument([FieldViolation("service_period", "field.unknown_period")])
    spans = [period_window(day, zone, p) for p in chosen]
    return Window(min(s.start for s in spans), max(s.end for s in spans))


def periods_on(periods: list[Period], day: date, name: str) -> list[Period]:
    """The periods of that day's weekday with that name (several rows may share one name)."""
    return [p for p in periods if p.weekday == day.weekday() and p.name == name]


def due_shifts(
    periods: list[Period], now: datetime, zone: ZoneInfo, lead: timedelta, done: set[str]
) -> list[str]:
    """The names of today's periods whose re-plan is due: within `lead` of their first seating
    and not yet started, nor already run today (`done`). The scheduler runs each once."""
    today = now.astimezone(zone).date()
    due = []
    for period in periods_on_weekday(periods, today):
        window = period_window(today, zone, period)
        if window.start - lead <= now < window.start and period.name not in done:
            due.append(period.name)
    return sorted(set(due))


def periods_on_weekday(periods: list[Period], day: date) -> list[Period]:
    return [p for p in periods if p.weekday == day.weekday()]


@dataclass(frozen=True)
class VenueDay:
    """A venue's window to re-plan: the problem and what applying a plan needs to know."""

    problem: Problem
    versions: dict[str, int]  # booking id -> its version when read
    windows: dict[str, Span]  # booking id -> its time window (start, end) without the buffer
    threshold_percent: float
    timezone: ZoneInfo
    buffer: timedelta
    snapshot_version: int
    periods: list[Period] = field(default_factory=list)
    knobs: SeatingKnobs = field(
        default_factory=SeatingKnobs
    )  # the venue's rescue time limit and movers
