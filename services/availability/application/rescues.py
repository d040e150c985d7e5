"""Rescue by re-packing: before a refusal for want of a table stands, ask for a bounded re-pack."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Protocol

from services.availability.domain.capacity import Verdict
from services.availability.domain.slots import SlotOption, SlotSearch, rank_slots

log = logging.getLogger("maitred.availability.rescue")

MAX_RESCUED_SLOTS = 3  # refused starts one slot search asks about, nearest the asked time first


class RescuePort(Protocol):
    """The optimizer's bounded re-pack of a window; it never fails, it says None instead."""

    async def find(
        self, venue_id: str, party_size: int, start: datetime, end: datetime, time_limit: timedelta
    ) -> tuple[str, ...] | None:
        """The tables the party would get over [start, end) once other bookings move; None
        when there is no re-pack or the optimizer cannot tell in time."""
        ...


class RescueOff:
    """No optimizer configured: there is never a re-pack, and the fast path's answer stands."""

    async def find(
        self, venue_id: str, party_size: int, start: datetime, end: datetime, time_limit: timedelta
    ) -> tuple[str, ...] | None:
        return None


class Rescuer:
    """Turns refusals for want of a table into acceptances when a re-pack seats the party."""

    def __init__(
        self, port: RescuePort, time_limit: timedelta, *, max_slots: int = MAX_RESCUED_SLOTS
    ) -> None:
        self._port = port
        self._limit = time_limit
        self._max_slots = max_slots

    async def check(
        self,
        venue_id: str,
        start: datetime,
        party_size: int,
        verdict: Verdict,
        time_limit: timedelta | None = None,
    ) -> Verdict:
        """The verdict, accepted with rescue_needed when it was rescuable and a re-pack exists.

        `time_limit` is the venue's (its policy's knob); without it, the one given at creation.
        """
        if not verdict.rescuable or verdict.end_time is None:
            return verdict
        limit = time_limit or self._limit
        tables = await self._port.find(venue_id, party_size, start, verdict.end_time, limit)
        return verdict if tables is None else verdict.rescued(tables)

    async def slots(
        self,
        venue_id: str,
        party_size: int,
        search: SlotSearch,
        limit: int,
        time_limit: timedelta | None = None,
    ) -> list[SlotOption]:
        """The search's options plus the squeezed starts a re-pack saves, best first.

        Only when fewer free options than `limit` were found, and only for the nearest few
        squeezed starts (never more than fit beside the free ones, so no free option is pushed
        out), asked one after the other within a shared budget of twice the time limit.
        """
        asked = search.squeezed[: max(0, min(self._max_slots, limit - len(search.options)))]
        saved: list[SlotOption] = []
        each = time_limit or self._limit
        try:
            async with asyncio.timeout(2 * each.total_seconds()):
                for option in asked:
                    found = await self._port.find(
                        venue_id, party_size, option.start, option.end, each
                    )
                    if found is not None:
                        saved.append(option)
        except TimeoutError:
            log.warning(
                "rescue budget spent; the remaining starts stay refused",
                extra={"venue_id": venue_id, "asked": len(asked), "saved": len(saved)},
            )
        return rank_slots([*search.options, *saved], search.anchor) if saved else search.options
