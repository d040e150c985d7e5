"""The state service and `make run` as real processes, called the way grpcurl calls them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import grpc
import pytest
from google.protobuf.json_format import MessageToDict
from grpc_requests import Client

from services.availability.adapters.demo_venue import DEMO_VENUE_ID, demo_start_time
from shared.auth import Role, mint_token
from tests.e2e.conftest import (
    AVAILABILITY_SERVICE,
    BOOKING_SERVICE,
    GRACE_SECONDS,
    HEALTH,
    REPO,
    StateProcess,
    bearer,
    free_port,
    reflection_client,
)

REFLECTION = "grpc.reflection.v1alpha.ServerReflection"
RUN_SUITE_READY = "maitred is running"
RUN_SUITE_STARTUP_SECONDS = 60.0


def rfc3339(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_reflection_lists_the_booking_service_health_and_reflection(client: Client) -> None:
    assert {BOOKING_SERVICE, HEALTH, REFLECTION} <= set(client.service_names)


def test_describing_the_booking_service_shows_its_methods_and_their_messages(
    client: Client,
) -> None:
    methods = {
        method.name: method for method in client.get_service_descriptor(BOOKING_SERVICE).methods
    }

    assert {
        "CreateBooking", "GetBooking", "ListBookings", "ListBookingHistory", "GetTransitionMatrix",
        "VerifyCapacity", "ConfirmBooking", "CancelBooking", "ResolveManualReview",
    } <= methods.keys()  # fmt: skip
    assert methods["CreateBooking"].input_type.full_name == "maitred.state.v1.CreateBookingRequest"
    assert {"venue_id", "booking", "request_id"} <= {
        field.name for field in methods["CreateBooking"].input_type.fields
    }


def test_a_health_check_answers_serving_for_the_server_and_the_booking_service(
    client: Client,
) -> None:
    assert client.request(HEALTH, "Check", {}, timeout=5) == {"status": "SERVING"}
    assert client.request(HEALTH, "Check", {"service": BOOKING_SERVICE}, timeout=5) == {
        "status": "SERVING"
    }


def test_a_booking_created_through_reflection_reads_back_with_one_created_history_entry(
    client: Client, ops_token: str
) -> None:
    start_time = rfc3339(demo_start_time(datetime.now(UTC)))
    request = {
        "venue_id": DEMO_VENUE_ID,
        "request_id": f"e2e-{uuid.uuid4().hex}",
        "booking": {"party_size": 4, "start_time": start_time},
    }
    created = client.request(
        BOOKING_SERVICE, "CreateBooking", request, metadata=bearer(ops_token), timeout=10
    )["booking"]
    key = {"venue_id": DEMO_VENUE_ID, "booking_id": created["booking_id"]}
    fetched = client.request(
        BOOKING_SERVICE, "GetBooking", key, metadata=bearer(ops_token), timeout=10
    )["booking"]
    history = client.request(
        BOOKING_SERVICE, "ListBookingHistory", key, metadata=bearer(ops_token), timeout=10
    )["changes"]

    assert created["state"] == "BOOKING_STATE_CREATED"
    assert (created["party_size"], created["start_time"]) == (4, start_time)
    assert fetched == created
    assert [change["to_state"] for change in history] == ["BOOKING_STATE_CREATED"]
    assert history[0]["actor"] == "e2e"


def test_the_transition_matrix_is_served_to_a_caller_with_a_token(
    client: Client, ops_token: str
) -> None:
    matrix = client.request(
        BOOKING_SERVICE, "GetTransitionMatrix", {}, metadata=bearer(ops_token), timeout=10
    )

    moves = {(move["from_state"], move["to_state"]): move["rpc"] for move in matrix["transitions"]}

    assert moves[("BOOKING_STATE_CREATED", "BOOKING_STATE_CAPACITY_VERIFIED")] == "VerifyCapacity"
    assert moves[("BOOKING_STATE_CONFIRMED", "BOOKING_STATE_SEATED")] == "SeatBooking"


def test_a_call_without_a_token_is_unauthenticated(client: Client) -> None:
    with pytest.raises(grpc.RpcError) as failure:
        client.request(BOOKING_SERVICE, "GetTransitionMatrix", {}, timeout=10)

    assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_token_signed_with_another_secret_is_unauthenticated(client: Client) -> None:
    forged = mint_token(
        "another-secret-of-at-least-thirty-two-chars",
        subject="e2e",
        roles=[Role.OPS],
        venues=["*"],
        ttl_seconds=60,
        issuer="maitred",
    )
    with pytest.raises(grpc.RpcError) as failure:
        client.request(
            BOOKING_SERVICE, "GetTransitionMatrix", {}, metadata=bearer(forged), timeout=10
        )

    assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_after_sigterm_health_turns_not_serving_and_the_process_exits_zero_within_the_grace(
    start_state: Callable[[], StateProcess],
) -> None:
    running = start_state()
    client = reflection_client(running.target)
    watch = client.request(HEALTH, "Watch", {}, raw_output=True, timeout=3 * GRACE_SECONDS)
    try:
        assert MessageToDict(next(watch)) == {"status": "SERVING"}
        running.process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        assert MessageToDict(next(watch)) == {"status": "NOT_SERVING"}
    finally:
        # An open watch is an in-flight call the server would wait for until the grace ends.
        watch.cancel()
        client.channel.close()

    assert running.process.wait(GRACE_SECONDS) == 0
    assert time.monotonic() - signalled < GRACE_SECONDS
    after = reflection_client(running.target, lazy=True)
    with pytest.raises(grpc.RpcError) as failure:
        after.request(HEALTH, "Check", {}, timeout=2)
    after.channel.close()
    assert failure.value.code() == grpc.StatusCode.UNAVAILABLE


class OutputLines:
    """Collects a child's output lines on a thread, so the test can wait for one with a timeout."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._stream = stream
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def close(self) -> None:
        """Call once the child has exited: the reader reaches the end, then the pipe is closed."""
        self._thread.join(5)
        self._stream.close()

    def wait_for(self, text: str, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: any(text in line for line in self.lines), timeout)

    def text(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def find(self, pattern: str) -> re.Match[str]:
        found = re.search(pattern, self.text())
        assert found, f"no {pattern!r} in the output:\n{self.text()}"
        return found


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def start_run_suite(
    database_url: str,
    redis_url: str,
    port: int,
    availability_port: int,
    gateway_port: int,
    run_dir: Path,
) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if key != "MAITRED_JWT_SECRET"}
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MAITRED_STATE_PORT": str(port),
        "MAITRED_AVAILABILITY_PORT": str(availability_port),
        "MAITRED_ASSIGNER_PORT": str(free_port()),
        "MAITRED_OPTIMIZER_PORT": str(free_port()),
        "MAITRED_GATEWAY_PORT": str(gateway_port),
        "MAITRED_RUN_DIR": str(run_dir),
    }
    return subprocess.Popen(
        [sys.executable, "scripts/run_suite.py"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def check_printed_commands(output: OutputLines, port: int) -> None:
    """The printed token and CreateBooking body work, and so does the printed mint-token line."""
    client = reflection_client(f"localhost:{port}")
    try:
        assert BOOKING_SERVICE in client.service_names
        token = output.find(r'authorization: Bearer ([\w.-]+)"').group(1)
        body = json.loads(output.find(r"-d '(.+?)' localhost").group(1))
        created = client.request(
            BOOKING_SERVICE, "CreateBooking", body, metadata=bearer(token), timeout=10
        )
        assert created["booking"]["state"] == "BOOKING_STATE_CREATED"
        mint = output.find(r"(?m)^MAITRED_JWT_SECRET=.* mint-token .*$").group(0)
        minted = subprocess.run(
            ["bash", "-c", mint], cwd=REPO, capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
        matrix = client.request(
            BOOKING_SERVICE, "GetTransitionMatrix", {}, metadata=bearer(minted), timeout=10
        )
        assert matrix["transitions"]
    finally:
        client.channel.close()


def check_printed_availability_command(output: OutputLines, port: int) -> None:
    """The printed CheckCapacity call answers for the demo venue through reflection."""
    client = reflection_client(f"localhost:{port}")
    try:
        token = output.find(r'authorization: Bearer ([\w.-]+)"').group(1)
        body = json.loads(
            output.find(rf"-d '(.+?)' localhost:{port} [\w.]+/CheckCapacity").group(1)
        )
        answer = client.request(AVAILABILITY_SERVICE, "CheckCapacity", body, metadata=bearer(token),
                                timeout=10)  # fmt: skip
        assert answer["accepted"] is True, answer
    finally:
        client.channel.close()


def check_printed_http_command(output: OutputLines, port: int) -> None:
    """The printed curl line for CheckCapacity answers through the gateway as JSON."""
    line = output.find(rf"(?m)^curl -s -H \"authorization: Bearer ([\w.-]+)\" "
                       rf"'(http://localhost:{port}/[^']+:checkCapacity\?[^']+)'$")  # fmt: skip
    request = urllib.request.Request(
        line.group(2), headers={"authorization": f"Bearer {line.group(1)}"}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.headers["Content-Type"].startswith("application/json")
        answer = json.loads(reply.read())
    assert answer["accepted"] is True, answer


def check_printed_console_url(output: OutputLines, port: int) -> None:
    """The printed console address serves the page, in development mode, and its token works."""
    line = output.find(
        rf"(?m)^(http://localhost:{port}/console/)#token=([\w.-]+)&venue=demo-bistro&day="
    )
    with urllib.request.urlopen(line.group(1), timeout=10) as reply:
        assert reply.headers["Content-Type"].startswith("text/html")
        assert b'<script type="module" src="app.js">' in reply.read()
    with urllib.request.urlopen(f"{line.group(1)}config.json", timeout=10) as reply:
        assert json.loads(reply.read()) == {"devLogin": True}
    request = urllib.request.Request(
        f"http://localhost:{port}/v1/venues/demo-bistro/floorPlan",
        headers={"authorization": f"Bearer {line.group(2)}"},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert json.loads(reply.read())["floorPlan"]["venue"]["venueId"] == "demo-bistro"


def test_run_suite_seeds_serves_prints_working_commands_and_stops_its_children_on_sigterm(
    fresh_database_url: str, redis_url: str, tmp_path: Path
) -> None:
    port, availability_port, gateway_port = free_port(), free_port(), free_port()
    suite = start_run_suite(
        fresh_database_url, redis_url, port, availability_port, gateway_port, tmp_path
    )
    assert suite.stdout is not None
    output = OutputLines(suite.stdout)
    child_pid = None
    try:
        ready = output.wait_for(RUN_SUITE_READY, RUN_SUITE_STARTUP_SECONDS)
        assert ready, f"run_suite did not get ready:\n{output.text()}"
        child_pid = int(output.find(rf"state: SERVING on localhost:{port} \(pid (\d+)\)").group(1))
        availability_pid = int(
            output.find(
                rf"availability: SERVING on localhost:{availability_port} \(pid (\d+)\)"
            ).group(1)
        )
        check_printed_commands(output, port)
        check_printed_availability_command(output, availability_port)
        check_printed_http_command(output, gateway_port)
        check_printed_console_url(output, gateway_port)
        assert (tmp_path / "jwt_secret").stat().st_mode & 0o777 == 0o600
        assert '"service": "state"' in (tmp_path / "logs" / "state.log").read_text()

        suite.send_signal(signal.SIGTERM)
        assert suite.wait(30) == 0, output.text()
        assert output.wait_for("state stopped (exit code 0)", 5), output.text()
        assert output.wait_for("availability stopped (exit code 0)", 5), output.text()
        assert output.wait_for("assigner stopped (exit code 0)", 5), output.text()
        assert output.wait_for("gateway stopped (exit code 0)", 5), output.text()
        assert not process_exists(child_pid) and not process_exists(availability_pid)
    finally:
        if suite.poll() is None:
            suite.kill()
            suite.wait()
        output.close()
        if child_pid is not None and process_exists(child_pid):
            os.kill(child_pid, signal.SIGKILL)
