"""At which start times a party could be seated, best first: pure rules over capacity checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.availability.domain.capacity import check_capacity
from services.availability.domain.floor import Floor, Policy
from services.availability.domain.occupancy import Facts
from services.availability.domain.packing import Packing
from shared.seating.combinations import Candidate


@dataclass(frozen=True)
class SlotOption:
    """A start time at which the party fits, at once or after a re-pack of seated bookings."""

    start: datetime
    end: datetime
    period: str
    waste: int
    rescue_needed: bool = False


@dataclass(frozen=True)
class SlotSearch:
    """What a search found: its best options, and the refused starts a re-pack may yet save.

    `squeezed` holds the starts refused for want of a table alone (see Verdict.rescuable),
    nearest the anchor first, as options that need a re-pack; their waste is unknown (0).
    """

    options: list[SlotOption]
    squeezed: list[SlotOption]
    anchor: datetime


def rank_slots(options: Iterable[SlotOption], anchor: datetime) -> list[SlotOption]:
    """Best first: nearest the anchor, then without a re-pack, then least waste, then earliest."""
    return sorted(
        options,
        key=lambda o: (abs((o.start - anchor).total_seconds()), o.rescue_needed, o.waste, o.start),
    )


def search_slots(
    floor: Floor,
    policy: Policy,
    facts: Facts,
    candidates: Sequence[Candidate],
    starts: Sequence[datetime],
    party_size: int,
    *,
    now: datetime,
    preferred: datetime | None,
    limit: int,
    packing: Packing | None = None,
) -> SlotSearch:
    """The start times at which the party fits, best first, at most `limit` of them.

    `packing` is what the facts say as of `now`, when the caller keeps one; else it is made.
    """
    packing = packing if packing is not None else Packing.of(facts, now)
    options: list[SlotOption] = []
    squeezed: list[SlotOption] = []
    for start in starts:
        verdict = check_capacity(
            floor, policy, facts, candidates, start, party_size, now=now, packing=packing
        )
        period = policy.period_at(start)
        name = period.name if period else ""
        if verdict.accepted and verdict.best is not None and verdict.end_time is not None:
            options.append(
                SlotOption(start, verdict.end_time, name, verdict.best.waste(party_size))
            )
        elif verdict.rescuable and verdict.end_time is not None:
            squeezed.append(SlotOption(start, verdict.end_time, name, 0, rescue_needed=True))
    anchor = preferred or (starts[0] if starts else now)
    return SlotSearch(rank_slots(options, anchor)[:limit], rank_slots(squeezed, anchor), anchor)
