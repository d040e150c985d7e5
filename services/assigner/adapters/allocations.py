"""The allocation store: the allocations table's reads, hold writes and assignment writes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from services.assigner.adapters.allocation_reads import AllocationReads
from services.assigner.adapters.assignment_writes import AssignmentWrites
from services.assigner.adapters.hold_writes import HoldWrites


class AllocationStore:
    """The allocations table over one engine, as three parts a use case takes what it needs of:
    `reads` (allocations by id or page), `holds` (placed, extended, released, confirmed, swept)
    and `assignments` (a booking's live one, written, replaced, released, swept)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.reads = AllocationReads(engine)
        self.holds = HoldWrites(engine, self.reads)
        self.assignments = AssignmentWrites(engine, self.reads)
