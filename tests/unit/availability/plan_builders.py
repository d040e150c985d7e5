"""Builders of floor plans, policy drafts and live assignments for the floor-plan unit tests."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

from services.availability.domain.floor import ServicePeriod, Table, TurnBand
from services.availability.domain.floor_plan import (
    FloorPlan,
    RetryBudget,
    TableRecord,
    Venue,
    VenuePolicy,
    Zone,
    edge,
)
from services.availability.domain.policy_validation import PeriodDraft, PolicyDraft
from services.availability.domain.stranding import LiveGroup

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# A Friday evening in London (GMT in November), inside the dinner service below.
FRIDAY_1930 = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)
EVERY_DAY = tuple(range(7))


def table(
    table_id: str, low: int = 2, high: int = 4, zone: str = "main", **changes: object
) -> TableRecord:
    seats = dataclasses.replace(Table(table_id, zone, low, high), **changes)  # type: ignore[arg-type]
    return TableRecord("v1", seats, table_id.upper())


def policy(**changes: object) -> VenuePolicy:
    base = VenuePolicy(
        venue_id="v1",
        service_periods=(ServicePeriod("dinner", frozenset(EVERY_DAY), time(17), time(22, 30)),),
        turn_bands=(
            TurnBand(1, 4, timedelta(minutes=90)),
            TurnBand(5, 12, timedelta(minutes=120)),
        ),
        strategy_weights=(("exact_fit", 1.0), ("look_ahead", 0.5)),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def plan(**changes: object) -> FloorPlan:
    """Zones main and terrace; t1-t3 in main, t4 on the terrace; t1-t2, t2-t3, t3-t4 joined."""
    base = FloorPlan(
        venue=Venue("v1", "Bistro", "Europe/London", 12, version=7),
        zones=(Zone("v1", "main", "Main room"), Zone("v1", "terrace", "Terrace")),
        tables=(table("t1"), table("t2"), table("t3", 4, 6), table("t4", zone="terrace")),
        edges=frozenset({edge("t1", "t2"), edge("t2", "t3"), edge("t3", "t4")}),
        policy=policy(),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def period(
    name: str = "dinner",
    weekdays: tuple[int, ...] = EVERY_DAY,
    first: tuple[int, int] | None = (17, 0),
    last: tuple[int, int] | None = (22, 30),
) -> PeriodDraft:
    return PeriodDraft(name, weekdays, first, last)


def draft(*periods: PeriodDraft, **changes: object) -> PolicyDraft:
    """A valid draft (dinner daily) unless `periods` or `changes` say otherwise."""
    return PolicyDraft(periods=periods or (period(),), policy=policy(**changes))


def retry(**changes: object) -> RetryBudget:
    return dataclasses.replace(RetryBudget(), **changes)  # type: ignore[arg-type]


def group(
    *table_ids: str,
    party: int = 4,
    booking: int = 1,
    seated: bool = False,
    start: datetime = FRIDAY_1930,
) -> LiveGroup:
    return LiveGroup(UUID(int=booking), 3, party, start, seated, frozenset(table_ids))
