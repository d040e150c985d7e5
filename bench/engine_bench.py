"""Benchmark of the SmartAssignmentEngine's decisions on a dense 100-table evening floor.

`python -m bench.engine_bench [--requests N] [--seed S]` (from the repository root) builds a
seeded floor of 5 zones x 20 tables (rows of 5, neighbours and some diagonals adjacent), the
candidates for at most 3 and at most 4 tables per combination, busy spans over the evening
(~60% occupied), 50 upcoming bookings and history for ~300 table sets, then times rank_plans
for random requests. Results go to bench/results/engine.{json,md}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from services.assigner.domain.engine import MAX_SCORED, MAX_STAKES, blocked_tables, rank_plans
from services.assigner.domain.plans import (
    AssignmentRequest,
    SuccessCounts,
    TableInfo,
    UpcomingBooking,
)
from services.assigner.domain.strategies import StrategyContext, party_band, table_key
from shared.seating.combinations import Candidate, Seat, connected_sets

RESULTS = Path(__file__).resolve().parent / "results"
SEED = 20_251_125
ZONES, ZONE_SIZE, ROW = 5, 20, 5
SIZES, SIZE_WEIGHTS = (2, 4, 6, 8), (0.35, 0.40, 0.15, 0.10)
SEATS = {2: (1, 2), 4: (2, 4), 6: (3, 6), 8: (5, 8)}  # table size -> (min, max) seats
DIAGONAL_SHARE = 0.5  # of the possible diagonal joins that exist
OCCUPANCY = 0.6
EVENING = datetime(2027, 3, 10, 17, tzinfo=UTC), datetime(2027, 3, 10, 23, tzinfo=UTC)
UPCOMING, HISTORY_SETS, REQUESTS = 50, 300, 2_000
MAX_TABLES = (3, 4)
GENERATION_RUNS = 5
LIMIT = 10


def make_floor(rng: random.Random) -> tuple[list[Seat], dict[str, set[str]]]:
    """5 zones of 4 rows x 5 tables; each joins its right and lower neighbour, some diagonals."""
    seats: list[Seat] = []
    neighbours: dict[str, set[str]] = {}
    for zone in range(ZONES):
        ids = [f"z{zone}-t{index:02}" for index in range(ZONE_SIZE)]
        for table_id in ids:
            low, high = SEATS[rng.choices(SIZES, SIZE_WEIGHTS)[0]]
            seats.append(Seat(table_id, f"zone-{zone}", low, high, True))
            neighbours[table_id] = set()
        for index, table_id in enumerate(ids):
            row, column = divmod(index, ROW)
            joins = [(row, column + 1), (row + 1, column)]
            joins += [
                d
                for d in ((row + 1, column + 1), (row + 1, column - 1))
                if rng.random() < DIAGONAL_SHARE
            ]
            for r, c in joins:
                if 0 <= c < ROW and r * ROW + c < ZONE_SIZE:
                    other = ids[r * ROW + c]
                    neighbours[table_id].add(other)
                    neighbours[other].add(table_id)
    return seats, neighbours


def turn(party: int) -> timedelta:
    """Turn time plus a 15-minute buffer, by party size."""
    minutes = 90 if party <= 2 else 105 if party <= 4 else 120 if party <= 6 else 150
    return timedelta(minutes=minutes + 15)


def make_busy(
    rng: random.Random, seats: Sequence[Seat]
) -> dict[str, list[tuple[datetime, datetime]]]:
    """Each table alternates seated and idle blocks of 60-150 min, seated with OCCUPANCY odds."""
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
    for seat in seats:
        spans, moment = [], EVENING[0] - timedelta(minutes=rng.randrange(0, 90, 15))
        while moment < EVENING[1]:
            length = timedelta(minutes=rng.randrange(60, 151, 15))
            if rng.random() < OCCUPANCY:
                spans.append((moment, moment + length))
            moment += length
        busy[seat.table_id] = spans
    return busy


def occupancy(busy: dict[str, list[tuple[datetime, datetime]]]) -> float:
    evening = (EVENING[1] - EVENING[0]).total_seconds()
    taken = sum(
        max((min(e, EVENING[1]) - max(s, EVENING[0])).total_seconds(), 0.0)
        for spans in busy.values()
        for s, e in spans
    )
    return taken / (evening * len(busy))


def slot(rng: random.Random) -> datetime:
    return EVENING[0] + timedelta(minutes=15 * rng.randrange(0, 21))  # 17:00 to 22:00


def make_upcoming(rng: random.Random) -> tuple[UpcomingBooking, ...]:
    bookings = []
    for index in range(UPCOMING):
        party, start = rng.randint(1, 10), slot(rng)
        bookings.append(UpcomingBooking(f"u{index:02}", party, start, start + turn(party)))
    return tuple(bookings)


def make_history(
    rng: random.Random, candidates: Sequence[Candidate]
) -> dict[tuple[str, str, int], SuccessCounts]:
    """Counts for HISTORY_SETS table sets, each for 3 (band, hour) cells."""
    history = {}
    for candidate in rng.sample(list(candidates), HISTORY_SETS):
        for _ in range(3):
            key = (
                table_key(candidate.table_ids),
                party_band(rng.randint(1, 10)),
                rng.randint(17, 22),
            )
            history[key] = SuccessCounts(rng.randint(0, 20), rng.randint(0, 6))
    return history


def make_requests(rng: random.Random, count: int) -> list[AssignmentRequest]:
    requests = []
    for index in range(count):
        party, start = rng.randint(1, 10), slot(rng)
        zone = f"zone-{rng.randrange(ZONES)}" if rng.random() < 0.3 else None
        requests.append(AssignmentRequest(f"r{index}", party, start, start + turn(party), zone))
    return requests


def generate(
    seats: Sequence[Seat], neighbours: dict[str, set[str]], max_tables: int
) -> tuple[list[Candidate], float]:
    """The candidates, and the median time (ms) connected_sets takes to find them."""
    times, found = [], []
    for _ in range(GENERATION_RUNS):
        started = time.perf_counter()
        found = connected_sets(seats, neighbours, max_tables=max_tables, cross_zone=False)
        times.append((time.perf_counter() - started) * 1000)
    return found, statistics.median(times)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_fits(
    request: AssignmentRequest,
    candidates: Sequence[Candidate],
    busy: dict[str, list[tuple[datetime, datetime]]],
) -> int:
    blocked = blocked_tables(busy, (request.start, request.blocked_until))
    return sum(
        1 for c in candidates if c.fits(request.party_size) and blocked.isdisjoint(c.table_ids)
    )


def measure(
    candidates: list[Candidate],
    tables: dict[str, TableInfo],
    busy: dict[str, list[tuple[datetime, datetime]]],
    context: StrategyContext,
    requests: Sequence[AssignmentRequest],
) -> dict[str, Any]:
    """Times rank_plans per request; counts what it offered and how often the bound applied."""
    for warm in requests[:20]:
        rank_plans(warm, tables, candidates, busy, context, limit=LIMIT)
    durations, offered = [], 0
    for request in requests:
        started = time.perf_counter()
        plans = rank_plans(request, tables, candidates, busy, context, limit=LIMIT)
        durations.append((time.perf_counter() - started) * 1000)
        offered += bool(plans)
    fits = [free_fits(r, candidates, busy) for r in requests]
    return {
        "decisions": len(requests),
        "decisions_per_second": round(len(requests) / (sum(durations) / 1000), 1),
        "ms_p50": round(percentile(durations, 0.50), 3),
        "ms_p99": round(percentile(durations, 0.99), 3),
        "ms_mean": round(statistics.fmean(durations), 3),
        "ms_max": round(max(durations), 3),
        "requests_with_a_plan": offered,
        "free_fits_p50": percentile(fits, 0.50),
        "free_fits_max": max(fits),
        "requests_past_max_scored": sum(1 for f in fits if f > MAX_SCORED),
    }


def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        model = next(
            (ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")), model
        )
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def run(requests_count: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    seats, neighbours = make_floor(rng)
    busy = make_busy(rng, seats)
    upcoming = make_upcoming(rng)
    requests = make_requests(rng, requests_count)
    tables = {s.table_id: TableInfo(s.table_id, s.zone_id, s.min_seats, s.max_seats) for s in seats}
    edges = frozenset((a, b) for a, near in neighbours.items() for b in near if a < b)
    zones = [f"zone-{z}" for z in range(ZONES)]
    rng.shuffle(zones)
    generated = {m: generate(seats, neighbours, m) for m in MAX_TABLES}
    history = make_history(rng, generated[min(MAX_TABLES)][0])
    context = StrategyContext(edges, tuple(zones), history, upcoming, ZoneInfo("Europe/London"))
    results: dict[str, Any] = {
        "machine": machine(),
        "load_average_before": os.getloadavg()[0],
        "seed": seed,
        "floor": {
            "tables": len(seats),
            "zones": ZONES,
            "adjacency_edges": len(edges),
            "busy_spans": sum(len(s) for s in busy.values()),
            "occupancy_17_23": round(occupancy(busy), 3),
            "upcoming_bookings": len(upcoming),
            "history_table_sets": HISTORY_SETS,
            "history_cells": len(history),
        },
        "bounds": {"max_scored": MAX_SCORED, "max_stakes": MAX_STAKES, "limit": LIMIT},
        "runs": [],
    }
    # The empty evening is the worst case: every table free, so the MAX_SCORED bound applies.
    cases = [(m, "busy", busy) for m in MAX_TABLES] + [(max(MAX_TABLES), "empty", {})]
    for max_tables, evening, spans in cases:
        candidates, generation_ms = generated[max_tables]
        case = {"max_tables": max_tables, "evening": evening, "candidates": len(candidates)}
        case["generation_ms_median"] = round(generation_ms, 2)
        results["runs"].append(case | measure(candidates, tables, spans, context, requests))
    results["load_average_after"] = os.getloadavg()[0]
    return results


def markdown(results: dict[str, Any]) -> str:
    box, floor, bounds = results["machine"], results["floor"], results["bounds"]
    lines = [
        "# SmartAssignmentEngine benchmark",
        "",
        f"`python -m bench.engine_bench` (seed {results['seed']}, {results['runs'][0]['decisions']}"
        f" random requests, party 1-10) on {box['nproc']} x {box['cpu_model']}, Python "
        f"{box['python']}; load average {results['load_average_before']:.2f} before, "
        f"{results['load_average_after']:.2f} after.",
        "",
        f"Floor: {floor['tables']} tables in {floor['zones']} zones, {floor['adjacency_edges']} "
        f"adjacencies, {floor['busy_spans']} busy spans ({floor['occupancy_17_23']:.0%} of "
        f"17:00-23:00 taken), {floor['upcoming_bookings']} upcoming bookings, history for "
        f"{floor['history_table_sets']} table sets ({floor['history_cells']} cells). All five "
        f"strategies at weight 1; at most {bounds['max_scored']} candidates scored and "
        f"{bounds['max_stakes']} bookings weighed per decision; {bounds['limit']} plans returned. "
        "The empty evening (no busy spans) is the worst case: the most free fits to score "
        "('past bound' counts the requests with more than the bound).",
        "",
        "| max tables | evening | candidates | generation (ms) | decisions/s | p50 (ms) "
        "| p99 (ms) | max (ms) | with a plan | free fits p50 / max | past bound |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in results["runs"]:
        lines.append(
            f"| {case['max_tables']} | {case['evening']} | {case['candidates']} "
            f"| {case['generation_ms_median']} | {case['decisions_per_second']} "
            f"| {case['ms_p50']} | {case['ms_p99']} | {case['ms_max']} "
            f"| {case['requests_with_a_plan']} of {case['decisions']} "
            f"| {case['free_fits_p50']} / {case['free_fits_max']} "
            f"| {case['requests_past_max_scored']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    results = run(args.requests, args.seed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "engine.json").write_text(json.dumps(results, indent=2) + "\n")
    report = markdown(results)
    (RESULTS / "engine.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
