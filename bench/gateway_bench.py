"""Benchmark of the HTTP/JSON gateway: what it costs over calling the services directly.

`python -m bench.gateway_bench` (from the repository root) seeds bench/day_generator.py's
100-table floor and high-load day into a fresh database, starts the state service, the
availability service and the gateway in this process (PostgreSQL and Redis from DATABASE_URL /
REDIS_URL, else embedded servers), and measures, directly over gRPC and through the gateway
over HTTP: GetBooking and CheckCapacity one call at a time and from 16 workers, CreateBooking
from 8 workers, and the delay from a committed change to 50 snapshot watchers.
Results go to bench/results/gateway.{json,md}.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import secrets
import shutil
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import grpc
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.availability_bench import (
    RENAME,
    VERSION,
    backends,
    forget_cached_days,
    free_port,
    machine,
    party,
    prepare_database,
    server_versions,
    slot_starts,
    stamp,
    until,
    window,
)
from bench.closed_loop import Call, for_seconds, one_at_a_time, summary
from bench.day_generator import make_day, make_floor
from bench.seed_day import booking_uuid, plan_day, seed_day, seed_floor
from services.availability.main import start as start_availability
from services.availability.settings import AvailabilitySettings
from services.gateway.main import start as start_gateway
from services.gateway.settings import GatewaySettings
from services.state.main import start as start_state
from services.state.settings import StateSettings
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.dev_servers import drop_database
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as availability_api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as availability_rpc
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as state_rpc

RESULTS = Path(__file__).resolve().parent / "results"
SEED, TABLES = 20_261_201, 100
WARM_UP, SEQUENTIAL_CALLS = 50, 300
WORKERS, CREATE_WORKERS, LOAD_SECONDS = 16, 8, 5.0
WATCHERS = 50
TIMEOUT_S = 10.0
PATHS = {"grpc": "gRPC direct", "gateway": "gateway HTTP/JSON"}


class UnexpectedStatus(RuntimeError):
    """The gateway answered with something other than 200."""


@dataclass(frozen=True)
class Target:
    """The seeded venue, and both ways to reach the services that serve it."""

    venue: str
    day: date
    booking_ids: list[str]
    state: Any  # BookingServiceStub
    availability: Any  # AvailabilityServiceStub
    http: aiohttp.ClientSession
    token: str

    @property
    def metadata(self) -> tuple[tuple[str, str]]:
        return (("authorization", f"Bearer {self.token}"),)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def watch_window(self) -> tuple[datetime, datetime]:
        evening = datetime.combine(self.day, datetime.min.time(), UTC) + timedelta(hours=17)
        return evening, evening + timedelta(hours=6)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def fetch(target: Target, method: str, path: str, **send: Any) -> Any:
    """One HTTP call through the gateway; its JSON answer, parsed as a client would."""
    async with target.http.request(method, path, headers=target.headers, **send) as response:
        body = await response.json()
        if response.status != 200:
            raise UnexpectedStatus(f"{response.status} {body}")
        return body


# --- the calls, both ways ----------------------------------------------------------------------


def get_booking(t: Target) -> dict[str, Call]:
    ids = t.booking_ids

    async def direct(i: int) -> object:
        request = state_api.GetBookingRequest(venue_id=t.venue, booking_id=ids[i % len(ids)])
        return await t.state.GetBooking(request, metadata=t.metadata, timeout=TIMEOUT_S)

    async def gateway(i: int) -> object:
        return await fetch(t, "GET", f"/v1/venues/{t.venue}/bookings/{ids[i % len(ids)]}")

    return {"grpc": direct, "gateway": gateway}


def check_capacity(t: Target, rng: random.Random) -> dict[str, Call]:
    starts = slot_starts(t.day)
    checks = [(party(rng), rng.choice(starts)) for _ in range(500)]

    async def direct(i: int) -> object:
        size, start = checks[i % len(checks)]
        request = availability_api.CheckCapacityRequest(
            venue_id=t.venue, party_size=size, start_time=stamp(start)
        )
        return await t.availability.CheckCapacity(request, metadata=t.metadata, timeout=TIMEOUT_S)

    async def gateway(i: int) -> object:
        size, start = checks[i % len(checks)]
        query = {"partySize": str(size), "startTime": rfc3339(start)}
        return await fetch(t, "GET", f"/v1/venues/{t.venue}:checkCapacity", params=query)

    return {"grpc": direct, "gateway": gateway}


def create_booking(t: Target, rng: random.Random) -> dict[str, Call]:
    starts, run = slot_starts(t.day), uuid.uuid4().hex[:12]

    async def direct(i: int) -> object:
        booking = booking_pb2.Booking(party_size=party(rng), start_time=stamp(rng.choice(starts)))
        request = state_api.CreateBookingRequest(
            venue_id=t.venue, booking=booking, request_id=f"gwbench-{run}-grpc-{i}"
        )
        return await t.state.CreateBooking(request, metadata=t.metadata, timeout=TIMEOUT_S)

    async def gateway(i: int) -> object:
        booking = {"partySize": party(rng), "startTime": rfc3339(rng.choice(starts))}
        body = {"requestId": f"gwbench-{run}-http-{i}", "booking": booking}
        return await fetch(t, "POST", f"/v1/venues/{t.venue}/bookings", json=body)

    return {"grpc": direct, "gateway": gateway}


# --- watch: one committed change, N streams ----------------------------------------------------

Stream = Callable[[], AsyncIterator[tuple[int, int]]]  # (snapshot version, message bytes)


def watches(t: Target) -> dict[str, Stream]:
    start, end = t.watch_window()
    request = availability_api.WatchSnapshotsRequest(venue_id=t.venue, window=window(start, end))
    query = {"window.startTime": rfc3339(start), "window.endTime": rfc3339(end)}

    async def direct() -> AsyncIterator[tuple[int, int]]:
        async for message in t.availability.WatchSnapshots(request, metadata=t.metadata):
            yield message.snapshot.version, message.ByteSize()

    async def gateway() -> AsyncIterator[tuple[int, int]]:
        path = f"/v1/venues/{t.venue}/snapshot:watch"
        async with t.http.get(path, params=query, headers=t.headers) as stream:
            if stream.status != 200:
                raise UnexpectedStatus(f"{stream.status} {await stream.text()}")
            async for line in stream.content:
                yield int(json.loads(line)["result"]["snapshot"]["version"]), len(line)

    return {"grpc": direct, "gateway": gateway}


async def commit_change(engine: AsyncEngine, venue: str) -> tuple[int, float]:
    """A venue rename (it moves the version on); the version, and perf_counter after COMMIT."""
    async with engine.begin() as db:
        await db.execute(RENAME, {"name": f"Gateway bench {uuid.uuid4().hex[:6]}", "venue": venue})
        version = int((await db.execute(VERSION, {"venue": venue})).scalar_one())
    return version, time.perf_counter()


async def watch_delay(open_stream: Stream, engine: AsyncEngine, venue: str) -> dict[str, Any]:
    records: list[list[tuple[int, float]]] = [[] for _ in range(WATCHERS)]
    sizes: list[int] = []
    progress = asyncio.Event()

    async def follow(index: int) -> None:
        try:
            async for version, size in open_stream():
                records[index].append((version, time.perf_counter()))
                sizes.append(size)
                progress.set()
        finally:
            progress.set()

    began = time.perf_counter()
    tasks = [asyncio.create_task(follow(n)) for n in range(WATCHERS)]
    pairs = list(zip(records, tasks, strict=True))
    await until(lambda: all(r or task.done() for r, task in pairs), progress, 30)
    opened = time.perf_counter() - began
    version, committed = await commit_change(engine, venue)
    await until(lambda: all(task.done() or r[-1][0] >= version for r, task in pairs), progress, 30)
    for task in tasks:
        task.cancel()
    ended = await asyncio.gather(*tasks, return_exceptions=True)
    errors = Counter(
        f"{type(e).__name__}: {e}"[:200]
        for e in ended
        if isinstance(e, Exception) and not isinstance(e, asyncio.CancelledError)
    )
    received = [next((at for v, at in r if v >= version), None) for r in records]
    delays = [(at - committed) * 1000 for at in received if at is not None]
    return {
        "streams": WATCHERS,
        "first_messages_s": round(opened, 2),
        "version": version,
        "delivered": len(delays),
        **summary(delays),
        "message_bytes": max(sizes, default=0),
        "errors": dict(errors),
    }


# --- the run -----------------------------------------------------------------------------------


async def seed(engine: AsyncEngine, venue: str, day: date) -> tuple[list[str], dict[str, Any]]:
    floor = make_floor(TABLES, SEED)
    bookings = make_day(floor, "high", SEED + 1, day, UTC)
    expire = datetime.now(UTC) + timedelta(hours=2)
    plan = plan_day(floor, bookings, seed=SEED + 2, hold_expire=expire, overflow_state="REJECTED")
    await seed_floor(engine, venue, floor)
    await seed_day(engine, venue, plan, now=datetime.now(UTC))
    ids = [str(booking_uuid(venue, p.booking.key)) for p in plan.bookings]
    random.Random(SEED).shuffle(ids)
    return ids, {
        "venue": venue,
        "service_date": day.isoformat(),
        "tables": TABLES,
        "bookings": len(ids),
        "states": plan.states(),
    }


@contextlib.asynccontextmanager
async def suite(database_url: str, redis_url: str, secret: str) -> AsyncIterator[dict[str, str]]:
    """State, availability and the gateway in this process; yields their addresses."""
    common: Any = {
        "database_url": database_url,
        "jwt_secret": secret,
        "host": "127.0.0.1",
        "grace_period_seconds": 2,
        "rate_limit_per_caller": 0,
        "rate_limit_per_venue": 0,
    }
    async with contextlib.AsyncExitStack() as stack:
        state = await start_state(StateSettings(**common, redis_url=None), port=0)
        stack.push_async_callback(state.stop, 1)
        addresses = {"state": f"127.0.0.1:{state.port}"}
        availability = await start_availability(
            AvailabilitySettings(**common, redis_url=redis_url, state_address=addresses["state"]),
            port=0,
        )
        stack.push_async_callback(availability.stop, 1)
        addresses["availability"] = f"127.0.0.1:{availability.port}"
        away = f"127.0.0.1:{free_port()}"  # the assigner and optimizer are not measured
        gateway = await start_gateway(
            GatewaySettings(
                host="127.0.0.1",
                state_address=addresses["state"],
                availability_address=addresses["availability"],
                assigner_address=away,
                optimizer_address=away,
                gateway_timeout_seconds=TIMEOUT_S,
                grace_period_seconds=2,
            ),
            port=0,
        )
        stack.push_async_callback(gateway.stop, 1)
        addresses["gateway"] = f"http://127.0.0.1:{gateway.port}"
        yield addresses


async def phases(t: Target, engine: AsyncEngine) -> dict[str, Any]:
    rng = random.Random(SEED)
    found: dict[str, Any] = {}
    calls = {"GetBooking": get_booking(t), "CheckCapacity": check_capacity(t, rng)}
    for name, ways in calls.items():
        for way, call in ways.items():
            print(f"  {name} {way}: one at a time, then {WORKERS} workers", flush=True)
            found.setdefault(name, {})[way] = {
                "sequential": await one_at_a_time(call, SEQUENTIAL_CALLS, WARM_UP),
                "loaded": await for_seconds(call, WORKERS, LOAD_SECONDS),
            }
    for way, call in create_booking(t, rng).items():
        print(f"  CreateBooking {way}: {CREATE_WORKERS} workers", flush=True)
        found.setdefault("CreateBooking", {})[way] = {
            "loaded": await for_seconds(call, CREATE_WORKERS, LOAD_SECONDS)
        }
    for way, stream in watches(t).items():
        print(f"  watch {way}: {WATCHERS} streams, one change", flush=True)
        found.setdefault("watch", {})[way] = await watch_delay(stream, engine, t.venue)
    return found


async def measure(admin_url: str, redis_url: str, results: dict[str, Any]) -> None:
    name, database_url = await prepare_database(admin_url)
    engine = create_engine(database_url, pool_size=2, application_name="maitred-gateway-bench")
    venue = f"bench-gw-{secrets.token_hex(4)}"
    try:
        results["backends"].update(await server_versions(engine, redis_url))
        day = datetime.now(UTC).date() + timedelta(days=1)
        booking_ids, results["day"] = await seed(engine, venue, day)
        secret = secrets.token_urlsafe(36)
        token = mint_token(
            secret,
            subject="bench",
            roles=[Role.OPS],
            venues=["*"],
            ttl_seconds=3600,
            issuer="maitred",
        )
        connector = aiohttp.TCPConnector(limit=WATCHERS + WORKERS)
        # read_bufsize: aiohttp refuses a line over twice it, and a snapshot is one NDJSON line.
        async with (
            suite(database_url, redis_url, secret) as at,
            grpc.aio.insecure_channel(at["state"]) as state_channel,
            grpc.aio.insecure_channel(at["availability"]) as availability_channel,
            aiohttp.ClientSession(at["gateway"], connector=connector, read_bufsize=2**22) as http,
        ):
            target = Target(
                venue,
                day,
                booking_ids,
                state_rpc.BookingServiceStub(state_channel),
                availability_rpc.AvailabilityServiceStub(availability_channel),
                http,
                token,
            )
            results["calls"] = await phases(target, engine)
        await forget_cached_days(redis_url, {"main": venue})
    finally:
        await engine.dispose()
        await drop_database(admin_url, name)


async def run() -> dict[str, Any]:
    started = time.monotonic()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    scratch = Path(tempfile.mkdtemp(prefix="maitred-gwbench-"))
    try:
        async with backends(scratch) as (admin_url, redis_url, kinds):
            results["backends"] = dict(kinds)
            await measure(admin_url, redis_url, results)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["run_seconds"] = round(time.monotonic() - started, 1)
    return results


# --- the report --------------------------------------------------------------------------------


def cell(value: Any) -> str:
    return "-" if value is None else str(value)


def call_rows(calls: dict[str, Any], phase: str, columns: tuple[str, ...]) -> list[str]:
    """One row per call and path; gateway rows end with the change from the direct path."""
    rows, key = [], "p50" if phase == "sequential" else "per_second"
    for name in ("GetBooking", "CheckCapacity", "CreateBooking"):
        ways = {way: found[phase] for way, found in calls.get(name, {}).items() if phase in found}
        for way, s in ways.items():
            direct, change = ways.get("grpc", {}).get(key), "-"
            if way == "gateway" and direct and s[key] is not None:
                ratio = f"{s[key] / direct - 1:+.0%}"
                change = f"{s[key] - direct:+.2f} ms ({ratio})" if key == "p50" else ratio
            values = " | ".join(cell(s[c]) for c in columns)
            rows.append(f"| {name} | {PATHS[way]} | {values} | {s['errors']} | {change} |")
    return rows


def render(r: dict[str, Any]) -> str:
    m, b, day, calls = r["machine"], r["backends"], r["day"], r["calls"]
    watch = [
        f"| {PATHS[way]} | {w['streams']} | {w['first_messages_s']} | {w['delivered']} | "
        f"{cell(w['p50'])} | {cell(w['p99'])} | {cell(w['max'])} | {w['message_bytes']} | "
        f"{w['errors'] or '-'} |"
        for way, w in calls["watch"].items()
    ]
    return "\n".join(
        [
            "# Gateway benchmark",
            "",
            f"{r['date']}, {r['run_seconds']} s. Machine: {m['nproc']} cores, {m['cpu_model']}, "
            f"{m['memory_gib']} GiB; Python {m['python']}; load average at the start "
            f"{m['load_average_at_start']}. PostgreSQL {b.get('postgres_version')} "
            f"({b['postgres']}), Redis {b.get('redis_version')} ({b['redis']}).",
            "",
            f"One process holds the client, the gateway and the state and availability services "
            f"(one event loop; log level WARNING, rate limits off); "
            f"PostgreSQL and Redis run apart. "
            f"Venue: {day['tables']} tables, {day['bookings']} bookings on {day['service_date']} "
            f"(high load). gRPC: generated stubs on one channel per service. HTTP: one "
            f"aiohttp.ClientSession (keep-alive pool), JSON answers parsed.",
            "",
            f"## One call at a time (ms; {SEQUENTIAL_CALLS} calls after {WARM_UP} warm-up)",
            "",
            "| call | path | p50 | p95 | p99 | max | errors | p50 vs direct |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *call_rows(calls, "sequential", ("p50", "p95", "p99", "max")),
            "",
            f"## Under load (closed loop for {LOAD_SECONDS:.0f} s; {WORKERS} workers, "
            f"CreateBooking {CREATE_WORKERS})",
            "",
            "| call | path | workers | calls/s | p50 ms | p95 ms | p99 ms | CPU ms/call | errors | "
            "calls/s vs direct |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            *call_rows(
                calls, "loaded", ("workers", "per_second", "p50", "p95", "p99", "cpu_ms_per_call")
            ),
            "",
            "CPU ms/call: this process's CPU time (client, gateway and services, all threads) over "
            "the calls completed; PostgreSQL's and Redis's are not counted. CreateBooking request "
            "ids are unique per call.",
            "",
            f"## Watch delay (ms, from COMMIT returning to a stream's message with that version; "
            f"{WATCHERS} streams, one venue rename, window 17:00-23:00)",
            "",
            "| path | streams | first messages (s) | delivered | p50 | p99 | max | message bytes | "
            "errors |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            *watch,
            "",
            "Message bytes: the protobuf message direct, the NDJSON line through the gateway. "
            "Receipt is stamped once the client has decoded the message. The watchers share the "
            "services' event loop, so they read only after the gateway has written every "
            "stream's line: each one's delay is about the time to serve them all, which is what "
            "the last of them would see anyway.",
            "",
        ]
    )


def main() -> None:
    results = asyncio.run(asyncio.wait_for(run(), 600))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "gateway.json").write_text(json.dumps(results, indent=2) + "\n")
    report = render(results)
    (RESULTS / "gateway.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
