"""E2E tier: the state service as a real process, reached only through server reflection."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_requests import Client
from sqlalchemy.ext.asyncio import AsyncEngine

from services.availability.adapters.demo_venue import DEMO_VENUE_ID, seed_demo_venue
from shared.auth import Role, mint_token
from shared.dev_servers import drop_database, ensure_database, url_with_database

REPO = Path(__file__).resolve().parents[2]
AVAILABILITY_SERVICE = "maitred.availability.v1.AvailabilityService"
BOOKING_SERVICE = "maitred.state.v1.BookingService"
HEALTH = "grpc.health.v1.Health"
GRACE_SECONDS = 5.0
STARTUP_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def reflection_client(target: str, *, lazy: bool = False) -> Client:
    """A grpcurl-like client: a fresh descriptor pool, so every type comes from reflection."""
    return Client(target, descriptor_pool=DescriptorPool(), lazy=lazy)


def bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def answers_serving(target: str) -> bool:
    client = reflection_client(target, lazy=True)
    try:
        reply = client.request(HEALTH, "Check", {}, timeout=1)
    except grpc.RpcError:
        return False
    finally:
        client.channel.close()
    return bool(reply.get("status") == "SERVING")


@dataclass
class StateProcess:
    """A running `python -m services.state.main` and where to reach it."""

    process: subprocess.Popen[bytes]
    target: str
    log_path: Path

    def log_tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"state exited with {self.process.returncode}:\n{self.log_tail()}")
            if answers_serving(self.target):
                return
            time.sleep(0.2)
        pytest.fail(f"state not SERVING after {STARTUP_SECONDS} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(GRACE_SECONDS + 5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_state_process(database_url: str, secret: str, log_dir: Path) -> StateProcess:
    port = free_port()
    log_path = log_dir / f"state-{port}.log"
    # No REDIS_URL: this state process shares the session database, and its outbox relay
    # would race the relays other tests start on purpose.
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
        "DATABASE_URL": database_url,
        "MAITRED_JWT_SECRET": secret,
        "MAITRED_STATE_PORT": str(port),
        "MAITRED_HOST": "127.0.0.1",
        "MAITRED_GRACE_PERIOD_SECONDS": str(GRACE_SECONDS),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.state.main"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return StateProcess(process=process, target=f"127.0.0.1:{port}", log_path=log_path)


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture(scope="session")
def ops_token(jwt_secret: str) -> str:
    return mint_token(
        jwt_secret,
        subject="e2e",
        roles=[Role.OPS],
        venues=[DEMO_VENUE_ID],
        ttl_seconds=3600,
        issuer="maitred",
    )


@pytest.fixture(scope="session")
async def demo_database_url(database_url: str, engine: AsyncEngine) -> str:
    """The session database with Demo Bistro seeded."""
    await seed_demo_venue(engine)
    return database_url


@pytest.fixture
async def fresh_database_url(postgres_admin_url: str) -> AsyncIterator[str]:
    """An empty database of its own (not migrated), dropped afterwards."""
    name = f"maitred_e2e_{uuid.uuid4().hex[:12]}"
    await ensure_database(postgres_admin_url, name)
    try:
        yield url_with_database(postgres_admin_url, name)
    finally:
        await drop_database(postgres_admin_url, name)


@pytest.fixture
def start_state(
    demo_database_url: str, jwt_secret: str, tmp_path: Path
) -> Iterator[Callable[[], StateProcess]]:
    """Starts state processes of its own for a test (stopped afterwards); returns the starter."""
    started: list[StateProcess] = []

    def start() -> StateProcess:
        running = start_state_process(demo_database_url, jwt_secret, tmp_path)
        started.append(running)
        running.wait_until_serving()
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture(scope="session")
def state(
    demo_database_url: str, jwt_secret: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StateProcess]:
    """One state process shared by the tests that only call it."""
    running = start_state_process(demo_database_url, jwt_secret, tmp_path_factory.mktemp("state"))
    try:
        running.wait_until_serving()
        yield running
    finally:
        running.stop()


@pytest.fixture
def client(state: StateProcess) -> Iterator[Client]:
    reflected = reflection_client(state.target)
    yield reflected
    reflected.channel.close()
