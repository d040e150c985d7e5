"""A clock read from a file, for benchmarks that replay simulated booking leads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path


def file_clock(path: str) -> Callable[[], datetime]:
    """A clock whose now is the ISO 8601 moment (with its offset) the file holds when called.

    The file is read once here, so a clock that could not tell the time fails at once (OSError
    when the file cannot be read, ValueError when it holds no moment with its offset)."""
    source = Path(path)

    def now() -> datetime:
        text = source.read_text().strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{path} holds {text!r}, not an ISO 8601 moment") from None
        if moment.tzinfo is None:
            raise ValueError(f"{path} holds {moment.isoformat()}, a moment without its offset")
        return moment

    now()
    return now
