"""Benchmark of the optimizer: the online engine alone, with rescue re-packs, and re-planned.

`python -m bench.optimizer_bench [--quick]` (from the repository root), for seeded floors of
20, 60 and 100 tables (bench/day_generator.py, combinations of up to 3 adjacent tables) and
days at low, medium and high load, seats each day's bookings three ways:

- engine: in booking order, first-fit by least waste over free single tables, then over
  combinations; a booking that fits nowhere is turned away;
- rescue: the same, but a booking that fits nowhere asks rescue() (RESCUE_LIMIT_S) and, when
  it answers, its moves are applied and the booking seated;
- optimizer: solve() on the engine's day, with the turned-away bookings waiting (as if sent
  to manual review), from the engine's seating, within LIMITS_S[tables] (2 s with --quick);
  and a second solve that maximises covers alone, whose bound caps the covers any plan seats.

Every final seating is checked for overlaps. Results go to bench/results/optimizer.{json,md}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.day_generator import GeneratedFloor, Load, make_day, make_floor
from shared.seating.combinations import Candidate, Seat, connected_sets
from shared.seating.planning.model import Booking, Plan, Problem, Table, Weights
from shared.seating.planning.options import check_current, free
from shared.seating.planning.rescue import rescue
from shared.seating.planning.solver import solve
from shared.seating.planning.states import BookingState

RESULTS = Path(__file__).resolve().parent / "results"
SEED = 20_251_125
DAY = date(2027, 3, 10)
FLOORS = (20, 60, 100)
LOADS: tuple[Load, ...] = ("low", "medium", "high")
MAX_TABLES = 3
LIMITS_S = {20: 3.0, 60: 6.0, 100: 10.0}
QUICK_LIMIT_S = 2.0
RESCUE_LIMIT_S = 0.2
COVERS_ONLY = Weights(covers=1, waste=0, tables=0, zone=0, move=0)


def venue(floor: GeneratedFloor) -> tuple[tuple[Table, ...], tuple[Candidate, ...]]:
    """The floor's tables and every table set of up to MAX_TABLES adjacent tables."""
    seats = [
        Seat(t.table_id, t.zone_id, t.min_seats, t.max_seats, t.combinable) for t in floor.tables
    ]
    neighbours: dict[str, set[str]] = {t.table_id: set() for t in floor.tables}
    for a, b in floor.adjacency:
        neighbours[a].add(b)
        neighbours[b].add(a)
    found = connected_sets(seats, neighbours, max_tables=MAX_TABLES, cross_zone=False)
    tables = tuple(Table(t.table_id, t.zone_id, t.min_seats, t.max_seats) for t in floor.tables)
    return tables, tuple(found)


def first_fit(
    candidates: list[Candidate], busy: dict[str, list[Any]], booking: Booking
) -> Candidate | None:
    """The engine's pick: the free single table that wastes least, else such a combination."""
    for group in (
        [c for c in candidates if len(c.table_ids) == 1],
        [c for c in candidates if len(c.table_ids) > 1],
    ):
        fits = [c for c in group if c.fits(booking.party_size) and free(c, booking.span, busy)]
        if fits:
            return min(fits, key=lambda c: (c.waste(booking.party_size), c.table_ids))
    return None


def online(base: Problem, arrivals: list[Booking], *, rescuing: bool) -> dict[str, Any]:
    """Seat the arrivals one by one; with `rescuing`, ask rescue() before turning one away."""
    candidates = sorted(base.candidates, key=lambda c: (len(c.table_ids), c.table_ids))
    seated: dict[str, Booking] = {}
    rescued, moves, latencies = 0, 0, []
    for booking in arrivals:
        pick = first_fit(candidates, _busy(seated.values()), booking)
        if pick is not None:
            seated[booking.booking_id] = replace(booking, table_ids=pick.table_ids)
            continue
        if not rescuing:
            continue
        started = time.perf_counter()
        window = replace(base, bookings=tuple(seated.values()))
        plan = rescue(window, booking, time_limit_s=RESCUE_LIMIT_S)
        latencies.append(time.perf_counter() - started)
        if plan is not None:
            for move in (*plan.moves, *plan.new_assignments):
                known = seated.get(move.booking_id, booking)
                seated[move.booking_id] = replace(known, table_ids=move.to_table_ids)
            rescued, moves = rescued + 1, moves + len(plan.moves)
    check_current(replace(base, bookings=tuple(seated.values())))
    return {
        "seated": seated,
        "bookings": len(seated),
        "covers": sum(b.party_size for b in seated.values()),
        "rescued": rescued,
        "rescue_moves": moves,
        "rescue_calls": len(latencies),
        "rescue_ms": _percentiles(latencies),
    }


def _busy(bookings: Any) -> dict[str, list[Any]]:
    busy: dict[str, list[Any]] = {}
    for booking in bookings:
        for table_id in booking.table_ids:
            busy.setdefault(table_id, []).append(booking.span)
    return busy


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "p50": round(statistics.median(ordered) * 1000, 1),
        "p99": round(p99 * 1000, 1),
        "max": round(ordered[-1] * 1000, 1),
    }


def optimize(
    base: Problem, arrivals: list[Booking], engine: dict[str, Any], limit: float
) -> dict[str, Any]:
    """Re-plan the engine's day, the turned-away bookings waiting; and bound its covers."""
    seated = engine["seated"]
    day = replace(base, bookings=tuple(seated.get(b.booking_id, b) for b in arrivals))
    started = time.perf_counter()
    plan = solve(day, time_limit_s=limit, seed=SEED)
    wall = time.perf_counter() - started
    applied = _apply(day, plan)
    check_current(applied)
    covers_only = solve(replace(day, weights=COVERS_ONLY), time_limit_s=limit, seed=SEED)
    gap = (plan.best_bound - plan.new_objective) / max(abs(plan.best_bound), 1.0) * 100
    return {
        "covers": sum(b.party_size for b in applied.bookings if b.table_ids),
        "covers_upper_bound": int(covers_only.best_bound),
        "covers_bound_proved": covers_only.optimal,
        "status": plan.status.value,
        "moves": len(plan.moves),
        "new_assignments": len(plan.new_assignments),
        "current_objective": plan.current_objective,
        "new_objective": plan.new_objective,
        "best_bound": round(plan.best_bound),
        "gap_percent": round(gap, 2),
        "benefit_percent": round(plan.benefit_percent, 2),
        "solve_s": round(plan.solve_seconds, 2),
        "wall_s": round(wall, 2),
        "solutions": plan.solutions,
    }


def _apply(day: Problem, plan: Plan) -> Problem:
    changed = {m.booking_id: m.to_table_ids for m in (*plan.moves, *plan.new_assignments)}
    return replace(
        day,
        bookings=tuple(
            replace(b, table_ids=changed.get(b.booking_id, b.table_ids)) for b in day.bookings
        ),
    )


PENDING = BookingState.ASSIGNMENT_PENDING


def case(tables_count: int, load: Load, limit: float) -> dict[str, Any]:
    floor = make_floor(tables_count, SEED)
    tables, candidates = venue(floor)
    arrivals = [
        Booking(g.key, g.party_size, g.start, g.blocked_until, state=PENDING)
        for g in make_day(floor, load, SEED, DAY, UTC)
    ]
    base = Problem(tables, candidates, (), now=datetime.combine(DAY, datetime.min.time(), UTC))
    started = time.perf_counter()
    engine = online(base, arrivals, rescuing=False)
    with_rescue = online(base, arrivals, rescuing=True)
    optimized = optimize(base, arrivals, engine, limit)
    result: dict[str, Any] = {
        "tables": tables_count,
        "load": load,
        "candidates": len(candidates),
        "bookings": len(arrivals),
        "demand_covers": sum(b.party_size for b in arrivals),
        "engine": {k: v for k, v in engine.items() if k in ("bookings", "covers")},
        "rescue": {k: v for k, v in with_rescue.items() if k != "seated"},
        "optimizer": optimized,
        "time_limit_s": limit,
        "case_s": round(time.perf_counter() - started, 1),
    }
    result["rescue"]["saved_vs_engine"] = with_rescue["bookings"] - engine["bookings"]
    return result


def machine() -> dict[str, Any]:
    model, memory = "unknown", "unknown"
    with contextlib.suppress(OSError, StopIteration):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        model = next(ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name"))
    with contextlib.suppress(OSError, StopIteration):
        lines = Path("/proc/meminfo").read_text().splitlines()
        kib = int(next(ln.split()[1] for ln in lines if ln.startswith("MemTotal")))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "ortools": version("ortools"),
    }


def markdown(results: dict[str, Any]) -> str:
    box = results["machine"]
    lines = [
        "# Optimizer benchmark",
        "",
        f"`python -m bench.optimizer_bench{' --quick' if results['quick'] else ''}` (seed "
        f"{results['seed']}) on {box['nproc']} x {box['cpu_model']}, {box['memory']}, Python "
        f"{box['python']}, OR-Tools {box['ortools']}; load average "
        f"{results['load_average_before']:.2f} before, {results['load_average_after']:.2f} "
        f"after; {results['total_s']} s in all.",
        "",
        "Covers seated by the online engine alone, with rescue re-packs "
        f"({RESCUE_LIMIT_S} s each), and by the optimizer re-planning the engine's day (its "
        "turned-away bookings waiting), against the covers bound of a covers-only solve "
        "(`*` when proved). Rescue: net bookings gained over the engine, bookings rescued, "
        "moves made. Objective: 100 per cover, -4 per empty seat, -10 per extra table, "
        "-15 per move; gap = (bound - plan) / bound.",
        "",
        "| tables | load | bookings | demand | engine | rescue (net, rescues, moves) | optimizer "
        "| covers bound | moves / new | status | objective now -> plan (bound, gap) "
        "| solve s (wall) | rescue ms p50 / p99 / max (calls) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["cases"]:
        e, s, o = r["engine"], r["rescue"], r["optimizer"]
        ms = s["rescue_ms"]
        lines.append(
            f"| {r['tables']} | {r['load']} | {r['bookings']} | {r['demand_covers']} "
            f"| {e['covers']} | {s['covers']} ({s['saved_vs_engine']:+d}, {s['rescued']}, "
            f"{s['rescue_moves']}) | {o['covers']} "
            f"| {o['covers_upper_bound']}{'*' if o['covers_bound_proved'] else ''} "
            f"| {o['moves']} / {o['new_assignments']} | {o['status']} "
            f"| {o['current_objective']} -> {o['new_objective']} ({o['best_bound']}, "
            f"{o['gap_percent']}%) | {o['solve_s']} ({o['wall_s']}) "
            f"| {ms['p50']} / {ms['p99']} / {ms['max']} ({s['rescue_calls']}) |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_LIMIT_S} s per solve")
    args = parser.parse_args()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "machine": machine(),
        "load_average_before": os.getloadavg()[0],
        "seed": SEED,
        "quick": args.quick,
        "cases": [],
    }
    for tables_count in FLOORS:
        for load in LOADS:
            limit = QUICK_LIMIT_S if args.quick else LIMITS_S[tables_count]
            results["cases"].append(case(tables_count, load, limit))
            print(json.dumps(results["cases"][-1]), flush=True)
    results["load_average_after"] = os.getloadavg()[0]
    results["total_s"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "optimizer.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "optimizer.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
