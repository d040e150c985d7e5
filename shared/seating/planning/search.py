"""How one part of the day is solved: Glop's relaxation, a residual re-solve, then CP-SAT."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from shared.seating.combinations import Candidate
from shared.seating.planning.cpsat import Model
from shared.seating.planning.relaxation import TOLERANCE, Relaxation, fix_ones, proves, relax

Progress = Callable[[float, float, float], None]  # (wall seconds, objective, bound)
LP_SHARE = 0.5  # of a part's time that Glop may take at most
RESIDUAL_SHARE = 0.25  # of the time left that the residual re-solve may take


@dataclass(frozen=True)
class Answer:
    """What a search found: each booking's table set (None without a solution) and bounds."""

    seating: dict[str, Candidate | None] | None
    optimal: bool
    infeasible: bool
    objective: int
    bound: float
    seconds: float
    solutions: int


def search(
    model: Model, time_limit_s: float, seed: int, workers: int, progress: Progress
) -> Answer:
    """The best seating of one part found within the time limit.

    Glop relaxes the model; an infeasible relaxation ends the search, and a rounded optimum
    that meets the bound is the answer. Otherwise the best of the current seating, the
    rounded optimum and a residual re-solve (the LP's ones fixed, a few dozen values left)
    is hinted to CP-SAT, which searches the rest of the time with the LP bound to beat.
    """
    relaxed = relax(model.model.Proto(), time_limit_s * LP_SHARE)
    spent = relaxed.seconds
    if relaxed.infeasible:
        return Answer(None, False, True, 0, -math.inf, spent, 0)
    if relaxed.rounded is not None and proves(relaxed.objective, relaxed.bound):
        progress(spent, relaxed.objective, relaxed.objective)
        seating = model.seating(relaxed.rounded)
        return Answer(seating, True, False, relaxed.objective, relaxed.objective, spent, 1)
    if relaxed.values:
        spent += _warm_start(model, relaxed, (time_limit_s - spent) * RESIDUAL_SHARE, seed, workers)
    solver = _solver(time_limit_s - spent, seed, workers)
    reporter = _Reporter(progress, spent)
    status = solver.StatusName(solver.Solve(model.model, reporter))
    found = status in ("OPTIMAL", "FEASIBLE")
    # Stopped before it began (UNKNOWN), CP-SAT reports a bound of 0, which bounds nothing.
    bound = _integral(solver.BestObjectiveBound()) if status != "UNKNOWN" else math.inf
    return Answer(
        seating=model.seating(solver.ResponseProto().solution) if found else None,
        optimal=status == "OPTIMAL",
        infeasible=status == "INFEASIBLE",
        objective=round(solver.ObjectiveValue()) if found else 0,
        bound=min(bound, relaxed.bound),
        seconds=spent + solver.WallTime(),
        solutions=reporter.solutions,
    )


def _warm_start(
    model: Model, relaxed: Relaxation, time_limit_s: float, seed: int, workers: int
) -> float:
    """Hint the rounded LP optimum, or else a residual re-solve, if better than the hint.

    Returns the seconds it took.
    """
    values, seconds = relaxed.rounded, 0.0
    if values is None:
        residual = cp_model.CpModel()
        residual.Proto().CopyFrom(model.model.Proto())
        fix_ones(residual.Proto(), relaxed.values)
        solver = _solver(time_limit_s, seed, workers)
        status = solver.StatusName(solver.Solve(residual))
        seconds = solver.WallTime()
        if status in ("OPTIMAL", "FEASIBLE"):
            values = list(solver.ResponseProto().solution)
    if values is not None and (
        model.hint_value is None or model.value_of(values) > model.hint_value
    ):
        model.hint(values)
    return seconds


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Counts improving solutions and passes each one's (time, objective, bound) on."""

    def __init__(self, progress: Progress, before: float) -> None:
        super().__init__()
        self._progress = progress
        self._before = before
        self.solutions = 0

    def on_solution_callback(self) -> None:
        self.solutions += 1
        seconds = self._before + self.WallTime()
        self._progress(seconds, self.ObjectiveValue(), _integral(self.BestObjectiveBound()))


def _integral(bound: float) -> float:
    """A bound on an integer objective, rid of CP-SAT's floating-point scaling (1268.9999...)."""
    return math.floor(bound + TOLERANCE) if math.isfinite(bound) else bound


def _solver(time_limit_s: float, seed: int, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(time_limit_s, 0.0)
    params.random_seed = seed
    params.num_workers = workers
    # The clique model is only tight with every at-most-one in the LP (linearization level 2,
    # the max_lp worker); the default worker's partial LP left a 2x gap on a 20-table day.
    params.linearization_level = 2
    params.subsolvers.append("max_lp")
    # The root LP of a 1,000-booking day needs far more than the default 2,000 iterations.
    params.root_lp_iterations = 100_000
    # Probing in presolve took 8 of 12 s on a 1,000-booking day and found nothing to fix.
    params.cp_model_probing_level = 0
    return solver
