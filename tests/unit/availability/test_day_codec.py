"""A venue day cached in Redis keeps the policy's yield settings; an older entry has none."""

from __future__ import annotations

import json
from datetime import date

from services.availability.adapters.day_codec import decode, encode
from services.availability.application.snapshot_ports import DayFacts
from services.availability.domain.floor import Floor, Table
from shared.seating.yield_policy import YieldSettings
from tests.unit.availability.floors import policy


def day_with(settings: YieldSettings) -> DayFacts:
    return DayFacts(
        venue_id="v", day=date(2027, 3, 10), version=3, floor_version=2,
        floor=Floor(tables=(Table("t1", "z", 2, 4, True, True),)),
        policy=policy(yield_settings=settings), occupancies=(), demand=(),
    )  # fmt: skip


def test_the_yield_settings_survive_the_cache():
    settings = YieldSettings(enabled=True, min_days_observed=9)
    assert decode(encode(day_with(settings))).policy.yield_settings == settings


def test_a_day_cached_before_the_yield_settings_has_them_off():
    raw = json.loads(encode(day_with(YieldSettings(enabled=True))))
    del raw["policy"]["yield"]
    assert decode(json.dumps(raw).encode()).policy.yield_settings == YieldSettings()
