"""Allocations as the assigner's use cases see them: a hold or an assignment, and a listing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Allocation:
    """One hold or assignment: a group of table rows sharing a window."""

    group_id: uuid.UUID
    venue_id: str
    booking_id: uuid.UUID | None
    table_ids: tuple[str, ...]
    kind: str
    start: datetime
    end: datetime
    expire_time: datetime | None
    actor: str
    strategy: str
    breakdown: dict[str, Any] = field(default_factory=dict)
    create_time: datetime | None = None
    release_time: datetime | None = None
    party_size: int = 0  # the booking's, else the one the allocation was made for; 0 if unknown


@dataclass(frozen=True)
class AllocationQuery:
    """Which allocations of a venue to list; `now` decides which holds are still in force."""

    venue_id: str
    now: datetime
    booking_id: uuid.UUID | None = None
    kinds: frozenset[str] = frozenset()
    window: tuple[datetime, datetime] | None = None
    include_released: bool = False
    request_id: str = ""
