"""A frozen copy of the packing search before waiting bookings were grouped: a reference oracle."""

from __future__ import annotations

from collections.abc import Sequence

from services.availability.domain.packing import Busy, FitCache, Request, free_fits
from shared.seating.combinations import Candidate


def old_pack(
    new: Request,
    competing: Sequence[Request],
    candidates: Sequence[Candidate],
    busy: Busy,
    budget: int,
) -> tuple[Candidate | None, bool]:
    """`pack` as of 8948f7e, with its node budget given: its answer and whether it ran out."""
    memo = FitCache()
    options = {request: free_fits(request, candidates, busy, memo) for request in (new, *competing)}
    order = [new, *sorted((r for r in competing if options[r]), key=lambda r: -r.party_size)]
    nodes = 0
    chosen: list[tuple[Candidate, Request]] = []

    def clashes(candidate: Candidate, request: Request) -> bool:
        return any(
            set(candidate.table_ids) & set(other.table_ids)
            and request.start < taken.blocked_until
            and taken.start < request.blocked_until
            for other, taken in chosen
        )

    def place(index: int) -> bool:
        nonlocal nodes
        if index == len(order):
            return True
        request = order[index]
        for candidate in options[request]:
            nodes += 1
            if nodes > budget:
                raise _BudgetSpent
            if not clashes(candidate, request):
                chosen.append((candidate, request))
                if place(index + 1):
                    return True
                chosen.pop()
        return False

    try:
        return (chosen[0][0] if place(0) else None), False
    except _BudgetSpent:
        return (options[new][0] if options[new] else None), True


class _BudgetSpent(Exception):
    """The packing search reached its node budget."""
