"""Benchmark of many venues at once: 50 venues booked together on 1 and on 2 replicas per service.

`python -m bench.venues_bench [--quick]` seeds 50 identical 20-table venues in a fresh database
(once per replica count), starts state, availability, the assigner and the optimizer as separate
processes (1 of each, then 2 of each, every service reaching its peers through a multi-address
`ipv4:` target with round_robin, as a headless Kubernetes Service resolves to its pods), and
books from closed-loop workers that spread CreateBooking calls over the venues. Throughput is
the bookings that settled (CONFIRMED, REJECTED or MANUAL_REVIEW) per second over the measured
window, read from PostgreSQL; CPU is each process's utime + stime over the same window. Results
go to bench/results/venues.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.availability_bench import free_port, machine, prepare_database, stop_process
from bench.day_generator import GeneratedBooking, make_day, make_floor
from bench.journey_bench import cpu_seconds, health_serving, stamp
from bench.seed_day import seed_floor
from services.availability.adapters.tables import venue_policies
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.dev_servers import drop_database
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SEED = 20_261_207
VENUES = 50
TABLES = 20
WORKERS = 32
SERVICES = ("state", "availability", "assigner", "optimizer")
STARTUP_SECONDS = 60.0
ROUND_ROBIN = json.dumps({"loadBalancingConfig": [{"round_robin": {}}]})
SETTLED = ("CONFIRMED", "REJECTED", "MANUAL_REVIEW")


@dataclass(frozen=True)
class Profile:
    warm_up_s: float
    window_s: float


FULL = Profile(warm_up_s=10.0, window_s=40.0)
QUICK = Profile(warm_up_s=4.0, window_s=12.0)


@contextlib.asynccontextmanager
async def replicas(
    count: int, database_url: str, redis_url: str, secret: str, logs: Path
) -> AsyncIterator[tuple[dict[str, asyncio.subprocess.Process], dict[str, str]]]:
    """`count` processes of every service; yields `<service>-<n>` -> process, and each
    service's multi-address target."""
    ports = {(s, n): free_port() for s in SERVICES for n in range(count)}

    def target(service: str) -> str:
        return "ipv4:" + ",".join(f"127.0.0.1:{ports[(service, n)]}" for n in range(count))

    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MAITRED_")}
    env = inherited | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MAITRED_JWT_SECRET": secret,
        "MAITRED_HOST": "127.0.0.1",
        "MAITRED_LOG_LEVEL": "WARNING",
        "MAITRED_EVENTS_STREAM": f"maitred:bench-venues:{uuid.uuid4().hex[:8]}",
        "MAITRED_OPTIMIZER_SCHEDULER": "false",
        "MAITRED_DB_POOL_SIZE": "5",
        "MAITRED_RATE_LIMIT_PER_CALLER": "0",
        "MAITRED_RATE_LIMIT_PER_VENUE": "0",
        **{f"MAITRED_{s.upper()}_ADDRESS": target(s) for s in SERVICES},
    }
    started: dict[str, asyncio.subprocess.Process] = {}
    try:
        for service in SERVICES:
            for n in range(count):
                name, port = f"{service}-{n}", ports[(service, n)]
                with (logs / f"{name}.log").open("ab") as log:
                    started[name] = await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        f"services.{service}.main",
                        cwd=ROOT,
                        env=env
                        | {
                            f"MAITRED_{service.upper()}_PORT": str(port),
                            "MAITRED_CONSUMER_NAME": name,
                        },
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                deadline = time.monotonic() + STARTUP_SECONDS
                while not await health_serving(f"127.0.0.1:{port}"):
                    if started[name].returncode is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{name} did not start; see {logs / name}.log")
                    await asyncio.sleep(0.2)
        yield started, {service: target(service) for service in SERVICES}
    finally:
        for process in reversed(list(started.values())):
            await stop_process(process, 10)


async def settled_count(engine: AsyncEngine) -> int:
    async with engine.connect() as db:
        found = await db.scalar(
            text("SELECT count(*) FROM bookings WHERE state = ANY(:settled)"),
            {"settled": list(SETTLED)},
        )
    return int(found or 0)


async def load(
    stub: rpc.BookingServiceStub,
    metadata: tuple[tuple[str, str], ...],
    bookings: list[tuple[str, GeneratedBooking]],
    stop: asyncio.Event,
) -> dict[str, Any]:
    """Closed-loop workers: each takes the next booking (venues interleaved) until `stop`."""
    queue = iter(bookings)
    outcome: dict[str, Any] = {"created": 0, "errors": 0, "first_error": None}

    async def worker() -> None:
        while not stop.is_set():
            venue_id, booking = next(queue)
            request = api.CreateBookingRequest(
                venue_id=venue_id,
                request_id=uuid.uuid4().hex,
                booking=pb.Booking(party_size=booking.party_size, start_time=stamp(booking.start)),
            )
            try:
                await stub.CreateBooking(request, metadata=metadata, timeout=10)
                outcome["created"] += 1
            except grpc.aio.AioRpcError as error:
                outcome["errors"] += 1
                outcome["first_error"] = outcome["first_error"] or f"{error.code().name}"

    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return outcome


async def run_one(count: int, profile: Profile, admin_url: str, redis_url: str) -> dict[str, Any]:
    """Seed, start `count` replicas of each service, load, and measure the window."""
    name, url = await prepare_database(admin_url)
    engine = create_engine(url, pool_size=2, application_name="maitred-venues-bench")
    secret = secrets.token_urlsafe(48)
    floor = make_floor(TABLES, SEED)
    venue_ids = [f"bench-v{index:02d}" for index in range(VENUES)]
    day = date.today() + timedelta(days=2)
    try:
        for venue_id in venue_ids:
            await seed_floor(engine, venue_id, floor)
        async with engine.begin() as db:
            await db.execute(
                update(venue_policies)
                .where(venue_policies.c.venue_id.in_(venue_ids))
                .values(auto_confirm=True)
            )
        days = [make_day(floor, "high", SEED + i, day, UTC) for i, _ in enumerate(venue_ids)]
        interleaved = [
            (venue_ids[v], days[v][i])
            for i in range(min(len(d) for d in days))
            for v in range(len(venue_ids))
        ]
        token = mint_token(
            secret,
            subject="venues-bench",
            roles=[Role.OPS],
            venues=["*"],
            ttl_seconds=3600,
            issuer="maitred",
        )
        metadata = (("authorization", f"Bearer {token}"),)
        logs = Path(os.environ.get("MAITRED_BENCH_LOGS", "/tmp")) / f"venues-{count}-{name}"
        logs.mkdir(parents=True, exist_ok=True)
        async with replicas(count, url, redis_url, secret, logs) as (processes, targets):
            pids = {n: p.pid for n, p in processes.items()}
            channel = grpc.aio.insecure_channel(
                targets["state"], options=[("grpc.service_config", ROUND_ROBIN)]
            )
            stop = asyncio.Event()
            running = asyncio.create_task(
                load(rpc.BookingServiceStub(channel), metadata, interleaved, stop)
            )
            await asyncio.sleep(profile.warm_up_s)
            before = ({n: cpu_seconds(p) for n, p in pids.items()}, await settled_count(engine))
            started = time.monotonic()
            await asyncio.sleep(profile.window_s)
            after = ({n: cpu_seconds(p) for n, p in pids.items()}, await settled_count(engine))
            window = time.monotonic() - started
            stop.set()
            outcome = await running
            await channel.close()
    finally:
        await engine.dispose()
        await drop_database(admin_url, name)
    cpu = {n: round(((after[0][n] or 0.0) - (before[0][n] or 0.0)) / window, 3) for n in pids}
    return {
        "replicas": count,
        "window_s": round(window, 1),
        "settled_per_s": round((after[1] - before[1]) / window, 1),
        "created": outcome["created"],
        "create_errors": outcome["errors"],
        "first_error": outcome["first_error"],
        "cpu_cores_per_process": cpu,
        "cpu_cores_total": round(sum(cpu.values()), 3),
    }


def render(results: dict[str, Any]) -> str:
    lines = [
        "# Many venues: 1 and 2 replicas per service",
        "",
        f"Run {results['time']} on {results['machine']}; load average before: "
        f"{results['load_before']}, after: {results['load_after']}.",
        f"{VENUES} venues of {TABLES} tables, {WORKERS} closed-loop workers; "
        "`python -m bench.venues_bench`.",
        "",
        "| replicas per service | settled bookings/s | CPU, all processes (cores) | errors |",
        "|---|---|---|---|",
    ]
    for run in results["runs"]:
        lines.append(
            f"| {run['replicas']} | {run['settled_per_s']} | {run['cpu_cores_total']} | "
            f"{run['create_errors']} |"
        )
    lines += ["", f"Ratio of 2 replicas to 1: **{results['ratio_2_to_1']}**.", ""]
    lines += ["| process | CPU cores (1 replica) | CPU cores (2 replicas) |", "|---|---|---|"]
    one, two = results["runs"]
    for name in sorted(set(one["cpu_cores_per_process"]) | set(two["cpu_cores_per_process"])):
        lines.append(
            f"| {name} | {one['cpu_cores_per_process'].get(name, '')} | "
            f"{two['cpu_cores_per_process'].get(name, '')} |"
        )
    lines += [
        "",
        "On a 2-core machine that also runs PostgreSQL, Redis and the client, a second replica "
        "of each service adds processes but no cores: the ratio shows what replication costs "
        "or gains here, not what it gains on a cluster with a node per replica.",
    ]
    return "\n".join(lines) + "\n"


async def main_async(profile: Profile) -> dict[str, Any]:
    admin_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    load_before = os.getloadavg()
    runs = [await run_one(count, profile, admin_url, redis_url) for count in (1, 2)]
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in os.getloadavg()],
        "runs": runs,
        "ratio_2_to_1": round(runs[1]["settled_per_s"] / max(runs[0]["settled_per_s"], 0.1), 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short window, for a smoke run")
    args = parser.parse_args(argv)
    results = asyncio.run(main_async(QUICK if args.quick else FULL))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "venues.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "venues.md").write_text(render(results))
    print(render(results))


if __name__ == "__main__":
    main()
