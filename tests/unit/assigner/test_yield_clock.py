"""The benchmark yield clock: checked when the assigner starts, and loud about being on."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.assigner.main import yield_clock
from services.assigner.settings import AssignerSettings


def settings(clock_file: str) -> AssignerSettings:
    return AssignerSettings(
        database_url="postgresql://x/db",
        redis_url="redis://x:6379/0",
        jwt_secret="s" * 32,
        yield_clock_file=clock_file,
    )


def test_without_the_setting_the_real_clock_is_kept_and_nothing_is_said(caplog):
    with caplog.at_level(logging.WARNING):
        assert yield_clock(settings("")) is None
    assert not caplog.records


def test_a_readable_moment_is_the_clock_and_a_warning_says_the_bench_clock_is_on(
    tmp_path: Path, caplog
):
    moment = datetime(2026, 12, 7, 18, 55, tzinfo=UTC)
    clock_file = tmp_path / "yield-clock"
    clock_file.write_text(moment.isoformat())
    with caplog.at_level(logging.WARNING):
        clock = yield_clock(settings(str(clock_file)))
    assert clock is not None and clock() == moment
    (record,) = caplog.records
    assert record.levelno == logging.WARNING and "MAITRED_YIELD_CLOCK_FILE" in record.getMessage()


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "No such file"), ("soon", "not an ISO 8601 moment"), ("2026-12-07T19:00", "offset")],
)
def test_a_clock_file_that_cannot_tell_the_time_stops_the_start_naming_the_setting(
    tmp_path: Path, content: str | None, reason: str
):
    clock_file = tmp_path / "yield-clock"
    if content is not None:
        clock_file.write_text(content)
    with pytest.raises(ValueError, match=f"^MAITRED_YIELD_CLOCK_FILE: .*{reason}"):
        yield_clock(settings(str(clock_file)))
