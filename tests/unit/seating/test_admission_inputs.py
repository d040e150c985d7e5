"""A booking at real instants becomes the yield decision's local minutes, weekday and lead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.seating.admission import (
    SeatedBooking,
    YieldView,
    admission,
    admission_request,
    with_venue_turns,
)
from shared.seating.combinations import Candidate, Seat
from shared.seating.demand import DemandCell, DemandHistory
from shared.seating.yield_policy import YieldSettings

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def test_minutes_are_local_wall_clock_minutes_of_the_service_day():
    day = date(2026, 7, 3)  # a Friday, London on summer time (UTC+1)
    start = london(day, 19, 30).astimezone(UTC)
    request = admission_request(
        4, start, start + timedelta(hours=2), LONDON, start - timedelta(hours=5)
    )
    assert (request.start_minute, request.end_minute) == (19 * 60 + 30, 21 * 60 + 30)
    assert (request.weekday, request.lead_minutes, request.party_size) == (4, 300, 4)


def test_a_stay_past_midnight_runs_on_past_1440():
    day = date(2026, 7, 3)
    start = london(day, 23, 0)
    request = admission_request(2, start, start + timedelta(minutes=105), LONDON, start)
    assert (request.start_minute, request.end_minute, request.weekday) == (1380, 1485, 4)


def test_on_the_night_the_clocks_go_back_minutes_follow_the_wall_clock():
    day = date(2026, 10, 25)  # London leaves summer time at 02:00 local
    start = london(day, 19, 0)
    request = admission_request(2, start, start + timedelta(hours=1), LONDON, start)
    assert (request.start_minute, request.end_minute) == (1140, 1200)


def test_a_start_already_past_has_no_lead_rather_than_a_negative_one():
    start = datetime(2026, 7, 3, 18, tzinfo=UTC)
    assert (
        admission_request(2, start, start, LONDON, start + timedelta(minutes=5)).lead_minutes == 0
    )


def test_the_seated_bookings_are_read_on_the_same_local_day_as_the_request():
    """Two 4-tops, one taken from 19:00 Tokyo time: a 2-top at 19:00 takes the other, which a
    forecast 4-top at 19:00 then lacks. Read in UTC minutes (10:00) the taken table would look
    free at 19:00 for the 4-top, and nothing would be refused."""
    day = date(2026, 7, 3)
    seven = datetime(2026, 7, 3, 19, tzinfo=TOKYO)
    seats = (Seat("a", "z", 2, 4, False), Seat("b", "z", 2, 4, False))
    candidates = (Candidate(("a",), 2, 4), Candidate(("b",), 2, 4))
    days = 8
    history = DemandHistory(
        cells=(DemandCell(day.weekday(), 19 * 60, 4, 0, 2 * days),),  # two 4-tops a night
        days_observed={day.weekday(): days},
    )
    view = YieldView(
        YieldSettings(enabled=True),
        seats,
        (SeatedBooking(("a",), seven, seven + timedelta(minutes=135), 4),),
        history,
    )
    decision = admission(
        view, candidates, party_size=2, start=seven, blocked_until=seven + timedelta(minutes=105),
        timezone=TOKYO, now=seven - timedelta(days=1),
    )  # fmt: skip
    assert not decision.admit
    assert (decision.protected_slot_minute, decision.protected_party_size) == (19 * 60, 4)
    empty = YieldView(view.settings, seats, (), history)  # both tables free: room for both
    off = YieldView(YieldSettings(enabled=False), seats, view.seated, history)
    for other in (empty, off):
        assert admission(
            other, candidates, party_size=2, start=seven,
            blocked_until=seven + timedelta(minutes=105), timezone=TOKYO,
            now=seven - timedelta(days=1),
        ).admit  # fmt: skip


def test_a_venue_s_own_turn_times_plus_buffer_become_the_forecast_s_turn_bands():
    long_turns = ((2, timedelta(minutes=150)), (8, timedelta(minutes=180)))
    settings = with_venue_turns(YieldSettings(enabled=True), long_turns, timedelta(minutes=15))
    assert settings.turn_bands == ((2, 165), (8, 195))
    assert settings.turn_bands != YieldSettings().turn_bands
    assert with_venue_turns(YieldSettings(), (), timedelta(minutes=15)) == YieldSettings()


def test_the_decision_seats_forecast_parties_for_the_venue_s_own_turn_times():
    """Table a is taken all evening; three 4-tops a night ask for 15:00. A 2-top at 17:30 on
    table b clashes with them only if a 4-top sits longer than 2.5 hours: not at the default
    two hours, but at this venue's three hours plus a 15-minute buffer."""
    day = date(2026, 7, 3)
    three, half_five = london(day, 15), london(day, 17, 30)
    seats = (Seat("a", "z", 2, 4, False), Seat("b", "z", 2, 4, False))
    candidates = (Candidate(("a",), 2, 4), Candidate(("b",), 2, 4))
    history = DemandHistory(
        cells=(DemandCell(day.weekday(), 15 * 60, 4, 0, 3 * 8),), days_observed={day.weekday(): 8}
    )
    seated = (SeatedBooking(("a",), london(day, 12), london(day, 23), 4),)
    turns = ((2, timedelta(minutes=105)), (4, timedelta(minutes=180)))

    def decide(settings: YieldSettings) -> bool:
        view = YieldView(settings, seats, seated, history)
        return admission(
            view, candidates, party_size=2, start=half_five,
            blocked_until=half_five + timedelta(minutes=120), timezone=LONDON,
            now=three - timedelta(days=1),
        ).admit  # fmt: skip

    assert decide(YieldSettings(enabled=True))
    assert not decide(with_venue_turns(YieldSettings(enabled=True), turns, timedelta(minutes=15)))
