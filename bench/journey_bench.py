"""Benchmark of the whole booking journey: CreateBooking to CONFIRMED across the suite's processes.

`python -m bench.journey_bench [--quick]` (from the repository root) creates a fresh database,
seeds identical 60-table venues (floor only), starts state, availability and one assigner as
separate processes on their own events stream, and offers CreateBooking calls at a steady
(Poisson) arrival rate from one asyncio client. A booking's latency runs from just before its
CreateBooking call to the moment this process's XREAD of the events stream receives the
`booking.state_changed` event that settles it (CONFIRMED; REJECTED and MANUAL_REVIEW are
counted apart). A steady run, then a ramp of rates that stops at the first step whose p95 passes
the seed's SLA (3 s) or whose outstanding bookings keep growing. Results go to
bench/results/journey.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import math
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2, health_pb2_grpc
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import bindparam, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.availability_bench import (
    LoopLag,
    backends,
    free_port,
    machine,
    percentile,
    prepare_database,
    server_versions,
    stop_process,
    until,
)
from bench.day_generator import GeneratedBooking, GeneratedFloor, make_day, make_floor
from bench.journey_counts import WorkProbe, echo_ceiling
from bench.seed_day import seed_floor
from services.availability.adapters.tables import venue_policies
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.dev_servers import drop_database, start_redis
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SEED = 20_251_126
TABLES = 60
# Bookings sent to one venue before the next (identical) venue takes over. A 60-table floor
# seats about 155 bookings of a generated day first-fit (100 all fit, 120 leave 3 out), so 100
# keeps the journey on its automated path while peak slots still fill up; see README.
BOOKINGS_PER_VENUE = 100
SLA_P95_MS = 3000.0  # the seed's SLA: P95 booking -> assignment within 3 s
SETTLED_STATES = ("CONFIRMED", "REJECTED", "MANUAL_REVIEW")
CREATE_TIMEOUT_SECONDS = 10.0
STARTUP_SECONDS = 30.0
SAMPLE_SECONDS = 0.5
# Falling behind: at the end of a step more bookings are outstanding than Little's law allows at
# the SLA (rate x 3 s), and either they grew over its second half by more than this share of
# the rate per second, or fewer than KEEP_UP_SHARE of the bookings sent settled in the window.
BEHIND_SLOPE_SHARE = 0.1
KEEP_UP_SHARE = 0.9
WARMUP_RATE = 2.0  # bookings/s before the measured phases: connections, caches, first calls
SERVICE_NAMES = ("state", "availability", "assigner")
PORT_VARIABLES = {
    "state": "MAITRED_STATE_PORT",
    "availability": "MAITRED_AVAILABILITY_PORT",
    "assigner": "MAITRED_ASSIGNER_PORT",
}
# application_name in pg_stat_activity -> who the backend serves (shared/db/engine.py).
BACKEND_OWNERS = {
    "maitred": "state",
    "maitred-availability": "availability",
    "maitred-assigner": "assigner",
    "maitred-journey-bench": "bench",
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Profile:
    """The steady run and the ramp; each phase drains for at most `drain_seconds` after it."""

    name: str
    warmup_seconds: float
    steady_rate: float
    steady_seconds: float
    ramp_rates: tuple[float, ...]
    step_seconds: float
    drain_seconds: float
    run_timeout_seconds: float
    event_loop: str | None = None  # MAITRED_EVENT_LOOP of the services; None: their default


# The steady run at 20/s, and a ramp toward issue 11's target of 100/s on 2 cores; it stops at
# its first unsustainable step, so the full run stays within about 6 minutes.
FULL = Profile(
    "full", 10.0, 20.0, 60.0, (10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 80.0, 100.0), 20.0, 20.0, 600.0
)
QUICK = Profile(
    "quick", 5.0, 20.0, 20.0, (10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 80.0), 10.0, 10.0, 300.0
)


@dataclass(frozen=True)
class PhasePlan:
    """One measured phase: its arrivals (seconds from its start) and the bookings they carry."""

    key: str  # short, goes into venue ids
    label: str
    rate: float
    seconds: float
    arrivals: tuple[float, ...]
    venues: tuple[str, ...]
    bookings: tuple[GeneratedBooking, ...]  # one per arrival

    def venue_of(self, index: int) -> str:
        return self.venues[index // BOOKINGS_PER_VENUE]


@dataclass
class Sent:
    """One CreateBooking call and what came of it."""

    index: int
    venue_id: str
    party_size: int
    scheduled: float  # monotonic
    t0: float = 0.0  # monotonic, just before the call
    t0_wall: float = 0.0
    replied: float = 0.0
    booking_id: str = ""
    error: str = ""


@dataclass(frozen=True)
class Settled:
    """The first settling event of a booking, as the stream reader received it."""

    state: str
    received: float  # monotonic
    received_wall: float
    published_wall: float  # the XADD time in the entry id (Redis's clock, same machine)


class StreamWatch:
    """Reads the run's events stream with XREAD (no group) and notes each booking's outcome."""

    def __init__(self, redis: Redis, stream: str) -> None:
        self._redis = redis
        self._stream = stream
        self.settled: dict[str, Settled] = {}
        # booking id -> state it entered (CREATED for booking.created) -> XADD time (epoch s)
        self.published: dict[str, dict[str, float]] = {}
        self.entries = 0
        self.errors = 0
        self.progress = asyncio.Event()

    async def run(self) -> None:
        last = "0-0"
        while True:
            try:
                reply: Any = await self._redis.xread({self._stream: last}, count=1000, block=1000)
            except (RedisError, OSError):
                self.errors += 1
                await asyncio.sleep(0.2)
                continue
            received, received_wall = time.monotonic(), time.time()
            for _, entries in reply or []:
                for entry_id, fields in entries:
                    last = entry_id
                    self.entries += 1
                    self._note(entry_id, fields, received, received_wall)
            if reply:
                self.progress.set()

    def _note(self, entry_id: str, fields: dict[str, str], received: float, wall: float) -> None:
        payload = json.loads(fields.get("payload") or "{}")
        state, booking_id = str(payload.get("to_state")), fields.get("aggregate_id", "")
        published = int(entry_id.split("-", 1)[0]) / 1000  # the entry id's milliseconds
        self.published.setdefault(booking_id, {}).setdefault(state, published)
        if fields.get("event_type") != "booking.state_changed":
            return
        if state in SETTLED_STATES and booking_id not in self.settled:
            self.settled[booking_id] = Settled(state, received, wall, published)


# --- numbers ----------------------------------------------------------------------------------


def stats(values: Sequence[float]) -> dict[str, Any]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "n": len(values),
        "p50": rounded(percentile(values, 0.5)),
        "p95": rounded(percentile(values, 0.95)),
        "p99": rounded(percentile(values, 0.99)),
        "max": rounded(max(values) if values else None),
        "mean": rounded(sum(values) / len(values) if values else None),
    }


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points; 0 for fewer than two."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def poisson_arrivals(rate: float, seconds: float, rng: random.Random) -> tuple[float, ...]:
    """rate x seconds arrivals at uniformly random moments: a Poisson process conditioned on
    its count, so short steps offer exactly their rate and the gaps are still exponential-like.
    """
    count = round(rate * seconds)
    return tuple(sorted(rng.uniform(0, seconds) for _ in range(count)))


# --- CPU from /proc ----------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (all its threads), in seconds; None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # fields[0] is field 3 (state) of proc(5)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def system_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return float(total - idle), float(total)


@dataclass
class CpuProbe:
    """CPU seconds of the service processes, the run's PostgreSQL backends, Redis and the bench."""

    services: dict[str, int]
    redis_pid: int | None
    engine: AsyncEngine
    database: str

    async def backends(self) -> dict[int, str]:
        async with self.engine.connect() as db:
            rows = await db.execute(
                text("SELECT pid, application_name FROM pg_stat_activity WHERE datname = :name"),
                {"name": self.database},
            )
            return {int(pid): BACKEND_OWNERS.get(app, "other") for pid, app in rows.tuples()}

    async def sample(self) -> dict[str, Any]:
        backends = await self.backends()
        return {
            "at": time.monotonic(),
            "system": system_cpu(),
            "services": {name: cpu_seconds(pid) for name, pid in self.services.items()},
            "redis": cpu_seconds(self.redis_pid) if self.redis_pid else None,
            "bench": time.process_time(),
            "backends": {pid: (owner, cpu_seconds(pid)) for pid, owner in backends.items()},
        }

    @staticmethod
    def share(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        """CPU over wall time between two samples (1.0 = one core busy) per process group."""
        wall: float = max(after["at"] - before["at"], 1e-9)

        def rate(start: float | None, end: float | None) -> float | None:
            if start is None or end is None:
                return None
            return round((end - start) / wall, 3)

        found: dict[str, Any] = {
            name: rate(before["services"][name], after["services"][name])
            for name in before["services"]
        }
        postgres: Counter[str] = Counter()
        for pid, (owner, end) in after["backends"].items():
            start = before["backends"].get(pid, (owner, 0.0))[1]
            if end is not None and start is not None:
                postgres[owner] += end - start  # a backend opened meanwhile counts from zero
        found["postgres"] = {owner: round(used / wall, 3) for owner, used in postgres.items()}
        found["postgres_total"] = round(sum(postgres.values()) / wall, 3)
        found["redis_server"] = rate(before["redis"], after["redis"])
        found["bench_client"] = rate(before["bench"], after["bench"])
        busy = after["system"][0] - before["system"][0]
        total = max(after["system"][1] - before["system"][1], 1.0)
        found["machine_busy"] = round(busy / total, 3)  # share of all cores, every process
        ours = [
            v
            for k, v in found.items()
            if k in (*SERVICE_NAMES, "redis_server", "bench_client", "postgres_total")
            and v is not None
        ]
        # Cores busy outside the suite, its backends, Redis and the bench: other work here.
        found["rest_of_machine"] = round(busy / total * (os.cpu_count() or 1) - sum(ours), 3)
        return found


# --- the suite as processes --------------------------------------------------------------------


@dataclass
class Service:
    name: str
    process: asyncio.subprocess.Process
    target: str
    log_path: Path
    metrics_url: str = ""


async def health_serving(target: str) -> bool:
    async with grpc.aio.insecure_channel(target) as channel:
        try:
            reply = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=1
            )
        except grpc.aio.AioRpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


async def start_service(name: str, port: int, env: dict[str, str], log_dir: Path) -> Service:
    log_path = log_dir / f"{name}.log"
    metrics_port = free_port()
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            f"services.{name}.main",
            env={**env, PORT_VARIABLES[name]: str(port), "MAITRED_METRICS_PORT": str(metrics_port)},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    service = Service(
        name, process, f"127.0.0.1:{port}", log_path, f"http://127.0.0.1:{metrics_port}/metrics"
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"{name} exited {process.returncode}: {tail(log_path)}")
        if await health_serving(service.target):
            return service
        await asyncio.sleep(0.2)
    await stop_process(process, 5)
    raise RuntimeError(f"{name} not SERVING after {STARTUP_SECONDS} s: {tail(log_path)}")


@contextlib.asynccontextmanager
async def suite(
    database_url: str,
    redis_url: str,
    secret: str,
    stream: str,
    log_dir: Path,
    extra_env: Mapping[str, str] | None = None,
) -> AsyncIterator[dict[str, Service]]:
    """State, availability and one assigner, each its own process; yields name -> Service.
    `extra_env` adds settings to every process's environment."""
    ports = {name: free_port() for name in SERVICE_NAMES}
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MAITRED_")}
    env = (
        inherited
        | {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "MAITRED_JWT_SECRET": secret,
            "MAITRED_HOST": "127.0.0.1",
            "MAITRED_LOG_LEVEL": "WARNING",
            "MAITRED_EVENTS_STREAM": stream,
            "MAITRED_GRACE_PERIOD_SECONDS": "2",
            "MAITRED_STATE_ADDRESS": f"127.0.0.1:{ports['state']}",
            "MAITRED_AVAILABILITY_ADDRESS": f"127.0.0.1:{ports['availability']}",
            "MAITRED_CONSUMER_NAME": "journey-bench-assigner",
        }
        | dict(extra_env or {})
    )
    started: dict[str, Service] = {}
    try:
        for name in SERVICE_NAMES:  # state first: the others call it
            started[name] = await start_service(name, ports[name], env, log_dir)
        yield started
    finally:
        for service in reversed(list(started.values())):
            await stop_process(service.process, 10)


def tail(path: Path, lines: int = 15) -> list[str]:
    with contextlib.suppress(OSError):
        return path.read_text(errors="replace").splitlines()[-lines:]
    return []


def log_summary(path: Path) -> dict[str, Any]:
    """Lines per level and the most frequent messages of a service's JSON log."""
    levels: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    samples: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in path.read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
                level, message = str(record.get("level")), str(record.get("message"))
            except (ValueError, AttributeError):
                level, message = "TEXT", line[:200]
            levels[level] += 1
            key = f"{level} {message}"
            messages[key] += 1
            samples.setdefault(key, line[:1500])
    return {
        "lines": sum(levels.values()),
        "levels": dict(levels),
        "top": [
            {"count": n, "message": m, "sample": samples[m]} for m, n in messages.most_common(8)
        ],
    }


# --- the venues and the load -------------------------------------------------------------------


def plan_phases(profile: Profile, run: str, day: date, floor: GeneratedFloor) -> list[PhasePlan]:
    """Every phase's arrivals and bookings, decided before anything starts (seeded)."""
    rng = random.Random(SEED)
    wanted = [
        ("w", "warm-up", WARMUP_RATE, profile.warmup_seconds),
        ("s", "steady", profile.steady_rate, profile.steady_seconds),
    ] + [
        (f"r{rate:g}", f"ramp {rate:g}/s", rate, profile.step_seconds)
        for rate in profile.ramp_rates
    ]
    plans = []
    for number, (key, label, rate, seconds) in enumerate(wanted):
        arrivals = poisson_arrivals(rate, seconds, rng)
        count = max(1, math.ceil(len(arrivals) / BOOKINGS_PER_VENUE))
        venues = tuple(f"jb-{run}-{key}-{n}" for n in range(count))
        bookings: list[GeneratedBooking] = []
        for n in range(count):
            # A generated day in the order its bookings were made: party mix, lunch and dinner.
            day_seed = SEED + 1000 * number + n
            bookings += make_day(floor, "low", day_seed, day, UTC)[:BOOKINGS_PER_VENUE]
        plans.append(
            PhasePlan(key, label, rate, seconds, arrivals, venues, tuple(bookings[: len(arrivals)]))
        )
    return plans


async def seed_venues(engine: AsyncEngine, floor: GeneratedFloor, venues: list[str]) -> float:
    started = time.perf_counter()
    for venue_id in venues:
        await seed_floor(engine, venue_id, floor)
    async with engine.begin() as db:  # the defaults already are: said here, not assumed
        await db.execute(
            update(venue_policies)
            .where(venue_policies.c.venue_id.in_(venues))
            .values(
                auto_confirm=True, pacing_max_covers_per_slot=None, pacing_max_parties_per_slot=None
            )
        )
    return time.perf_counter() - started


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


@dataclass
class Bench:
    stub: Any
    metadata: tuple[tuple[str, str], ...]
    watch: StreamWatch
    engine: AsyncEngine
    cpu: CpuProbe
    profile: Profile
    redis: Redis
    stream: str
    work: WorkProbe | None = None

    async def consumer_backlog(self) -> tuple[int, int] | None:
        """(lag, pending) of the assigner's consumer group: not yet delivered, not yet acked."""
        with contextlib.suppress(RedisError, OSError):
            for group in await self.redis.xinfo_groups(self.stream):
                if group.get("name") == "assigner":
                    return int(group.get("lag") or 0), int(group.get("pending") or 0)
        return None


async def create(bench: Bench, sent: Sent, booking: GeneratedBooking) -> None:
    request = api.CreateBookingRequest(
        venue_id=sent.venue_id,
        request_id=uuid.uuid4().hex,
        booking=pb.Booking(party_size=booking.party_size, start_time=stamp(booking.start)),
    )
    sent.t0, sent.t0_wall = time.monotonic(), time.time()
    try:
        reply = await bench.stub.CreateBooking(
            request, metadata=bench.metadata, timeout=CREATE_TIMEOUT_SECONDS
        )
    except grpc.aio.AioRpcError as error:
        sent.error = error.code().name
    else:
        sent.booking_id = reply.booking.booking_id
    sent.replied = time.monotonic()


def outstanding(sent: Sequence[Sent], settled: dict[str, Settled]) -> int:
    """Calls in flight plus created bookings not settled yet."""
    return sum(
        1
        for s in sent
        if (s.t0 and not s.replied) or (s.booking_id and s.booking_id not in settled)
    )


async def run_phase(bench: Bench, plan: PhasePlan) -> dict[str, Any]:
    print(f"  {plan.label}: {len(plan.arrivals)} arrivals over {plan.seconds:g} s", flush=True)
    sent: list[Sent] = []
    tasks: list[asyncio.Task[None]] = []
    samples: list[tuple[float, float]] = []
    backlog: list[tuple[float, int, int]] = []
    lag = LoopLag()
    work_before = await bench.work.sample() if bench.work else None
    lag_task = asyncio.create_task(lag.run())
    before = await bench.cpu.sample()
    start = time.monotonic()

    async def sample() -> None:
        while True:
            at = time.monotonic() - start
            samples.append((at, outstanding(sent, bench.watch.settled)))
            found = await bench.consumer_backlog()
            if found is not None:
                backlog.append((round(at, 1), *found))
            await asyncio.sleep(SAMPLE_SECONDS)

    sampler = asyncio.create_task(sample())
    try:
        for index, offset in enumerate(plan.arrivals):
            delay = start + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            booking = plan.bookings[index]
            one = Sent(index, plan.venue_of(index), booking.party_size, start + offset)
            sent.append(one)
            tasks.append(asyncio.create_task(create(bench, one, booking)))
        await asyncio.sleep(max(0.0, start + plan.seconds - time.monotonic()))
        window = time.monotonic() - start
        after = await bench.cpu.sample()
        end_outstanding = outstanding(sent, bench.watch.settled)
        # Every call has its own deadline; this only bounds the wait for the last ones.
        await asyncio.wait(tasks, timeout=CREATE_TIMEOUT_SECONDS + 5)
        created = [s.booking_id for s in sent if s.booking_id]
        drain_start = time.monotonic()
        await until(
            lambda: all(b in bench.watch.settled for b in created),
            bench.watch.progress,
            bench.profile.drain_seconds,
        )
        drained = time.monotonic() - drain_start
        work_after = await bench.work.sample() if bench.work else None
    finally:
        sampler.cancel()
        lag_task.cancel()
        for task in tasks:
            task.cancel()
        await asyncio.gather(sampler, lag_task, *tasks, return_exceptions=True)
    found = await phase_report(bench, plan, sent, start, window, samples, end_outstanding)
    found["drain_seconds"] = round(drained, 2)
    found["assigner_backlog"] = {
        "max_lag": max((lag for _, lag, _ in backlog), default=None),
        "max_pending": max((pending for _, _, pending in backlog), default=None),
        "series": backlog[:: max(1, len(backlog) // 40)],
    }
    found["cpu"] = CpuProbe.share(before, after)
    found["cpu_ms_per_booking"] = cpu_per_booking(found["cpu"], window, len(sent))
    if work_before is not None and work_after is not None:
        made = sum(1 for s in sent if s.booking_id)
        found["work_per_booking"] = WorkProbe.per_booking(work_before, work_after, made)
    found["client_max_loop_lag_ms"] = round(lag.worst * 1000, 1)
    return found


def cpu_per_booking(cpu: dict[str, Any], window: float, bookings: int) -> dict[str, float | None]:
    """CPU milliseconds per booking sent in the window, per process group and in all."""
    groups = {name: cpu.get(name) for name in SERVICE_NAMES}
    groups["postgres"] = cpu.get("postgres_total")
    groups["redis"] = cpu.get("redis_server")
    found: dict[str, float | None] = {
        name: None if cores is None else round(cores * window / max(bookings, 1) * 1000, 2)
        for name, cores in groups.items()
    }
    found["total"] = round(sum(v for v in found.values() if v is not None), 2)
    return found


async def phase_report(
    bench: Bench,
    plan: PhasePlan,
    sent: list[Sent],
    start: float,
    window: float,
    samples: list[tuple[float, float]],
    end_outstanding: int,
) -> dict[str, Any]:
    settled = bench.watch.settled
    outcomes: Counter[str] = Counter()
    latency: dict[str, list[float]] = {state: [] for state in SETTLED_STATES}
    for s in sent:
        if s.error or not s.booking_id:
            continue
        found = settled.get(s.booking_id)
        if found is None:
            outcomes["UNSETTLED"] += 1
            continue
        outcomes[found.state] += 1
        latency[found.state].append((found.received - s.t0) * 1000)
    ok = [s for s in sent if s.booking_id]
    in_window = [
        settled[s.booking_id]
        for s in ok
        if s.booking_id in settled and settled[s.booking_id].received <= start + window
    ]
    # The sampler runs on through the drain; the slope only looks at the arrival window.
    second_half = [(t, n) for t, n in samples if plan.seconds / 2 <= t <= window]
    growth = slope(second_half)
    keeping_up = len(in_window) >= KEEP_UP_SHARE * len(sent)
    behind = end_outstanding > plan.rate * SLA_P95_MS / 1000 and (
        growth > BEHIND_SLOPE_SHARE * plan.rate or not keeping_up
    )
    confirmed = stats(latency["CONFIRMED"])
    unsettled = outcomes["UNSETTLED"]
    sla_ok = confirmed["p95"] is not None and confirmed["p95"] <= SLA_P95_MS
    errors = Counter(s.error for s in sent if s.error)
    result: dict[str, Any] = {
        "phase": plan.label,
        "offered_rate": plan.rate,
        "seconds": plan.seconds,
        "venues": len({s.venue_id for s in sent}),
        "sent": len(sent),
        "sent_rate": round(len(sent) / window, 2),
        "created": len(ok),
        "create_errors": dict(errors),
        "outcomes": {state: outcomes[state] for state in (*SETTLED_STATES, "UNSETTLED")},
        "confirmed_per_second": round(
            sum(1 for s in in_window if s.state == "CONFIRMED") / window, 2
        ),
        "settled_per_second": round(len(in_window) / window, 2),
        "latency_ms": confirmed,
        "rejected_latency_ms": stats(latency["REJECTED"]),
        "manual_review_latency_ms": stats(latency["MANUAL_REVIEW"]),
        "create_rpc_ms": stats([(s.replied - s.t0) * 1000 for s in ok]),
        "client_send_lag_ms": stats([(s.t0 - s.scheduled) * 1000 for s in sent if s.t0]),
        "reader_lag_ms": stats(
            [
                (settled[s.booking_id].received_wall - settled[s.booking_id].published_wall) * 1000
                for s in ok
                if s.booking_id in settled
            ]
        ),
        "outstanding": {
            "at_end_of_arrivals": end_outstanding,
            "max": int(max((n for t, n in samples if t <= window), default=0)),
            "slope_second_half_per_s": round(growth, 2),
            "series": [(round(t, 1), int(n)) for t, n in samples[:: max(1, len(samples) // 40)]],
        },
        "sla_p95_ok": sla_ok,
        "fell_behind": behind,
        "sustainable": sla_ok and not behind and unsettled == 0 and not errors,
    }
    result["breakdown_ms"], result["committed_latency_ms"] = await breakdown(bench, ok, settled)
    if unsettled:
        result["unsettled_states"] = await current_states(
            bench.engine, [s.booking_id for s in ok if s.booking_id not in settled]
        )
    return result


OUTBOX = text(
    "SELECT aggregate_id, payload->>'to_state', extract(epoch FROM create_time)::float8 "
    "FROM outbox WHERE aggregate_id IN :ids ORDER BY event_id"
).bindparams(bindparam("ids", expanding=True))

# (name, from, to, what): a point is a state's transaction start in PostgreSQL (its outbox
# row's create_time), "+stream" the XADD of its event, t0 and "received" the client's clock.
SEGMENTS = (
    ("create_call", "t0", "CREATED", "t0 -> CreateBooking's transaction (state)"),
    ("relay_created", "CREATED", "CREATED+stream", "created -> its event on the stream (relay)"),
    (
        "assign_confirm",
        "CREATED+stream",
        "CONFIRMED",
        "on the stream -> CONFIRMED (assigner's queue, CheckCapacity, engine, allocation and "
        "attempt, AdvanceBooking)",
    ),
    ("relay_confirmed", "CONFIRMED", "CONFIRMED+stream", "CONFIRMED -> on the stream (relay)"),
    ("read", "CONFIRMED+stream", "received", "on the stream -> received by the bench (XREAD)"),
)


async def breakdown(
    bench: Bench, ok: list[Sent], settled: dict[str, Settled]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Where each CONFIRMED booking's time went, from the outbox rows and the stream's ids.

    An outbox row's create_time is its transaction's start (now()); a stream entry's id holds
    its XADD time (Redis's clock). One machine, one clock.
    """
    confirmed = [
        s for s in ok if s.booking_id in settled and settled[s.booking_id].state == "CONFIRMED"
    ]
    commits: dict[str, dict[str, float]] = {}
    for chunk in range(0, len(confirmed), 500):
        ids = [s.booking_id for s in confirmed[chunk : chunk + 500]]
        async with bench.engine.connect() as db:
            rows = (await db.execute(OUTBOX, {"ids": ids})).tuples().all()
        for booking_id, to_state, created in rows:
            commits.setdefault(booking_id, {}).setdefault(str(to_state), float(created))
    parts: dict[str, list[float]] = {name: [] for name, *_ in SEGMENTS}
    committed: list[float] = []
    for s in confirmed:
        points = {"t0": s.t0_wall, "received": settled[s.booking_id].received_wall}
        points.update(commits.get(s.booking_id, {}))
        published = bench.watch.published.get(s.booking_id, {})
        points.update({f"{state}+stream": at for state, at in published.items()})
        for name, begin, end, _ in SEGMENTS:
            if begin in points and end in points:
                parts[name].append((points[end] - points[begin]) * 1000)
        if "CONFIRMED" in points:
            committed.append((points["CONFIRMED"] - s.t0_wall) * 1000)
    found = {name: {**stats(parts[name]), "what": what} for name, _, _, what in SEGMENTS}
    return found, stats(committed)


async def current_states(engine: AsyncEngine, ids: list[str]) -> dict[str, int]:
    query = text(
        "SELECT state, count(*) FROM bookings WHERE booking_id::text IN :ids GROUP BY state"
    ).bindparams(bindparam("ids", expanding=True))
    async with engine.connect() as db:
        rows = (await db.execute(query, {"ids": ids})).tuples().all()
    return {str(state): int(n) for state, n in rows}


# --- the run -----------------------------------------------------------------------------------


async def redis_pid(redis: Redis) -> int | None:
    with contextlib.suppress(RedisError, KeyError, ValueError):
        info = await redis.info("server")
        pid = int(info["process_id"])
        if cpu_seconds(pid) is not None:  # a local server: its CPU is readable
            return pid
    return None


async def forget_redis_keys(redis: Redis, stream: str, venues: list[str]) -> dict[str, int]:
    """The run's stream, its dead letters, its venues' locks and caches and queued retries."""
    deleted = {"streams": int(await redis.delete(stream, f"{stream}:dead"))}
    venue_keys = 0
    for venue_id in venues:
        async for key in redis.scan_iter(match=f"maitred:{{venue:{venue_id}}}:*", count=1000):
            venue_keys += int(await redis.delete(key))
    deleted["venue_keys"] = venue_keys
    # The retry queue is one sorted set for every venue (services/assigner/adapters/
    # retry_queue.py) and the Redis may be shared: only this run's members go (an empty
    # sorted set is removed by Redis itself).
    ours = set(venues)
    members = [
        member
        async for member, _ in redis.zscan_iter("maitred:assigner:retries")
        if str(member).split("|", 1)[0] in ours
    ]
    deleted["retries"] = (
        int(await redis.zrem("maitred:assigner:retries", *members)) if members else 0
    )
    return deleted


async def measure(
    profile: Profile,
    admin_url: str,
    redis_url: str,
    scratch: Path,
    results: dict[str, Any],
    ramp_only: bool,
) -> None:
    print("migrating a fresh database", flush=True)
    started = time.monotonic()
    name, database_url = await prepare_database(admin_url)
    results["setup_seconds"] = {"database": round(time.monotonic() - started, 1)}
    engine = create_engine(database_url, pool_size=2, application_name="maitred-journey-bench")
    redis = Redis.from_url(redis_url, decode_responses=True)
    run = uuid.uuid4().hex[:8]
    stream = f"maitred:journey-bench:{run}"
    day = datetime.now(UTC).date() + timedelta(days=1)
    floor = make_floor(TABLES, SEED)
    plans = plan_phases(profile, run, day, floor)
    if ramp_only:
        plans = [plans[0], *plans[2:]]
    venues = [v for plan in plans for v in plan.venues]
    try:
        results["backends"].update(await server_versions(engine, redis_url))
        print(f"seeding {len(venues)} venues of {TABLES} tables", flush=True)
        results["setup_seconds"]["seed"] = round(await seed_venues(engine, floor, venues), 1)
        results["setup"] = {
            "service_date": day.isoformat(),
            "tables": TABLES,
            "tables_by_size": dict(sorted(Counter(str(t.max_seats) for t in floor.tables).items())),
            "zones": len(floor.zones),
            "adjacent_pairs": len(floor.adjacency),
            "bookings_per_venue": BOOKINGS_PER_VENUE,
            "stream": stream,
            "observation": "XREAD of the events stream (no consumer group)",
            "arrivals": "Poisson (rate x seconds calls at uniformly random moments), one "
            "asyncio client in the bench process (open loop: a call never waits for another)",
        }
        loop_env = {"MAITRED_EVENT_LOOP": profile.event_loop} if profile.event_loop else None
        results["setup"]["event_loop"] = profile.event_loop or "the services' default"
        secret = secrets.token_urlsafe(36)
        token = mint_token(
            secret,
            subject="journey-bench",
            roles=[Role.OPS],
            venues=["*"],
            ttl_seconds=3600,
            issuer="maitred",
        )
        watch = StreamWatch(redis, stream)
        reader = asyncio.create_task(watch.run())
        started = time.monotonic()
        try:
            async with (
                suite(database_url, redis_url, secret, stream, scratch, loop_env) as services,
                grpc.aio.insecure_channel(services["state"].target) as channel,
            ):
                results["setup_seconds"]["services"] = round(time.monotonic() - started, 1)
                probe = CpuProbe(
                    {n: s.process.pid for n, s in services.items()},
                    await redis_pid(redis),
                    engine,
                    name,
                )
                work = WorkProbe(
                    {n: s.metrics_url for n, s in services.items()}, engine, name, redis
                )
                bench = Bench(
                    rpc.BookingServiceStub(channel),
                    (("authorization", f"Bearer {token}"),),
                    watch,
                    engine,
                    probe,
                    profile,
                    redis,
                    stream,
                    work,
                )
                await phases(bench, plans, results)
                results["stream_entries_read"] = watch.entries
                results["stream_read_errors"] = watch.errors
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            results["service_logs"] = {n: log_summary(scratch / f"{n}.log") for n in SERVICE_NAMES}
    finally:
        with contextlib.suppress(RedisError, OSError):
            results["cleanup"] = await forget_redis_keys(redis, stream, venues)
        await redis.aclose()
        await engine.dispose()
        await drop_database(admin_url, name)


async def phases(bench: Bench, plans: list[PhasePlan], results: dict[str, Any]) -> None:
    for plan in plans:
        found = await run_phase(bench, plan)
        print(
            f"    p50 {found['latency_ms']['p50']} ms, p95 {found['latency_ms']['p95']} ms, "
            f"{found['outcomes']}, errors {found['create_errors'] or 0}, "
            f"outstanding at end {found['outstanding']['at_end_of_arrivals']}",
            flush=True,
        )
        if plan.key in ("w", "s"):
            results["warmup" if plan.key == "w" else "steady"] = found
            continue
        results.setdefault("ramp", []).append(found)
        if not found["sustainable"]:
            break
    judged = [results["steady"]] if "steady" in results else []
    sustained = [
        step["offered_rate"] for step in judged + results.get("ramp", []) if step["sustainable"]
    ]
    results["highest_sustainable_rate"] = max(sustained) if sustained else None


def code_version() -> dict[str, Any]:
    """The commit measured, and whether services/ or shared/ differ from it."""

    def git(*args: str) -> str:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
            )
            return done.stdout.strip()
        return ""

    changed = git("status", "--porcelain", "--", "services", "shared").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD") or "unknown", "uncommitted": changed}


async def run(profile: Profile, keep_logs: bool, ramp_only: bool) -> dict[str, Any]:
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="maitred-journey-"))
    results: dict[str, Any] = {
        "mode": profile.name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "code": code_version(),
        "profile": {
            "warmup": [WARMUP_RATE, profile.warmup_seconds],
            "steady": [profile.steady_rate, profile.steady_seconds],
            "ramp_rates": list(profile.ramp_rates),
            "step_seconds": profile.step_seconds,
            "drain_seconds": profile.drain_seconds,
            "sla_p95_ms": SLA_P95_MS,
        },
    }
    try:
        print("measuring the bare gRPC echo ceiling", flush=True)
        results["echo"] = await echo_ceiling()
        async with backends(scratch) as (admin_url, _, kinds):
            # A Redis of its own, so that its command counts are the suite's alone.
            redis_server = await asyncio.to_thread(start_redis, scratch / "redis")
            try:
                results["backends"] = dict(kinds) | {"redis": "private, started by the bench"}
                await measure(profile, admin_url, redis_server.url, scratch, results, ramp_only)
            finally:
                await asyncio.to_thread(redis_server.stop)
    finally:
        if keep_logs:
            results["logs"] = str(scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    results["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    # The services load their code when they start; a commit meanwhile would not show, but a
    # change of HEAD during the run is worth knowing about.
    results["code"]["commit_at_end"] = code_version()["commit"]
    results["run_seconds"] = round(time.monotonic() - started, 1)
    return results


# --- the report --------------------------------------------------------------------------------


def cell(value: Any) -> str:
    return "-" if value is None else str(value)


def phase_rows(found: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| run | offered /s | sent (/s) | CONFIRMED /s | p50 | p95 | p99 | max | CONFIRMED "
        "| REJECTED | MANUAL_REVIEW | unsettled | errors | outstanding end, max (slope /s) "
        "| assigner queue max | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
        "| --- | --- |",
    ]
    for f in found:
        lat, out, o = f["latency_ms"], f["outstanding"], f["outcomes"]
        verdict = (
            "ok"
            if f["sustainable"]
            else ", ".join(
                reason
                for reason, bad in (
                    ("p95 > 3 s", not f["sla_p95_ok"]),
                    ("fell behind", f["fell_behind"]),
                    ("unsettled", o["UNSETTLED"] > 0),
                    ("errors", bool(f["create_errors"])),
                )
                if bad
            )
        )
        errors = ", ".join(f"{k} {v}" for k, v in f["create_errors"].items()) or "0"
        rows.append(
            f"| {f['phase']} | {f['offered_rate']:g} | {f['sent']} ({f['sent_rate']}) "
            f"| {f['confirmed_per_second']} | {cell(lat['p50'])} | {cell(lat['p95'])} "
            f"| {cell(lat['p99'])} | {cell(lat['max'])} | {o['CONFIRMED']} | {o['REJECTED']} "
            f"| {o['MANUAL_REVIEW']} | {o['UNSETTLED']} | {errors} "
            f"| {out['at_end_of_arrivals']}, {out['max']} ({out['slope_second_half_per_s']}) "
            f"| {cell(f['assigner_backlog']['max_lag'])} "
            f"| {'not judged' if f['phase'] == 'warm-up' else verdict} |"
        )
    return rows


def cpu_rows(found: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| run | state | availability | assigner | PostgreSQL (state / availability / assigner "
        "/ other) | Redis | bench client | machine busy | rest of machine | client loop lag (ms) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in found:
        c = f["cpu"]
        pg = c["postgres"]
        rows.append(
            f"| {f['phase']} | {cell(c['state'])} | {cell(c['availability'])} "
            f"| {cell(c['assigner'])} | {c['postgres_total']} ({pg.get('state', 0)} / "
            f"{pg.get('availability', 0)} / {pg.get('assigner', 0)} / {pg.get('other', 0)}) "
            f"| {cell(c['redis_server'])} | {cell(c['bench_client'])} | {c['machine_busy']} "
            f"| {c['rest_of_machine']} | {f['client_max_loop_lag_ms']} |"
        )
    return rows


def breakdown_rows(found: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| run | " + " | ".join(name for name, *_ in SEGMENTS) + " | committed | observed |",
        "| --- " * (len(SEGMENTS) + 3) + "|",
    ]
    for f in found:
        b = f["breakdown_ms"]
        parts = [f"{cell(b[name]['p50'])} / {cell(b[name]['p95'])}" for name, *_ in SEGMENTS]
        committed, observed = f["committed_latency_ms"], f["latency_ms"]
        rows.append(
            f"| {f['phase']} | "
            + " | ".join(parts)
            + f" | {cell(committed['p50'])} / {cell(committed['p95'])}"
            f" | {cell(observed['p50'])} / {cell(observed['p95'])} |"
        )
    return rows


def headline(results: dict[str, Any], rate: float | None) -> list[str]:
    """The echo ceiling, the best rate's share of it, and the steady run's work and CPU."""
    echo = results.get("echo", {}).get("calls_per_second")
    lines = [
        f"- Bare grpc.aio echo ceiling: {cell(echo)} calls/s (one process serving, "
        f"{results.get('echo', {}).get('concurrency')} concurrent calls from the bench)."
    ]
    if rate and echo:
        lines.append(f"- Highest sustained booking rate as a share of it: {rate / echo:.1%}.")
    steady = results.get("steady")
    if steady and "work_per_booking" in steady:
        w, c = steady["work_per_booking"], steady["cpu_ms_per_booking"]
        lines.append(
            f"- Steady run, per booking: {w['grpc_calls']} gRPC calls, {w['pg_transactions']} "
            f"PostgreSQL transactions, {w['stream_events']} stream events, "
            f"{w['redis_commands']} Redis commands, {c['total']} ms of CPU in all processes."
        )
    return lines


def per_booking_cpu_rows(found: list[dict[str, Any]]) -> list[str]:
    names = (*SERVICE_NAMES, "postgres", "redis", "total")
    rows = ["| run | " + " | ".join(names) + " |", "| --- " * (len(names) + 1) + "|"]
    for f in found:
        c = f.get("cpu_ms_per_booking", {})
        rows.append(f"| {f['phase']} | " + " | ".join(cell(c.get(n)) for n in names) + " |")
    return rows


def work_rows(found: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| run | bookings | gRPC calls | PostgreSQL transactions (relay's) | stream events "
        "| Redis commands | gRPC by method | Redis by command |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in found:
        w = f.get("work_per_booking")
        if w is None:
            continue
        methods = ", ".join(f"{m.split('/')[-1]} {v}" for m, v in w["grpc_calls_by_method"].items())
        commands = ", ".join(f"{n} {v}" for n, v in w["redis_commands_by_name"].items())
        rows.append(
            f"| {f['phase']} | {w['bookings']} | {w['grpc_calls']} | {w['pg_transactions']} "
            f"({w.get('relay_transactions', '-')}) "
            f"| {w['stream_events']} | {w['redis_commands']} | {methods} | {commands} |"
        )
    return rows


def render(results: dict[str, Any]) -> str:
    m, b, setup = results["machine"], results["backends"], results.get("setup", {})
    code = results["code"]
    found = [results[k] for k in ("warmup", "steady") if k in results] + results.get("ramp", [])
    rate = results.get("highest_sustainable_rate")
    lines = [
        "# Booking journey benchmark (CreateBooking -> CONFIRMED)",
        "",
        f"{results['date']}, {results['mode']} run, {results['run_seconds']} s. Machine: "
        f"{m['nproc']} x {m['cpu_model']}, {m['memory_gib']} GiB, {m['platform']}; Python "
        f"{m['python']}. PostgreSQL {b.get('postgres_version')} ({b['postgres']}), Redis "
        f"{b.get('redis_version')} ({b['redis']}). Services, PostgreSQL, Redis and the client "
        f"share the machine; load average at the start {m['load_average_at_start']}, at the "
        f"end {results.get('load_average_at_end')}.",
        "",
        f"Code: commit {code['commit']}"
        + (
            f" (HEAD moved to {code['commit_at_end']} during the run)"
            if code.get("commit_at_end", code["commit"]) != code["commit"]
            else ""
        )
        + (
            f"; uncommitted in services/ or shared/: {', '.join(code['uncommitted'])}"
            if code["uncommitted"]
            else "; services/ and shared/ as committed"
        )
        + ".",
        "",
        f"Suite: state, availability and one assigner, each `python -m services.<name>.main`, "
        f"log level WARNING, event loop: {setup.get('event_loop', 'their default')}, events "
        f"stream `{setup.get('stream')}` of their own. Venues: "
        f"identical {setup.get('tables')}-table floors {setup.get('tables_by_size')} "
        f"(by max seats, {setup.get('zones')} zones, {setup.get('adjacent_pairs')} adjacent "
        f"pairs), policy auto_confirm, no pacing, no bookings; each venue takes "
        f"{setup.get('bookings_per_venue')} bookings (a generated day's first, in booking "
        f"order: party mix and lunch/dinner times of bench/day_generator.py, for "
        f"{setup.get('service_date')}, UTC), then the next venue. Arrivals: "
        f"{setup.get('arrivals')}. Completion: {setup.get('observation')}; latency from just "
        "before CreateBooking to the receipt of the booking's CONFIRMED (REJECTED, "
        "MANUAL_REVIEW) event.",
        "",
        f"**Highest sustainable rate: {cell(rate)} bookings/s** (p95 <= "
        f"{SLA_P95_MS / 1000:g} s, outstanding not growing, everything settled within the "
        "drain, no errors).",
        "",
        *headline(results, rate),
        "",
        "## Runs (latency of CONFIRMED bookings, ms)",
        "",
        *phase_rows(found),
        "",
        "CONFIRMED /s: confirmations received during the arrival window over its length. "
        "Outstanding: calls in flight plus created bookings not yet settled, sampled every "
        f"{SAMPLE_SECONDS} s; slope over the second half of the window. Fell behind: more "
        "than rate x 3 s outstanding at the end (Little's law at the SLA) and either a slope "
        f"above {BEHIND_SLOPE_SHARE:g} x rate or fewer than {KEEP_UP_SHARE:.0%} of the sent "
        "bookings settled within the window. Assigner queue: the largest lag of its consumer "
        "group (stream entries not yet delivered, XINFO GROUPS), sampled with outstanding. "
        "After each window the run waits (drain) up to "
        f"{results['profile']['drain_seconds']:g} s for the rest to settle. The warm-up is "
        "not judged.",
        "",
        "## CPU during the arrival window (cores: 1.0 = one core busy)",
        "",
        *cpu_rows(found),
        "",
        "From /proc/<pid>/stat (utime + stime) before and after each window; PostgreSQL: "
        "the backends of the run's database by application_name (other: the availability "
        "change feed's LISTEN connection); Redis: the server process (shared with anything "
        "else using it); machine busy: /proc/stat, the share of all cores busy with any "
        "process; rest of machine: the cores busy outside the processes listed (other work "
        "on a shared machine). Client loop lag: the worst delay of a 10 ms timer in the bench "
        "process (it kept up when small).",
        "",
        "## CPU per booking (ms, the arrival window's CPU over the bookings sent in it)",
        "",
        *per_booking_cpu_rows(found),
        "",
        "## Work per booking (from the arrival window's start to the end of its drain)",
        "",
        *work_rows(found),
        "",
        "gRPC calls: calls served by state, availability and the assigner (their "
        "`maitred_rpc_duration_seconds_count`), CreateBooking included; PostgreSQL "
        "transactions: `pg_stat_database` of the run's database (the relay's, feeds' and "
        "sweepers' included; in brackets the outbox relay's, its batches: "
        "`maitred_outbox_batches_total`); Redis commands: `INFO commandstats` of the bench's "
        "private Redis, less the bench's own XREAD, XINFO and INFO; stream events: the XADDs "
        "among them. Per booking created in the phase.",
        "",
        "## Where the time goes (p50 / p95, ms, CONFIRMED bookings)",
        "",
        *breakdown_rows(found),
        "",
        *[f"- {name}: {what}" for name, _, _, what in SEGMENTS],
        "- committed: t0 -> the CONFIRMED transaction in PostgreSQL (what GetBooking polling "
        "could see at best); observed: t0 -> receipt on the stream (the measured latency).",
        "",
        "Points: a state's transaction start in PostgreSQL (the outbox row's create_time, "
        "now()), an event's XADD time (its stream entry id), the client's time.time(); one "
        "machine, one clock. The assigner drives a booking from CREATED to CONFIRMED in one "
        "go when it handles the booking.created event: CheckCapacity, the tables written "
        "while the booking is still CREATED, then one AdvanceBooking that records every step "
        "to CONFIRMED (a history row each); the one event it publishes is the assigner's own "
        "change, acknowledged without a lock or a read.",
        "",
    ]
    logs = results.get("service_logs", {})
    if logs:
        lines += ["## Service logs (WARNING and up)", ""]
        for service, summary in logs.items():
            top = "; ".join(f"{t['count']} x {t['message']}" for t in summary["top"]) or "empty"
            lines.append(f"- {service}: {summary['lines']} lines {summary['levels']}: {top}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter steady run and steps")
    parser.add_argument("--ramp", help="comma-separated ramp rates (per second), e.g. 5,10,20")
    parser.add_argument("--ramp-only", action="store_true", help="skip the steady run")
    parser.add_argument("--steady", type=float, help="the steady run's rate (per second)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the services' logs")
    parser.add_argument(
        "--event-loop",
        choices=("uvloop", "asyncio"),
        help="the services' MAITRED_EVENT_LOOP (default: theirs)",
    )
    args = parser.parse_args(argv)
    profile = QUICK if args.quick else FULL
    if args.ramp:
        rates = tuple(float(r) for r in args.ramp.split(","))
        profile = dataclasses.replace(
            profile, name=f"{profile.name} (custom ramp)", ramp_rates=rates
        )
    if args.steady:
        profile = dataclasses.replace(profile, steady_rate=args.steady)
    if args.event_loop:
        profile = dataclasses.replace(profile, event_loop=args.event_loop)
    results = asyncio.run(
        asyncio.wait_for(run(profile, args.keep_logs, args.ramp_only), profile.run_timeout_seconds)
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "journey.json").write_text(json.dumps(results, indent=2) + "\n")
    report = render(results)
    (RESULTS / "journey.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
