"""When to try a booking's assignment again: exponential backoff from 1 s with jitter, capped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

BASE = timedelta(seconds=1)
CAP = timedelta(seconds=30)


def retry_delay(failures: int, jitter: Callable[[], float]) -> timedelta:
    """The wait after `failures` failed tries; `jitter()` returns a factor in [0.5, 1.5)."""
    if failures <= 0:
        return timedelta(0)
    raw: timedelta = min(CAP, BASE * (2 ** min(failures - 1, 16)))
    return raw * jitter()


def due_time(
    failures: int, last_failure: datetime | None, jitter: Callable[[], float]
) -> datetime | None:
    """When the next try may start (None: at once)."""
    if last_failure is None or failures <= 0:
        return None
    return last_failure + retry_delay(failures, jitter)
