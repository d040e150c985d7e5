"""The LP relaxation of the clique model, solved with Glop: a bound and, usually, a plan.

The clique model is nearly integral: on generated days Glop's optimum had none or a few
dozen fractional values among 15-20k, and took 1-3 s where CP-SAT's own LP needed 10-20 s
to reach it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ortools.linear_solver import pywraplp  # type: ignore[import-untyped]
from ortools.sat import cp_model_pb2

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Relaxation:
    """Glop's answer: the LP optimum, rounded down (a bound on the integer objective)."""

    infeasible: bool
    bound: float  # infinite when Glop did not finish
    values: list[float]  # the LP optimum; empty when Glop did not finish
    rounded: list[int] | None  # the rounded optimum, when it satisfies every constraint
    objective: int  # of `rounded`; 0 without it
    seconds: float  # Glop's time


def relax(proto: cp_model_pb2.CpModelProto, time_limit_s: float) -> Relaxation:
    """The LP relaxation of a model of Booleans, at-most-ones, exactly-ones and sums <= n.

    Without a bound or values when Glop does not finish in time (or is missing).
    """
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:
        return Relaxation(False, math.inf, [], None, 0, 0.0)
    lp.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    variables, objective = _linear_program(lp, proto)
    status = lp.Solve()
    seconds = lp.wall_time() / 1000  # since the solver was made, so building it counts
    if status == pywraplp.Solver.INFEASIBLE:
        return Relaxation(True, -math.inf, [], None, 0, seconds)
    if status != pywraplp.Solver.OPTIMAL:
        return Relaxation(False, math.inf, [], None, 0, seconds)
    bound = math.floor(objective.Value() + TOLERANCE)  # objectives are integers
    values = [v.solution_value() for v in variables]
    rounded = [1 if v > 0.5 else 0 for v in values]
    feasible = satisfies(proto, rounded)
    pairs = zip(proto.objective.vars, proto.objective.coeffs, strict=True)
    value = -sum(c * rounded[v] for v, c in pairs)
    if not feasible:
        return Relaxation(False, bound, values, None, 0, seconds)
    return Relaxation(False, bound, values, rounded, value, seconds)


def _linear_program(lp: Any, proto: cp_model_pb2.CpModelProto) -> tuple[list[Any], Any]:
    """The model's rows and objective in Glop, every variable in [0, 1]."""
    variables = [lp.NumVar(0.0, 1.0, "") for _ in proto.variables]
    for constraint in proto.constraints:
        kind = constraint.WhichOneof("constraint")
        literals, low = _row(constraint, kind)
        row = lp.Constraint(low, 1.0 if kind != "linear" else float(constraint.linear.domain[1]))
        for index in literals:
            row.SetCoefficient(variables[index], 1.0)
    objective = lp.Objective()
    for index, coefficient in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective.SetCoefficient(variables[index], -float(coefficient))  # the model minimises
    objective.SetMaximization()
    return variables, objective


def proves(objective: int, bound: float) -> bool:
    """Whether a plan of this objective meets the LP bound, so no plan can be better."""
    return objective >= bound


def fix_ones(proto: cp_model_pb2.CpModelProto, values: Sequence[float]) -> None:
    """Fix to 1 every variable the LP optimum sets to 1 (the residual problem)."""
    proto.ClearField("solution_hint")
    for index, value in enumerate(values):
        if value > 1 - TOLERANCE:
            del proto.variables[index].domain[:]
            proto.variables[index].domain.extend([1, 1])


def satisfies(proto: cp_model_pb2.CpModelProto, values: Sequence[int]) -> bool:
    """Whether 0/1 `values` meet every constraint of the model."""
    for constraint in proto.constraints:
        kind = constraint.WhichOneof("constraint")
        literals, low = _row(constraint, kind)
        total = sum(values[index] for index in literals)
        high = 1 if kind != "linear" else constraint.linear.domain[1]
        if not low <= total <= high:
            return False
    return True


def _row(constraint: cp_model_pb2.ConstraintProto, kind: str | None) -> tuple[Sequence[int], int]:
    """The literals a constraint sums (all with coefficient 1) and its lower bound."""
    if kind == "at_most_one":
        return constraint.at_most_one.literals, 0
    if kind == "exactly_one":
        return constraint.exactly_one.literals, 1
    if kind == "linear":
        return constraint.linear.vars, int(constraint.linear.domain[0])
    raise ValueError(f"the relaxation does not know {kind} constraints")
