"""Hypothesis strategies for random floors, allocations, holds and waiting bookings."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import strategies as st

from services.availability.domain.floor import Floor, Policy, ServicePeriod, Table, TurnBand
from services.availability.domain.occupancy import Demand, Facts, Kind, Occupancy

DAY = datetime(2027, 3, 10, tzinfo=UTC)  # a Wednesday
NOW = DAY + timedelta(hours=12)


def policy(**changes: object) -> Policy:
    base = dict(
        timezone=UTC,
        max_party_size=12,
        service_periods=(ServicePeriod("dinner", frozenset(range(7)), time(17), time(22)),),
        turn_bands=(
            TurnBand(1, 2, timedelta(minutes=60)),
            TurnBand(3, 12, timedelta(minutes=90)),
        ),
        slot_interval=timedelta(minutes=30),
        cleaning_buffer=timedelta(minutes=15),
        max_tables_per_combination=3,
    )
    base.update(changes)
    return Policy(**base)  # type: ignore[arg-type]


@st.composite
def floors(draw: st.DrawFn, max_tables: int = 6) -> Floor:
    count = draw(st.integers(1, max_tables))
    tables = []
    for index in range(count):
        seats = draw(st.sampled_from([2, 4, 6]))
        tables.append(
            Table(
                table_id=f"t{index}",
                zone_id=draw(st.sampled_from(["a", "b"])),
                min_seats=draw(st.integers(1, seats)),
                max_seats=seats,
                combinable=draw(st.booleans()),
                active=index == 0 or draw(st.booleans()),
            )
        )
    pairs = [(f"t{i}", f"t{j}") for i in range(count) for j in range(i + 1, count)]
    edges = draw(st.sets(st.sampled_from(pairs), max_size=len(pairs))) if pairs else set()
    return Floor(tables=tuple(tables), edges=frozenset(edges))


def _moment(draw: st.DrawFn) -> datetime:
    return DAY + timedelta(hours=17) + timedelta(minutes=15 * draw(st.integers(0, 20)))


@st.composite
def facts_for(draw: st.DrawFn, floor: Floor) -> Facts:
    ids = [t.table_id for t in floor.tables]
    occupancies = []
    for index in range(draw(st.integers(0, 6))):
        start = _moment(draw)
        kind = draw(st.sampled_from(list(Kind)))
        expire = None
        if kind is Kind.HOLD:
            expire = NOW + timedelta(minutes=draw(st.integers(-5, 5)))
        occupancies.append(
            Occupancy(
                allocation_id=f"a{index}",
                kind=kind,
                table_ids=tuple(
                    sorted(draw(st.sets(st.sampled_from(ids), min_size=1, max_size=2)))
                ),
                start=start,
                end=start + timedelta(minutes=draw(st.sampled_from([75, 105]))),
                booking_id=None if kind is Kind.HOLD else f"b{index}",
                party_size=draw(st.integers(1, 6)),
                expire_time=expire,
            )
        )
    demand = []
    for index in range(draw(st.integers(0, 3))):
        start = _moment(draw)
        demand.append(
            Demand(f"d{index}", draw(st.integers(1, 8)), start, start + timedelta(minutes=90),
                   "ASSIGNMENT_PENDING")
        )  # fmt: skip
    return Facts(version=draw(st.integers(1, 99)), floor_version=1,
                 occupancies=tuple(occupancies), demand=tuple(demand))  # fmt: skip
