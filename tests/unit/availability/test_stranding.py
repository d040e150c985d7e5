"""Unit tests of stranding: which live assignments a floor change would leave impossible."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta
from uuid import UUID

from services.availability.domain.floor import ServicePeriod
from services.availability.domain.floor_plan import FloorPlan, edge
from services.availability.domain.stranding import newly_stranded
from tests.unit.availability.plan_builders import NOW, group, plan, policy, table

SINGLE = group("t3", party=5, booking=1)
JOINED = group("t1", "t2", party=7, booking=2)
TERRACE = group("t4", party=2, booking=3)
GROUPS = [SINGLE, JOINED, TERRACE]


def stranded_by(after: FloorPlan, groups=GROUPS, before: FloorPlan | None = None):
    before = before or plan()
    return newly_stranded(
        groups,
        (before.floor(), before.seating_policy()),
        (after.floor(), after.seating_policy()),
        now=NOW,
    )


def ids(stranded) -> list[int]:
    return [s.booking_id.int for s in stranded]


def test_a_change_no_assignment_depends_on_strands_nothing():
    wider = plan().with_table(table("t4", 1, 6, zone="terrace"))
    assert stranded_by(wider) == []
    assert stranded_by(plan(edges=frozenset({edge("t1", "t2")}))) == []


def test_deactivating_a_table_strands_the_booking_assigned_to_it():
    stranded = stranded_by(plan().with_table(table("t3", 4, 6, active=False)))
    assert ids(stranded) == [1]
    assert stranded[0].cause == "table t3 is not active"
    assert stranded[0].booking_version == 3


def test_deactivating_one_table_of_a_combination_strands_its_booking():
    assert ids(stranded_by(plan().with_table(table("t2", active=False)))) == [2]


def test_shrinking_a_table_below_the_party_strands_the_booking():
    stranded = stranded_by(plan().with_table(table("t3", 2, 4)))
    assert ids(stranded) == [1]
    assert stranded[0].cause == "its tables seat 4, the party is 5"


def test_shrinking_one_table_of_a_combination_strands_it_once_the_total_is_too_small():
    assert stranded_by(plan().with_table(table("t1", 2, 3))) == []  # 3 + 4 still seats 7
    assert ids(stranded_by(plan().with_table(table("t1", 1, 2)))) == [2]  # 2 + 4 does not


def test_removing_an_edge_that_joins_a_combination_strands_its_booking():
    stranded = stranded_by(plan(edges=frozenset({edge("t2", "t3"), edge("t3", "t4")})))
    assert ids(stranded) == [2]
    assert stranded[0].cause == "its tables are no longer adjacent"


def test_a_combination_must_be_connected_through_its_own_tables():
    chain = group("t1", "t3", party=7, booking=4)  # t1-t2-t3: t2 is not part of the group
    assert ids(stranded_by(plan(), groups=[chain], before=plan(edges=frozenset()))) == []
    joined = plan(edges=frozenset({edge("t1", "t3")}))
    assert ids(stranded_by(plan(), groups=[chain], before=joined)) == [4]


def test_lowering_the_table_limit_below_a_combination_strands_its_booking():
    stranded = stranded_by(plan(policy=policy(max_tables_per_combination=1)))
    assert ids(stranded) == [2]
    assert stranded[0].cause == "it joins 2 tables, the limit is 1"


def test_a_booking_that_was_already_impossible_is_not_blamed_on_the_change():
    broken = plan().with_table(table("t3", 4, 6, active=False))
    assert stranded_by(broken.with_table(table("t1", 1, 2)), before=broken) == [
        stranded_by(plan().with_table(table("t1", 1, 2)))[0]
    ]


def test_a_seated_party_is_marked_seated():
    seated = dataclasses.replace(SINGLE, seated=True, start_time=NOW - timedelta(minutes=30))
    stranded = stranded_by(plan().with_table(table("t3", 4, 6, active=False)), groups=[seated])
    assert [(s.booking_id, s.seated) for s in stranded] == [(UUID(int=1), True)]


def test_shortening_the_service_periods_strands_future_bookings_but_not_parties_already_in():
    every_day = frozenset(range(7))
    lunch = ServicePeriod("lunch", every_day, time(11), time(14))
    before = plan(policy=policy(service_periods=(lunch, *policy().service_periods)))
    after = plan(
        policy=policy(service_periods=(ServicePeriod("dinner", every_day, time(17), time(19)),))
    )
    started = group("t4", party=2, booking=9, start=NOW - timedelta(minutes=10))
    stranded = stranded_by(after, groups=[SINGLE, started], before=before)
    assert ids(stranded) == [1]
    assert stranded[0].cause == "it starts outside every service period"


def test_each_booking_is_listed_once_in_booking_id_order():
    again = group("t3", party=5, booking=1)
    closed = plan().with_table(table("t3", 4, 6, active=False))
    closed = closed.with_table(table("t4", zone="terrace", active=False))
    assert ids(stranded_by(closed, groups=[TERRACE, SINGLE, again])) == [1, 3]
