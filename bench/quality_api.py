"""The quality benchmark's 80-table floor replayed through the real services' CreateBooking.

`python -m bench.quality_api [--loads L ...]` (from the repository root; every load unless
told) migrates a fresh database, seeds two venues per load with the quality benchmark's
rows-80 floor (the day generator's floor: same tables, adjacency, turn times and dinner
service), starts state, availability and one assigner as processes (the journey benchmark's
helpers), and sends the first judged evening of each load one CreateBooking at a time, in the
order the requests were made, waiting for each to settle. It counts the covers of CONFIRMED
bookings.

One venue of each load runs with yield off. The other gets the forecast's input in
`demand_date_counts`/`demand_days` (the quality benchmark's training evenings, each tallied
on its own past date of the service date's weekday), has its yield
policy switched on through UpdateVenuePolicy, and gets the same requests for the same evening.
The assigner runs with MAITRED_YIELD_CLOCK_FILE: before each request the replay writes there
the moment the request was made (its start minus its simulated lead), so the policy sees the
leads the in-memory run sees (everything else in the services keeps the real clock). The
in-memory engine is run on the same requests with yield off and with yield on.
Results go to bench/results/quality_api.{json,md}.
"""

from __future__ import annotations

import argparse
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
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.availability_bench import backends, prepare_database, until
from bench.day_generator import make_floor
from bench.journey_bench import StreamWatch, forget_redis_keys, stamp, suite
from bench.optimizer_bench import machine
from bench.quality_bench import LOADS, SEED, TRAIN_DAYS, YIELD, day_seed, learn_history
from bench.quality_policies import Yield, run_day
from bench.quality_policies import engine as engine_chooser
from bench.quality_sim import Floor, Request, make_requests, rows_floor
from bench.seed_day import seed_floor
from services.availability.adapters.tables import venue_policies
from services.state.adapters.tables import (
    booking_state_history,
    bookings,
    demand_date_counts,
    demand_days,
)
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.dev_servers import drop_database
from shared.seating.demand import Observation, tally
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as floor_api
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2_grpc as floor_rpc
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc

RESULTS = Path(__file__).resolve().parent / "results"
TABLES = 80
SETTLE_SECONDS = 20.0
SHOWN_REFUSALS = 5  # more of the yield policy's refusals per load stay in the JSON


def write_clock(clock_file: Path, moment: datetime) -> None:
    """Set the assigner's yield clock: a file written beside it, then renamed over it, so the
    assigner reads the old moment or the new one, never a file half written."""
    written = clock_file.with_name(f".{clock_file.name}.{os.getpid()}")
    written.write_text(moment.isoformat())
    os.replace(written, clock_file)


async def replay(
    stub: Any,
    metadata: Any,
    watch: StreamWatch,
    venue_id: str,
    day: date,
    requests: list[Request],
    clock_file: Path,
) -> dict[str, Any]:
    """Send the requests one by one, each after the previous one settled; count what came of it.
    Before each, the moment it was made (start minus its simulated lead) goes to `clock_file`,
    the assigner's yield clock, so the policy sees the lead the in-memory run sees."""
    outcome: dict[str, Any] = {"covers": 0, "confirmed": 0, "refused": 0, "unsettled": 0}
    errors: dict[str, int] = {}
    midnight = datetime.combine(day, datetime.min.time(), UTC)
    for request in requests:
        start = midnight + timedelta(minutes=request.start_minute)
        made = start - timedelta(minutes=request.lead_minutes)
        await asyncio.to_thread(write_clock, clock_file, made)
        call = api.CreateBookingRequest(
            venue_id=venue_id,
            request_id=uuid.uuid4().hex,
            booking=pb.Booking(
                party_size=request.party_size,
                start_time=stamp(start),
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


async def seed_history(
    db: AsyncEngine, venue_id: str, floor: Floor, load: float, day: date
) -> None:
    """The forecast's input as the state service keeps it: each training evening's requests
    counted on its own past date of `day`'s weekday (the first TRAIN_DAYS weeks before)."""
    dates = [day - timedelta(weeks=TRAIN_DAYS - index) for index in range(TRAIN_DAYS)]
    rows = []
    for index, service_date in enumerate(dates):
        requests = make_requests(floor, load, day_seed(floor, load, index))
        seen = (
            Observation(service_date.weekday(), r.start_minute, r.party_size, r.lead_minutes)
            for r in requests
        )
        rows += [
            {
                "venue_id": venue_id,
                "service_date": service_date,
                "weekday": c.weekday,
                "slot_minute": c.slot_minute,
                "party_size": c.party_size,
                "lead_bucket": c.lead_bucket,
                "requests": c.requests,
            }
            for c in tally(seen, {}).cells
        ]
    async with db.begin() as conn:
        await conn.execute(insert(demand_date_counts), rows)
        await conn.execute(
            insert(demand_days),
            [{"venue_id": venue_id, "service_date": d, "weekday": d.weekday()} for d in dates],
        )


async def yield_refusals(db: AsyncEngine, venue_id: str) -> list[str]:
    """The venue's bookings the yield policy refused: party, start and the reason it gave."""
    history = booking_state_history
    async with db.connect() as conn:
        rows = await conn.execute(
            select(bookings.c.party_size, bookings.c.start_time, history.c.reason)
            .join(bookings, bookings.c.booking_id == history.c.booking_id)
            .where(
                history.c.venue_id == venue_id,
                history.c.to_state == "REJECTED",
                history.c.reason.startswith("protecting "),
            )
            .order_by(history.c.history_id)
        )
        return [f"{party} at {start:%H:%M}: {reason}" for party, start, reason in rows]


async def switch_yield_on(channel: Any, metadata: Any, venue_id: str) -> None:
    """The venue's yield policy on, through UpdateVenuePolicy as an operator would."""
    floor_plans = floor_rpc.FloorPlanServiceStub(channel)
    venue = await floor_plans.GetVenue(
        floor_api.GetVenueRequest(venue_id=venue_id), metadata=metadata
    )
    read = await floor_plans.GetVenuePolicy(
        floor_api.GetVenuePolicyRequest(venue_id=venue_id), metadata=metadata
    )
    policy = read.policy
    policy.yield_settings.enabled = True
    policy.yield_settings.min_days_observed = YIELD.min_days_observed
    await floor_plans.UpdateVenuePolicy(
        floor_api.UpdateVenuePolicyRequest(
            venue_id=venue_id, policy=policy, expected_version=venue.venue.version
        ),
        metadata=metadata,
    )


async def measure(
    admin_url: str, redis_url: str, scratch: Path, loads: tuple[float, ...]
) -> dict[str, Any]:
    name, database_url = await prepare_database(admin_url)
    db = create_engine(database_url, pool_size=2, application_name="maitred-quality-bench")
    redis = Redis.from_url(redis_url, decode_responses=True)
    run = uuid.uuid4().hex[:8]
    stream = f"maitred:quality-bench:{run}"
    generated, floor = make_floor(TABLES, SEED), rows_floor(TABLES, SEED)
    day = datetime.now(UTC).date() + timedelta(days=30)
    clock_file = scratch / "yield-clock"
    write_clock(clock_file, datetime.now(UTC))
    venues = {load: f"qb-{run}-{round(load * 10)}" for load in loads}
    venues_on = {load: f"qy-{run}-{round(load * 10)}" for load in loads}
    every = list(venues.values()) + list(venues_on.values())
    histories = {load: learn_history(floor, load) for load in loads}
    cases = []
    try:
        for venue_id in every:
            await seed_floor(db, venue_id, generated)
        for load, venue_id in venues_on.items():
            await seed_history(db, venue_id, floor, load, day)
        async with db.begin() as conn:
            await conn.execute(
                update(venue_policies)
                .where(venue_policies.c.venue_id.in_(every))
                .values(auto_confirm=True)
            )
        secret = secrets.token_urlsafe(36)
        token = mint_token(
            secret,
            subject="quality-bench",
            roles=[Role.OPS],
            venues=["*"],
            ttl_seconds=3600,
            issuer="maitred",
        )
        watch = StreamWatch(redis, stream)
        reader = asyncio.create_task(watch.run())
        try:
            async with (
                suite(
                    database_url,
                    redis_url,
                    secret,
                    stream,
                    scratch,
                    {"MAITRED_YIELD_CLOCK_FILE": str(clock_file)},
                ) as services,
                grpc.aio.insecure_channel(services["state"].target) as channel,
            ):
                stub = rpc.BookingServiceStub(channel)
                metadata = (("authorization", f"Bearer {token}"),)
                async with grpc.aio.insecure_channel(services["availability"].target) as floors:
                    for venue_id in venues_on.values():
                        await switch_yield_on(floors, metadata, venue_id)
                for load, venue_id in venues.items():
                    seed = day_seed(floor, load, TRAIN_DAYS)
                    requests = make_requests(floor, load, seed)
                    began = time.monotonic()
                    found = await replay(stub, metadata, watch, venue_id, day, requests, clock_file)
                    found_on = await replay(
                        stub, metadata, watch, venues_on[load], day, requests, clock_file
                    )
                    found_on["by_yield"] = await yield_refusals(db, venues_on[load])
                    policy = Yield(histories[load], YIELD)
                    chooser = engine_chooser(floor)
                    cases.append(
                        {
                            "load": load,
                            "seed": seed,
                            "requests": len(requests),
                            "demand_covers": sum(r.party_size for r in requests),
                            "api": found,
                            "api_yield": found_on,
                            "leads_minutes": [
                                min(r.lead_minutes for r in requests),
                                max(r.lead_minutes for r in requests),
                            ],
                            "engine_in_memory_covers": run_day(floor, requests, chooser).covers,
                            "engine_yield_simulated_leads_covers": run_day(
                                floor, requests, chooser, policy
                            ).covers,
                            "seconds": round(time.monotonic() - began, 1),
                        }
                    )
                    print(json.dumps(cases[-1]), flush=True)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    finally:
        with contextlib.suppress(RedisError, OSError):
            await forget_redis_keys(redis, stream, every)
        await redis.aclose()
        await db.dispose()
        await drop_database(admin_url, name)
    return {
        "floor": floor.name,
        "service_date": day.isoformat(),
        "cases": cases,
    }


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Seating quality through the services' API",
        "",
        f"`python -m bench.quality_api` (seed {results['seed']}, floor {results['floor']}) on "
        f"{results['machine']['nproc']} CPUs; load average {results['load_average_before']:.2f} "
        f"before, {results['load_average_after']:.2f} after; {results['total_s']} s in all.",
        "",
        "The first judged evening of each load of bench/results/quality.md, sent through "
        "CreateBooking one at a time (each after the previous settled). Covers of CONFIRMED "
        "bookings, beside the covers the engine seats in memory on the same requests.",
        "",
        f"Yield off: a venue with its policy as seeded, service date {results['service_date']}. "
        "Yield on: another venue of the same floor whose `demand_date_counts`/`demand_days` "
        f"hold the {TRAIN_DAYS} training evenings the in-memory run learns from, each on its "
        "own past date of the service date's weekday, switched on through "
        "UpdateVenuePolicy, the same service date. The assigner's yield clock "
        "(MAITRED_YIELD_CLOCK_FILE) is set before each request to the moment it was made in "
        "the simulation (start minus lead), so the policy sees the simulated leads (range in "
        "the table); the rest of the services keep the real clock. The services count the "
        "replayed evening's own requests on its date as they arrive; a forecast learns only "
        "from the dates before the one it decides, so both runs learn from the same eight "
        "evenings.",
        "",
        "| load | seed | requests | demand covers | API yield off | engine, yield off "
        "| API yield on | engine yield on "
        "| leads, minutes | off: confirmed / refused / unsettled "
        "| on: confirmed / refused (by yield) / unsettled | call errors off / on | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in results["cases"]:
        a, y = c["api"], c["api_yield"]
        low, high = c["leads_minutes"]
        lines.append(
            f"| {c['load']} | {c['seed']} | {c['requests']} | {c['demand_covers']} "
            f"| {a['covers']} | {c['engine_in_memory_covers']} "
            f"| {y['covers']} "
            f"| {c['engine_yield_simulated_leads_covers']} | {low}-{high} "
            f"| {a['confirmed']} / {a['refused']} / {a['unsettled']} "
            f"| {y['confirmed']} / {y['refused']} ({len(y.get('by_yield', []))}) / "
            f"{y['unsettled']} "
            f"| {a['errors'] or '-'} / {y['errors'] or '-'} | {c['seconds']} |"
        )
    lines += ["", "The yield policy's refusals through the API, in the order made:", ""]
    for c in results["cases"]:
        refusals = c["api_yield"].get("by_yield", [])
        shown = "; ".join(refusals) if len(refusals) <= SHOWN_REFUSALS else "listed in the JSON"
        lines.append(f"- load {c['load']}: {len(refusals)}: {shown if refusals else 'none'}")
    return "\n".join(lines) + "\n"


async def run(loads: tuple[float, ...]) -> dict[str, Any]:
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="maitred-quality-"))
    before = os.getloadavg()[0]
    try:
        async with backends(scratch) as (admin_url, redis_url, _):
            found = await measure(admin_url, redis_url, scratch, loads)
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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--loads", type=float, nargs="+", default=LOADS, help="the loads to replay (all three)"
    )
    results = asyncio.run(run(tuple(parser.parse_args().loads)))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "quality_api.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "quality_api.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
