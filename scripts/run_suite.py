"""Runs the whole suite locally: stores, schema, demo venue, every service, and commands to try."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pydantic import Field, SecretStr
from suite_examples import (
    assigner_examples,
    availability_examples,
    console_line,
    examples,
    http_examples,
    optimizer_examples,
)

from services.assigner.settings import AssignerSettings
from services.availability.adapters.demo_venue import DEMO_VENUE_ID, seed_demo_venue
from services.availability.settings import AvailabilitySettings
from services.gateway.settings import GatewaySettings
from services.optimizer.settings import OptimizerSettings
from services.state.settings import StateSettings
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.db.migrate import upgrade_to_head
from shared.dev_servers import start_postgres, start_redis
from shared.settings import MaitredSettings

REPO = Path(__file__).resolve().parent.parent


# The services' own descriptions of their ports: one meaning, one line in README's table.
PORTS = {
    name: settings.model_fields[f"{name}_port"].description
    for name, settings in (
        ("state", StateSettings),
        ("availability", AvailabilitySettings),
        ("assigner", AssignerSettings),
        ("optimizer", OptimizerSettings),
        ("gateway", GatewaySettings),
    )
}


class RunSettings(MaitredSettings):
    """What `make run` reads: its folder, the stores and secret to use, each service's port."""

    run_dir: Path = Field(
        default=REPO / ".maitred",
        description="(`make run`) folder of the embedded stores, the logs and the generated secret",
    )
    database_url: str = Field(default="", description="(`make run`) unset: an embedded server")
    redis_url: str = Field(default="", description="(`make run`) unset: an embedded server")
    jwt_secret: SecretStr = Field(
        default=SecretStr(""),
        description="(`make run`) unset: one generated into `.maitred/jwt_secret`",
    )
    jwt_issuer: str = Field(default="maitred", description="expected token issuer")
    state_port: int = Field(default=50051, description=PORTS["state"])
    availability_port: int = Field(default=50053, description=PORTS["availability"])
    assigner_port: int = Field(default=50052, description=PORTS["assigner"])
    optimizer_port: int = Field(default=50054, description=PORTS["optimizer"])
    gateway_port: int = Field(default=8080, description=PORTS["gateway"])


SETTINGS = RunSettings()
RUN_DIR = SETTINGS.run_dir
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0  # the services' default grace period (10 s) plus a margin
TOKEN_TTL_SECONDS = 12 * 3600
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
Child = subprocess.Popen[bytes]


@dataclass(frozen=True)
class Service:
    """A service of the suite: its folder under services/, whose port is `<name>_port`."""

    name: str
    http: bool = False  # reports ready on GET /readyz instead of grpc.health.v1

    def exists(self) -> bool:
        return (REPO / "services" / self.name / "main.py").is_file()

    def port(self) -> int:
        return int(getattr(SETTINGS, f"{self.name}_port"))

    @property
    def port_variable(self) -> str:
        return f"MAITRED_{self.name.upper()}_PORT"

    def log_path(self) -> Path:
        return RUN_DIR / "logs" / f"{self.name}.log"

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_path().read_text(errors="replace").splitlines()[-lines:])


STATE = Service("state")
AVAILABILITY = Service("availability")
ASSIGNER = Service("assigner")
OPTIMIZER = Service("optimizer")
GATEWAY = Service("gateway", http=True)
SERVICES = (STATE, AVAILABILITY, ASSIGNER, OPTIMIZER, GATEWAY)


class Stop(Exception):
    """Raised in the main thread by SIGINT or SIGTERM: unwind and shut everything down."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    _ignore_stop_signals()
    raise Stop(signal.Signals(signum).name)


def _ignore_stop_signals() -> None:
    # A second signal while the children drain must not cut the clean-up short.
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def open_stores(stack: ExitStack) -> tuple[str, str]:
    """DATABASE_URL and REDIS_URL when set, else embedded servers stopped when `stack` closes."""
    urls = []
    for url, name, start in (
        (SETTINGS.database_url, "postgres", start_postgres),
        (SETTINGS.redis_url, "redis", start_redis),
    ):
        if not url:
            print(f"starting embedded {name} in {RUN_DIR / name} ...")
            server = start(RUN_DIR / name)
            stack.callback(server.stop)
            url = server.url
        urls.append(url)
    return urls[0], urls[1]


def prepare_database(database_url: str) -> None:
    upgrade_to_head(database_url)

    async def seed() -> None:
        engine = create_engine(database_url, pool_size=1)
        try:
            await seed_demo_venue(engine)
        finally:
            await engine.dispose()

    asyncio.run(seed())


def jwt_secret() -> str:
    """MAITRED_JWT_SECRET, else a random secret kept (0600) in the run folder across restarts."""
    if secret := SETTINGS.jwt_secret.get_secret_value():
        return secret
    path = RUN_DIR / "jwt_secret"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def start_service(service: Service, env: dict[str, str], stack: ExitStack) -> Child:
    log: IO[bytes] = stack.enter_context(service.log_path().open("wb"))
    child = subprocess.Popen(
        [sys.executable, "-m", f"services.{service.name}.main"],
        cwd=REPO,
        env=env | {service.port_variable: str(service.port())},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches only us; we stop the children in order.
    )
    stack.callback(stop_child, service, child)
    return child


def stop_child(service: Service, child: Child) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            print(f"{service.name} did not stop in {STOP_TIMEOUT_SECONDS:.0f} s: killing it")
            child.kill()
            child.wait()
    print(f"{service.name} stopped (exit code {child.returncode})")


def wait_until_serving(service: Service, child: Child) -> None:
    """Poll the service's health until it answers SERVING; fail fast if the child exits."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    answers = http_ready if service.http else grpc_serving
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"{service.name} exited with code {child.returncode}")
        if answers(service.port()):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{service.name} not SERVING after {STARTUP_TIMEOUT_SECONDS:.0f} s")


def grpc_serving(port: int) -> bool:
    with grpc.insecure_channel(f"localhost:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=1
            )
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def http_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://localhost:{port}/readyz", timeout=1) as reply:
            return bool(reply.status == 200)
    except OSError:  # refused while starting, or 503 (HTTPError) until every service answers
        return False


def run(stack: ExitStack) -> int:
    (RUN_DIR / "logs").mkdir(parents=True, exist_ok=True)
    database_url, redis_url = open_stores(stack)
    print("migrating and seeding the demo venue ...")
    prepare_database(database_url)
    secret = jwt_secret()
    # The children inherit this environment (their settings read it), with what the suite chose.
    env = os.environ | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MAITRED_JWT_SECRET": secret,
        "MAITRED_STATE_ADDRESS": f"localhost:{STATE.port()}",
        "MAITRED_AVAILABILITY_ADDRESS": f"localhost:{AVAILABILITY.port()}",
        "MAITRED_ASSIGNER_ADDRESS": f"localhost:{ASSIGNER.port()}",
        "MAITRED_OPTIMIZER_ADDRESS": f"localhost:{OPTIMIZER.port()}",
        # Development only: the console's page may mint tokens (the k8s manifests never set it).
        "MAITRED_GATEWAY_DEV_LOGIN": "true",
    }
    children = {}
    for service in (service for service in SERVICES if service.exists()):
        children[service] = child = start_service(service, env, stack)
        try:
            wait_until_serving(service, child)
        except RuntimeError as error:
            return fail(str(error), service)
        where = f"localhost:{service.port()} (pid {child.pid}), log {service.log_path()}"
        print(f"{service.name}: SERVING on {where}")
    token = mint_token(
        secret,
        subject="run-suite",
        roles=[Role.OPS],
        venues=[DEMO_VENUE_ID],
        ttl_seconds=TOKEN_TTL_SECONDS,
        issuer=SETTINGS.jwt_issuer,
    )
    given = bool(SETTINGS.jwt_secret.get_secret_value())
    print(examples(STATE.port(), token, given, RUN_DIR))
    if AVAILABILITY in children:
        print(availability_examples(AVAILABILITY.port(), token))
    if ASSIGNER in children:
        print(assigner_examples(ASSIGNER.port(), token))
    if OPTIMIZER in children:
        print(optimizer_examples(OPTIMIZER.port(), token))
    if GATEWAY in children:
        print(http_examples(GATEWAY.port(), token))
        print(console_line(GATEWAY.port(), token))
    print("maitred is running; Ctrl-C stops it.")
    return watch(children)


def watch(children: dict[Service, Child]) -> int:
    """Wait for Ctrl-C or SIGTERM (raised as Stop); a child that dies on its own stops the suite."""
    while True:
        for service, child in children.items():
            if child.poll() is not None:
                return fail(f"{service.name} exited with code {child.returncode}", service)
        time.sleep(0.5)


def fail(problem: str, service: Service) -> int:
    print(f"error: {problem}; the end of {service.log_path()}:", file=sys.stderr)
    print(service.log_tail(), file=sys.stderr)
    return 1


def main() -> int:
    # Each line reaches a pipe (CI, a test, `| tee`) as soon as it is printed.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    for signum in STOP_SIGNALS:
        signal.signal(signum, _raise_stop)
    with ExitStack() as stack:
        try:
            return run(stack)
        except Stop as stop:
            print(f"\n{stop.args[0]} received: stopping ...")
            return 0
        finally:
            _ignore_stop_signals()


if __name__ == "__main__":
    sys.exit(main())
