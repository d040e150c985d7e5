"""The booking versions this coordinator wrote itself, so their events are not taken as work."""

from __future__ import annotations

from collections import OrderedDict
from uuid import UUID

# Far more than the bookings in flight at once; an entry only has to outlive its event's trip.
REMEMBERED = 10_000


class OwnChanges:
    """A bounded memory of (booking, version) pairs written by this process's coordinator.

    The drive that wrote a version carried on from it in the same task, so the event of that
    version brings nothing new. A version forgotten (or written before a restart) only costs
    one needless look at the booking.
    """

    def __init__(self, size: int = REMEMBERED) -> None:
        self._size = size
        self._seen: OrderedDict[tuple[UUID, int], None] = OrderedDict()

    def wrote(self, booking_id: UUID, version: int) -> None:
        self._seen[(booking_id, version)] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)

    def made(self, booking_id: UUID, version: int) -> bool:
        return (booking_id, version) in self._seen
