"""Fan-out of live snapshots: one producer per venue, a one-slot mailbox per subscriber."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

from services.availability.application.snapshots import Snapshots, check_window
from services.availability.domain.snapshot import Snapshot
from services.availability.domain.snapshot_delta import SnapshotDelta, snapshot_delta

log = logging.getLogger("maitred.availability.watch")
MAX_UPDATES = 64  # messages kept for reuse by streams at the same change; all dropped past it


@dataclass(frozen=True)
class Update:
    """One message of a watch: a snapshot (sent whole, or as `delta` from the stream's
    previous one when the stream asked for deltas), and what was coalesced before it."""

    snapshot: Snapshot
    skipped_versions: int
    resync: bool
    delta: SnapshotDelta | None = None


@dataclass(eq=False)
class _Subscriber:
    start: datetime
    end: datetime
    mailbox: Snapshot | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def deliver(self, snapshot: Snapshot) -> None:
        # Only the newest snapshot is kept: a slow reader costs one snapshot, never a queue.
        self.mailbox = snapshot
        self.ready.set()


class WatchHub:
    """Recomputes a venue's snapshots once per change and hands them to its subscribers."""

    def __init__(self, snapshots: Snapshots, *, poll_seconds: float = 2.0) -> None:
        self._snapshots = snapshots
        self._poll_seconds = poll_seconds
        self._subscribers: dict[str, set[_Subscriber]] = {}
        self._wakeups: dict[str, asyncio.Event] = {}
        self._producers: dict[str, asyncio.Task[None]] = {}
        self._seen: dict[str, int] = {}
        self._updates: dict[tuple[int, int, int, bool], tuple[Snapshot | None, Update]] = {}

    def changed(self, venue_id: str, version: int) -> None:
        """A committed change at a venue (from the change feed, any process's write)."""
        if venue_id in self._wakeups and version > self._seen.get(venue_id, 0):
            self._wakeups[venue_id].set()

    async def watch(
        self,
        venue_id: str,
        start: datetime,
        end: datetime,
        last_version: int,
        *,
        deltas: bool = False,
    ) -> AsyncIterator[Update]:
        """The current snapshot (unless the caller has it), then every change, newest first;
        with `deltas`, every message after the first whole one is a delta from the last."""
        check_window(start, end)
        subscriber = _Subscriber(start, end)
        self._join(venue_id, subscriber)  # before the first read, so no change slips between
        try:
            first = await self._snapshots.snapshot(venue_id, start, end)
            sent = last_version
            base: Snapshot | None = None  # the snapshot the caller holds, once it was sent one
            if last_version > first.version:
                yield self._update(None, first, 0, resync=True)
                sent, base = first.version, first
            elif last_version < first.version:
                skipped = max(first.version - last_version - 1, 0) if last_version else 0
                yield self._update(None, first, skipped)
                sent, base = first.version, first
            while True:
                await subscriber.ready.wait()
                subscriber.ready.clear()
                latest, subscriber.mailbox = subscriber.mailbox, None
                if latest is None or latest.version <= sent:
                    continue
                yield self._update(base if deltas else None, latest, latest.version - sent - 1)
                sent, base = latest.version, latest
        finally:
            self._leave(venue_id, subscriber)

    def _update(
        self,
        base: Snapshot | None,
        snapshot: Snapshot,
        skipped_versions: int,
        *,
        resync: bool = False,
    ) -> Update:
        """The message for a change (whole, or a delta from `base`), one object for every
        stream that gets the same one, so what is made from it (the delta, its wire bytes)
        is made once per change, not once per stream."""
        key = (id(base), id(snapshot), skipped_versions, resync)
        known = self._updates.get(key)
        if known is None or known[0] is not base or known[1].snapshot is not snapshot:
            if len(self._updates) >= MAX_UPDATES:
                self._updates.clear()
            delta = None if base is None else snapshot_delta(base, snapshot)
            known = self._updates[key] = (base, Update(snapshot, skipped_versions, resync, delta))
        return known[1]

    def _join(self, venue_id: str, subscriber: _Subscriber) -> None:
        self._subscribers.setdefault(venue_id, set()).add(subscriber)
        if venue_id not in self._producers:
            self._wakeups[venue_id] = asyncio.Event()
            self._producers[venue_id] = asyncio.create_task(self._produce(venue_id))

    def _leave(self, venue_id: str, subscriber: _Subscriber) -> None:
        remaining = self._subscribers.get(venue_id, set())
        remaining.discard(subscriber)
        if not remaining:
            self._subscribers.pop(venue_id, None)
            self._wakeups.pop(venue_id, None)
            self._seen.pop(venue_id, None)
            task = self._producers.pop(venue_id, None)
            if task is not None:
                task.cancel()

    async def _produce(self, venue_id: str) -> None:
        wakeup = self._wakeups[venue_id]
        while venue_id in self._subscribers:
            # The poll catches a notification lost while the feed reconnected.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), self._poll_seconds)
            wakeup.clear()
            try:
                await self._publish(venue_id)
            except Exception:  # a failed recompute must not end the stream
                log.exception("snapshot recompute failed", extra={"venue_id": venue_id})

    async def _publish(self, venue_id: str) -> None:
        # Each snapshot is read at the venue's version; one already sent comes from memory.
        seen = self._seen.get(venue_id, 0)
        subscribers = list(self._subscribers.get(venue_id, ()))
        by_window: dict[tuple[datetime, datetime], Snapshot] = {}
        for subscriber in subscribers:
            window = (subscriber.start, subscriber.end)
            if window not in by_window:
                by_window[window] = await self._snapshots.snapshot(venue_id, *window)
            if by_window[window].version > seen:
                subscriber.deliver(by_window[window])
        versions = [snapshot.version for snapshot in by_window.values()]
        self._seen[venue_id] = max([self._seen.get(venue_id, 0), *versions])

    async def close(self) -> None:
        for task in list(self._producers.values()):
            task.cancel()
        self._producers.clear()
