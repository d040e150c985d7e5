"""Benchmark of the optimizer service: a 100-table, 1,000-booking day through the real RPCs.

`python -m bench.optimizer_service_bench` seeds bench/day_generator.py's 100-table floor and
its high-load day (overflow kept as manual review) into a fresh database, starts the state
service, the assigner (no coordinator) and the optimizer in this process on PostgreSQL and
Redis (DATABASE_URL / REDIS_URL, else embedded servers), then times:

- OptimizeVenueDay (dry run, 10 s limit): the whole call, the load, the solve, the plan;
- ApplyPlan with force: one MoveBookings call for every move and first assignment;
- FindRescuePlan for random parties and start times over the day, once the plan is applied
  (a fuller day than before it): latency and how often a re-pack exists.

Results go to bench/results/optimizer_service.{json,md}.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.duration_pb2 import Duration

from bench.availability_bench import backends, machine, prepare_database, window
from bench.day_generator import PARTY_MIX, SERVICES, make_day, make_floor
from bench.seed_day import plan_day, seed_day, seed_floor
from services.assigner.main import start as start_assigner
from services.assigner.settings import AssignerSettings
from services.optimizer.main import start as start_optimizer
from services.optimizer.settings import OptimizerSettings
from services.state.main import start as start_state
from services.state.settings import StateSettings
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as api
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2_grpc as rpc
from shared.stubs.maitred.optimizer.v1 import plan_pb2 as pb

RESULTS = Path(__file__).resolve().parent / "results"
SEED = 20_261_125
TABLES = 100
RESCUES = 200
TIME_LIMIT_S = 10


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return {
        "p50_ms": at(0.5),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


async def _optimize(
    stub: rpc.OptimizerServiceStub, meta: Any, venue: str, day: str
) -> dict[str, Any]:
    limit = Duration(seconds=TIME_LIMIT_S)
    request = api.OptimizeVenueDayRequest(
        venue_id=venue,
        service_date=day,
        options=pb.OptimizeOptions(time_limit=limit, seed=1, dry_run=True),
    )
    began = time.perf_counter()
    loaded = first_solution = None
    async for message in stub.OptimizeVenueDay(request, metadata=meta, timeout=300):
        if message.WhichOneof("event") == "progress":
            if message.progress.phase == pb.OPTIMIZATION_PHASE_SOLVING and first_solution is None:
                first_solution = time.perf_counter() - began
            elif message.progress.detail.startswith("loaded"):
                loaded = time.perf_counter() - began
            continue
        plan = message.plan
        return {
            "call_s": round(time.perf_counter() - began, 2),
            "loaded_after_s": round(loaded or 0, 2),
            "first_solution_after_s": round(first_solution or 0, 2),
            "solve_s": round(plan.solve_duration.ToTimedelta().total_seconds(), 2),
            "status": pb.PlanStatus.Name(plan.status),
            "optimal": plan.optimal,
            "current_objective": plan.current_objective,
            "new_objective": plan.new_objective,
            "best_bound": plan.best_bound,
            "benefit_percent": round(plan.benefit_percent, 2),
            "moves": len(plan.moves),
            "newly_seated": len(plan.new_assignments),
            "still_unseated": len(plan.unassigned_booking_ids),
            "plan_id": plan.plan_id,
        }
    raise RuntimeError("the stream ended without a plan")


async def _rescues(
    stub: rpc.OptimizerServiceStub, meta: Any, venue: str, day: Any
) -> dict[str, Any]:
    rng = random.Random(SEED)
    parties = [size for size, _ in PARTY_MIX]
    weights = [weight for _, weight in PARTY_MIX]
    starts = [s for service in SERVICES for s in service.starts()]
    seconds, found = [], 0
    for _ in range(RESCUES):
        start = datetime.combine(day, rng.choice(starts), UTC)
        party = rng.choices(parties, weights)[0]
        request = api.FindRescuePlanRequest(
            venue_id=venue, party_size=party, window=window(start, start + timedelta(hours=2))
        )
        began = time.perf_counter()
        answer = await stub.FindRescuePlan(request, metadata=meta, timeout=10)
        seconds.append(time.perf_counter() - began)
        found += answer.found
    return {"calls": RESCUES, "found": found, **_ms(seconds)}


async def measure(admin_url: str, redis_url: str) -> dict[str, Any]:
    _, url = await prepare_database(admin_url)
    engine = create_engine(url, pool_size=4)
    day = datetime.now(UTC).date() + timedelta(days=2)
    floor = make_floor(TABLES, SEED)
    bookings = make_day(floor, "high", SEED + 1, day, UTC)
    venue = f"bench-opt-{secrets.token_hex(4)}"
    await seed_floor(engine, venue, floor)
    expire = datetime.now(UTC) + timedelta(hours=2)
    plan = plan_day(floor, bookings, seed=SEED + 2, hold_expire=expire)
    await seed_day(engine, venue, plan, now=datetime.now(UTC))
    await engine.dispose()
    secret = secrets.token_urlsafe(32)
    common: Any = {
        "database_url": url,
        "jwt_secret": secret,
        "host": "127.0.0.1",
        "grace_period_seconds": 2,
    }
    state = await start_state(StateSettings(**common, redis_url=None), port=0)
    assigner = await start_assigner(
        AssignerSettings(
            **common,
            redis_url=redis_url,
            coordinator=False,
            state_address=f"127.0.0.1:{state.port}",
        ),
        port=0,
    )
    optimizer = await start_optimizer(
        OptimizerSettings(
            **common,
            redis_url=redis_url,
            optimizer_scheduler=False,
            assigner_address=f"127.0.0.1:{assigner.port}",
        ),
        port=0,
    )
    token = mint_token(
        secret,
        subject="bench",
        roles=[Role.OPS, Role.SERVICE],
        venues=["*"],
        ttl_seconds=3600,
        issuer="maitred",
    )
    meta = [("authorization", f"Bearer {token}")]
    results: dict[str, Any] = {"bookings": len(bookings), "tables": TABLES}
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{optimizer.port}") as channel:
            stub = rpc.OptimizerServiceStub(channel)
            results["optimize"] = await _optimize(stub, meta, venue, day.isoformat())
            began = time.perf_counter()
            applied = await stub.ApplyPlan(
                api.ApplyPlanRequest(
                    venue_id=venue, plan_id=results["optimize"]["plan_id"], force=True
                ),
                metadata=meta,
                timeout=120,
            )
            outcomes: dict[str, int] = {}
            for result in applied.results:
                name = result.outcome
                key = str(name)
                outcomes[key] = outcomes.get(key, 0) + 1
            results["apply"] = {
                "call_s": round(time.perf_counter() - began, 2),
                "changes": len(applied.results),
                "status": pb.PlanStatus.Name(applied.plan.status),
                "outcomes": outcomes,
            }
            results["rescue"] = await _rescues(stub, meta, venue, day)
    finally:
        for running in (optimizer, assigner, state):
            await running.stop(2)
    return results


def _markdown(results: dict[str, Any]) -> str:
    o, a, r = results["optimize"], results["apply"], results["rescue"]
    return f"""# Optimizer service benchmark

{results["date"]}; {results["machine"]}

A {results["tables"]}-table floor, {results["bookings"]} bookings (high load), through the RPCs.

| OptimizeVenueDay (dry run, {TIME_LIMIT_S} s limit) | |
|---|---|
| whole call | {o["call_s"]} s |
| bookings loaded after | {o["loaded_after_s"]} s |
| first solution after | {o["first_solution_after_s"]} s |
| solver time | {o["solve_s"]} s ({"optimal" if o["optimal"] else "not proved optimal"}) |
| objective | {o["current_objective"]:.0f} -> {o["new_objective"]:.0f} |
| bound | {o["best_bound"]:.0f} |
| benefit | {o["benefit_percent"]}% ({o["status"]}) |
| moves / newly seated | {o["moves"]} / {o["newly_seated"]} |
| still unseated | {o["still_unseated"]} |

| ApplyPlan (force) | |
|---|---|
| whole call | {a["call_s"]} s for {a["changes"]} changes |
| outcomes (MoveOutcome numbers) | {a["outcomes"]} |
| plan status | {a["status"]} |

| FindRescuePlan ({r["calls"]} calls) | |
|---|---|
| re-pack found | {r["found"]} |
| p50 / p95 / p99 | {r["p50_ms"]} / {r["p95_ms"]} / {r["p99_ms"]} ms |
"""


async def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="maitred-optbench-"))
    try:
        async with backends(scratch) as (admin_url, redis_url, _):
            results = await measure(admin_url, redis_url)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["machine"] = machine()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "optimizer_service.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "optimizer_service.md").write_text(_markdown(results))
    print(_markdown(results))


if __name__ == "__main__":
    asyncio.run(main())
