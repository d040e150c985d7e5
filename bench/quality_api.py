"""The quality benchmark's 80-table floor replayed through the real services' CreateBooking.

`python -m bench.quality_api` (from the repository root) migrates a fresh database, seeds one
venue per load with the quality benchmark's rows-80 floor (the day generator's floor: same
tables, adjacency, turn times and dinner service), starts state, availability and one assigner
as processes (the journey benchmark's helpers), and sends the first judged evening of each load
one CreateBooking at a time, in the order the requests were made, waiting for each to settle.
It counts the covers of CONFIRMED bookings. The yield policy is not wired into the services on
this branch, so this is maitred without yield. Results go to bench/results/quality_api.{json,md}.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import partial
from operator import contains
from pathlib import Path
from typing import Any

import grpc
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import update

from bench.availability_bench import backends, prepare_database, until
from bench.day_generator import make_floor
from bench.journey_bench import StreamWatch, forget_redis_keys, stamp, suite
from bench.optimizer_bench import machine
from bench.quality_bench import LOADS, SEED, TRAIN_DAYS, day_seed
from bench.quality_policies import engine as engine_chooser
from bench.quality_policies import run_day
from bench.quality_sim import Request, make_requests, rows_floor
from bench.seed_day import seed_floor
from services.availability.adapters.tables import venue_policies
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.dev_servers import drop_database
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc

RESULTS = Path(__file__).resolve().parent / "results"
TABLES = 80
SETTLE_SECONDS = 20.0


async def replay(
    stub: Any, metadata: Any, watch: StreamWatch, venue_id: str, day: date, requests: list[Request]
) -> dict[str, Any]:
    """Send the requests one by one, each after the previous one settled; count what came of it."""
    outcome: dict[str, Any] = {"covers": 0, "confirmed": 0, "refused": 0, "unsettled": 0}
    errors: dict[str, int] = {}
    midnight = datetime.combine(day, datetime.min.time(), UTC)
    for request in requests:
        call = api.CreateBookingRequest(
            venue_id=venue_id,
            request_id=uuid.uuid4().hex,
            booking=pb.Booking(
                party_size=request.party_size,
                start_time=stamp(midnight + timedelta(minutes=request.start_minute)),
            ),
        )
        try:
            reply = await stub.CreateBooking(call, metadata=metadata, timeout=10)
        except grpc.aio.AioRpcError as error:
            name = error.code().name
            errors[name] = errors.get(name, 0) + 1
            continue
        booking_id = reply.booking.booking_id
        await until(partial(contains, watch.settled, booking_id), watch.progress, SETTLE_SECONDS)
        settled = watch.settled.get(booking_id)
        if settled is None:
            outcome["unsettled"] += 1
        elif settled.state == "CONFIRMED":
            outcome["covers"] += request.party_size
            outcome["confirmed"] += 1
        else:
            outcome["refused"] += 1
    return outcome | {"errors": errors}


async def measure(admin_url: str, redis_url: str, scratch: Path) -> dict[str, Any]:
    name, database_url = await prepare_database(admin_url)
    db = create_engine(database_url, pool_size=2, application_name="maitred-quality-bench")
    redis = Redis.from_url(redis_url, decode_responses=True)
    run = uuid.uuid4().hex[:8]
    stream = f"maitred:quality-bench:{run}"
    generated, floor = make_floor(TABLES, SEED), rows_floor(TABLES, SEED)
    day = datetime.now(UTC).date() + timedelta(days=30)
    venues = {load: f"qb-{run}-{round(load * 10)}" for load in LOADS}
    cases = []
    try:
        for venue_id in venues.values():
            await seed_floor(db, venue_id, generated)
        async with db.begin() as conn:
            await conn.execute(
                update(venue_policies)
                .where(venue_policies.c.venue_id.in_(list(venues.values())))
                .values(auto_confirm=True)
            )
        secret = secrets.token_urlsafe(36)
        token = mint_token(secret, subject="quality-bench", roles=[Role.OPS], venues=["*"],
                           ttl_seconds=3600, issuer="maitred")  # fmt: skip
        watch = StreamWatch(redis, stream)
        reader = asyncio.create_task(watch.run())
        try:
            async with (
                suite(database_url, redis_url, secret, stream, scratch) as services,
                grpc.aio.insecure_channel(services["state"].target) as channel,
            ):
                stub = rpc.BookingServiceStub(channel)
                metadata = (("authorization", f"Bearer {token}"),)
                for load, venue_id in venues.items():
                    seed = day_seed(floor, load, TRAIN_DAYS)
                    requests = make_requests(floor, load, seed)
                    began = time.monotonic()
                    found = await replay(stub, metadata, watch, venue_id, day, requests)
                    memory = run_day(floor, requests, engine_chooser(floor)).covers
                    cases.append({
                        "load": load, "seed": seed, "requests": len(requests),
                        "demand_covers": sum(r.party_size for r in requests),
                        "api": found, "engine_in_memory_covers": memory,
                        "seconds": round(time.monotonic() - began, 1),
                    })  # fmt: skip
                    print(json.dumps(cases[-1]), flush=True)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    finally:
        with contextlib.suppress(RedisError, OSError):
            await forget_redis_keys(redis, stream, list(venues.values()))
        await redis.aclose()
        await db.dispose()
        await drop_database(admin_url, name)
    return {"floor": floor.name, "service_date": day.isoformat(), "cases": cases}


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Seating quality through the services' API",
        "",
        f"`python -m bench.quality_api` (seed {results['seed']}, floor {results['floor']}) on "
        f"{results['machine']['nproc']} CPUs; load average {results['load_average_before']:.2f} "
        f"before, {results['load_average_after']:.2f} after; {results['total_s']} s in all.",
        "",
        "The first judged evening of each load of bench/results/quality.md, sent through "
        "CreateBooking one at a time (each after the previous settled), yield off (not wired "
        "into the services on this branch). Covers of CONFIRMED bookings, beside the covers "
        "the engine seats in memory on the same requests.",
        "",
        "| load | seed | requests | demand covers | API covers | engine in memory "
        "| confirmed / refused / unsettled | call errors | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in results["cases"]:
        a = c["api"]
        lines.append(
            f"| {c['load']} | {c['seed']} | {c['requests']} | {c['demand_covers']} "
            f"| {a['covers']} | {c['engine_in_memory_covers']} "
            f"| {a['confirmed']} / {a['refused']} / {a['unsettled']} | {a['errors'] or '-'} "
            f"| {c['seconds']} |"
        )
    return "\n".join(lines) + "\n"


async def run() -> dict[str, Any]:
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="maitred-quality-"))
    before = os.getloadavg()[0]
    try:
        async with backends(scratch) as (admin_url, redis_url, _):
            found = await measure(admin_url, redis_url, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "machine": machine(),
        "seed": SEED,
        "load_average_before": before,
        "load_average_after": os.getloadavg()[0],
        "total_s": round(time.perf_counter() - started, 1),
        **found,
    }


def main() -> None:
    results = asyncio.run(run())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "quality_api.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "quality_api.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
