"""A run's events for any number of readers: each reads all of them, in order, from the first."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from services.optimizer.domain.records import PlanRecord


@dataclass(frozen=True)
class Progress:
    """How a run is doing: its phase, time so far and the solver's best figures."""

    phase: str  # LOADING, SOLVING, FALLBACK or APPLYING
    elapsed_s: float
    solutions: int = 0
    best_objective: float = 0.0
    best_bound: float = 0.0
    detail: str = ""


Event = Progress | PlanRecord  # the finished plan is always the last event


class RunFeed:
    """Keeps every event of one run so a late or replayed reader sees them all.

    The run throttles solver progress at its source, so the list stays short (a few hundred
    events for the longest run allowed).
    """

    def __init__(self, record: PlanRecord) -> None:
        self.record = record
        self._events: list[Event] = []
        self._changed = asyncio.Condition()

    @property
    def finished(self) -> bool:
        return bool(self._events) and isinstance(self._events[-1], PlanRecord)

    async def publish(self, event: Event) -> None:
        async with self._changed:
            self._events.append(event)
            if isinstance(event, PlanRecord):
                self.record = event
            self._changed.notify_all()

    async def follow(self) -> AsyncIterator[Event]:
        """Every event so far, then each new one, until the finished plan."""
        seen = 0
        while True:
            async with self._changed:
                while len(self._events) <= seen:
                    await self._changed.wait()
                batch = self._events[seen:]
            for event in batch:
                yield event
                if isinstance(event, PlanRecord):
                    return
            seen += len(batch)
