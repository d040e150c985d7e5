"""Page tokens: a position that does not read is a bad page token, never a crash."""

from __future__ import annotations

import pytest


def test_a_page_position_that_does_not_read_is_a_bad_page_token():
    from datetime import datetime

    from shared.domain_errors import InvalidArgument
    from shared.paging import read_position

    def read(position: dict) -> datetime:
        return datetime.fromisoformat(position["t"])

    assert read_position({"t": "2026-01-01T00:00:00+00:00"}, read).year == 2026
    for position in ({}, {"t": 5}, {"t": "yesterday"}):
        with pytest.raises(InvalidArgument) as raised:
            read_position(position, read)
        assert [v.field for v in raised.value.violations] == ["page_token"]
