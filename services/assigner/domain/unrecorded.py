"""Which tables a booking keeps when the record of a new allocation at the state service failed."""

from __future__ import annotations

from collections.abc import Sequence

from services.assigner.domain.booking import BookingState

# A booking in one of these states holds the tables it recorded (a party that sat down keeps them).
HOLDS_TABLES = (
    BookingState.ASSIGNED,
    BookingState.CONFIRMED,
    BookingState.SEATED,
    BookingState.COMPLETED,
)


def keeps_unrecorded(
    state: str, recorded: Sequence[str], tables: Sequence[str], other_live_groups: int
) -> bool:
    """Whether a booking keeps an allocation whose record at the state service failed: when
    the record landed after all (it holds exactly these tables), or when the booking holds
    tables and these are the only ones in force (a move whose record was cut off: the drift
    sweep records them; releasing them would leave the booking without any)."""
    if state not in HOLDS_TABLES:
        return False
    if sorted(recorded) == sorted(tables):
        return True
    return state in (BookingState.ASSIGNED, BookingState.CONFIRMED) and other_live_groups == 0
