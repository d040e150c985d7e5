"""The hindsight optimum of a day: the most covers CP-SAT seats with every request known."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from bench.quality_sim import Floor, Request

SLOT = 15


@dataclass(frozen=True)
class Hindsight:
    """The best seating found, the solver's proven bound on it, and whether it is optimal."""

    covers: int
    bound: float
    optimal: bool
    seconds: float


def hindsight(floor: Floor, requests: Sequence[Request], seconds: float, workers: int) -> Hindsight:
    """Booleans per (kind of request, fitting table set); a table seats one party per slot.

    Requests alike in party and span are one kind: a table set seats at most one of them at
    a time, so a kind of m requests takes at most m sets. That is exact and removes the
    symmetry between identical requests.
    """
    model = cp_model.CpModel()
    objective: list[tuple[int, cp_model.IntVar]] = []
    by_table_slot: dict[tuple[str, int], list[cp_model.IntVar]] = {}
    kinds = Counter((r.party_size, r.start_minute, r.blocked_until_minute) for r in requests)
    for (party, start, end), count in sorted(kinds.items()):
        chosen = []
        for candidate in floor.candidates:
            if not candidate.fits(party):
                continue
            x = model.NewBoolVar("")
            chosen.append(x)
            for table_id in candidate.table_ids:
                for slot in range(start // SLOT, -(-end // SLOT)):
                    by_table_slot.setdefault((table_id, slot), []).append(x)
        if len(chosen) > count:
            model.Add(sum(chosen) <= count)
        objective.extend((party, x) for x in chosen)
    for held in by_table_slot.values():
        if len(held) > 1:
            model.AddAtMostOne(held)
    model.Maximize(sum(weight * x for weight, x in objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    status = solver.Solve(model)
    name = solver.StatusName(status)
    if name not in ("OPTIMAL", "FEASIBLE"):
        raise RuntimeError(f"the hindsight model found no seating ({name})")
    return Hindsight(
        covers=round(solver.ObjectiveValue()),
        bound=solver.BestObjectiveBound(),
        optimal=name == "OPTIMAL",
        seconds=solver.WallTime(),
    )
