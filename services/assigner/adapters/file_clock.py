"""A clock read from a file, for benchmarks that replay simulated booking leads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path


def file_clock(path: str) -> Callable[[], datetime]:
    """A clock whose now is the ISO 8601 moment (with its offset) the file holds when called."""
    source = Path(path)

    def now() -> datetime:
        moment = datetime.fromisoformat(source.read_text().strip())
        if moment.tzinfo is None:
            raise ValueError(f"{path} holds {moment.isoformat()}, a moment without its offset")
        return moment

    return now
