"""The suite's services as real processes for e2e tests: start, health-wait, kill, restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, STARTUP_SECONDS, answers_serving, free_port

PORT_VARIABLES = {
    "state": "MAITRED_STATE_PORT",
    "availability": "MAITRED_AVAILABILITY_PORT",
    "assigner": "MAITRED_ASSIGNER_PORT",
    "optimizer": "MAITRED_OPTIMIZER_PORT",
    "gateway": "MAITRED_GATEWAY_PORT",
}


def answers_ready_over_http(port: int) -> bool:
    """True when an HTTP server's `/readyz` answers 200 (the gateway: every service SERVING)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as reply:
            return bool(reply.status == 200)
    except urllib.error.HTTPError as error:
        error.close()
        return False
    except OSError:
        return False


@dataclass
class ServiceProcess:
    """One `python -m services.<name>.main`, restartable on the same port.

    Ready when gRPC health says SERVING, or, with `http_ready` (the gateway, not a gRPC
    server), when its `/readyz` answers 200.
    """

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    http_ready: bool = False

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"services.{self.name}.main"],
                cwd=REPO,
                env=self.env | {PORT_VARIABLES[self.name]: str(self.port)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited {self.process.returncode}:\n{self.log_tail()}")
            if self.ready():
                return
            time.sleep(0.2)
        pytest.fail(f"{self.name} not SERVING after {STARTUP_SECONDS} s:\n{self.log_tail()}")

    def ready(self) -> bool:
        if self.http_ready:
            return answers_ready_over_http(self.port)
        return answers_serving(self.target)

    def kill(self) -> None:
        """SIGKILL: no drain, no clean-up, as a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def pause(self) -> None:
        """SIGSTOP: the process keeps its sockets but answers nothing, as a stalled dependency."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after `pause()`: the calls queued meanwhile are served, late."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Suite:
    """State, availability, assigners, the optimizer, the gateway if asked: one database, Redis."""

    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def stop(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()


def start_suite(
    database_url: str,
    redis_url: str,
    secret: str,
    log_dir: Path,
    *,
    assigners: int = 1,
    extra_env: dict[str, str] | None = None,
    gateway: bool = False,
) -> Suite:
    """Start the services in order, each ready before the next; the gateway last, if asked."""
    names = ["state", "availability"] + [f"assigner-{i}" for i in range(assigners)] + ["optimizer"]
    names += ["gateway"] if gateway else []
    ports = {name: free_port() for name in names}
    env = os.environ | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MAITRED_JWT_SECRET": secret,
        "MAITRED_HOST": "127.0.0.1",
        "MAITRED_GRACE_PERIOD_SECONDS": "5",
        "MAITRED_STATE_ADDRESS": f"127.0.0.1:{ports['state']}",
        "MAITRED_AVAILABILITY_ADDRESS": f"127.0.0.1:{ports['availability']}",
        "MAITRED_ASSIGNER_ADDRESS": f"127.0.0.1:{ports['assigner-0']}",
        "MAITRED_OPTIMIZER_ADDRESS": f"127.0.0.1:{ports['optimizer']}",
        "MAITRED_OPTIMIZER_SCHEDULER": "false",
        **(extra_env or {}),
    }
    suite = Suite()
    try:
        for name in names:
            module = name.split("-")[0]
            service = ServiceProcess(
                module, ports[name], env | {"MAITRED_CONSUMER_NAME": name}, log_dir / f"{name}.log",
                http_ready=name == "gateway",
            )  # fmt: skip
            suite.services[name] = service
            service.start()
    except BaseException:
        suite.stop()
        raise
    return suite
