"""A slot search steered by the yield policy: the asked start kept when admitted, else the
nearest starts the policy admits, deciding a bounded number of starts."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.availability.domain.floor import Floor, Table, TurnBand
from services.availability.domain.occupancy import Facts
from services.availability.domain.slots import SlotOption, rank_slots
from services.availability.domain.yield_slots import MAX_DECISIONS, steered_options
from shared.seating.combinations import Candidate
from shared.seating.demand import DemandCell, DemandHistory
from shared.seating.yield_policy import YieldSettings
from tests.unit.availability.floors import DAY, policy

FLOOR = Floor(tables=(Table("a", "z", 2, 4, False), Table("b", "z", 2, 4, False)))
CANDIDATES = (Candidate(("a",), 2, 4), Candidate(("b",), 2, 4))
SEVEN = DAY + timedelta(hours=19)
NOW = DAY - timedelta(days=1)
# Eight Wednesdays, each with six 4-tops asking for 19:00 within the hour before.
HISTORY = DemandHistory(
    cells=(DemandCell(DAY.weekday(), 19 * 60, 4, 0, 6 * 8),), days_observed={DAY.weekday(): 8}
)
YIELD_ON = policy(yield_settings=YieldSettings(enabled=True))


def options(first: datetime, count: int, anchor: datetime) -> list[SlotOption]:
    """Every 15-minute start from `first`, a 2-top's 60 minutes each, ranked around `anchor`."""
    starts = [first + timedelta(minutes=15 * n) for n in range(count)]
    return rank_slots(
        (SlotOption(s, s + timedelta(minutes=60), "dinner", 2) for s in starts), anchor
    )


def steer(found: list[SlotOption], anchor: datetime, limit: int = 4, **changes) -> list[SlotOption]:
    return steered_options(
        found, anchor, FLOOR, changes.get("policy", YIELD_ON), Facts(1, 1, (), ()), CANDIDATES,
        2, {DAY.date(): HISTORY}, now=NOW, limit=limit,
    )  # fmt: skip


def test_a_party_refused_at_the_asked_start_is_offered_the_nearest_starts_admitted():
    found = options(DAY + timedelta(hours=17), 17, SEVEN)  # 17:00 to 21:00
    steered = [o.start for o in steer(found, SEVEN)]
    assert SEVEN not in steered and steered
    # A 2-top (60 min +15 buffer) starting after 17:45 and before 20:45 takes a table a 4-top
    # needs: the floor's 4-tops hold their tables 90 minutes plus the 15-minute buffer.
    assert all(
        not SEVEN - timedelta(minutes=75) < s < SEVEN + timedelta(minutes=105) for s in steered
    )
    distances = [abs(s - SEVEN) for s in steered]
    assert distances == sorted(distances)


def test_a_party_admitted_at_the_asked_start_gets_the_search_unchanged():
    five = DAY + timedelta(hours=17)
    found = options(five, 17, five)
    assert steer(found, five) == found[:4]


def test_with_yield_off_or_the_asked_start_not_offered_nothing_is_decided():
    found = options(DAY + timedelta(hours=17), 17, SEVEN)
    off = policy(yield_settings=YieldSettings(enabled=False))
    assert steer(found, SEVEN, policy=off) == found[:4]
    without_seven = [o for o in found if o.start != SEVEN]
    assert steer(without_seven, SEVEN) == without_seven[:4]


def test_only_the_nearest_starts_are_decided_and_the_rest_are_not_offered():
    found = options(DAY + timedelta(hours=12), 40, SEVEN)  # 12:00 to 21:45
    steered = steer(found, SEVEN, limit=40)
    assert steered and len(steered) < MAX_DECISIONS
    assert {o.start for o in steered} <= {o.start for o in found[:MAX_DECISIONS]}


def test_forecast_parties_sit_for_the_venue_s_own_turn_times_plus_buffer():
    """Six 4-tops a night ask for 17:00. A 2-top at 19:00 clears them at this floor's 90-minute
    turn (and at the forecast's default two hours); at a venue whose 4-tops stay three hours
    they still hold both tables at 19:00, and the 2-top there is refused."""
    history = DemandHistory(
        cells=(DemandCell(DAY.weekday(), 17 * 60, 4, 0, 6 * 8),), days_observed={DAY.weekday(): 8}
    )
    found = options(DAY + timedelta(hours=17), 17, SEVEN)
    slow = policy(
        yield_settings=YieldSettings(enabled=True),
        turn_bands=(TurnBand(1, 2, timedelta(minutes=60)), TurnBand(3, 12, timedelta(hours=3))),
    )
    kept = {}
    for name, venue in (("quick", YIELD_ON), ("slow", slow)):
        kept[name] = steered_options(
            found, SEVEN, FLOOR, venue, Facts(1, 1, (), ()), CANDIDATES, 2,
            {DAY.date(): history}, now=NOW, limit=4,
        )  # fmt: skip
    assert kept["quick"] == found[:4]
    assert SEVEN not in [o.start for o in kept["slow"]]
