"""Two replicas of every service, reached through multi-address targets with round_robin.

Each replica is its own process on its own loopback port; every service's peers are named as
`ipv4:127.0.0.1:<a>,127.0.0.1:<b>`, as a headless Kubernetes Service resolves to its pods. The
test drives bookings through the pair, shows each pair shared the work, SIGKILLs one replica of
every service mid-load, and shows every booking still settled exactly once, with no overlap.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import urllib.request
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from sqlalchemy import text

from services.availability.adapters.demo_venue import DEMO_VENUE_ID, demo_start_time
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc
from tests.databases import demo_database
from tests.e2e.conftest import free_port
from tests.e2e.suite import ServiceProcess
from tests.e2e.test_booking_journey import check_floor, create_request, wait_settled

SERVICES = ("state", "availability", "assigner", "optimizer")
REPLICAS = ("a", "b")
BOOKINGS_BEFORE_KILL = 24
BOOKINGS_AFTER_KILL = 16
ROUND_ROBIN = json.dumps({"loadBalancingConfig": [{"round_robin": {}}]})


class Replicas:
    """Every service twice: ports, metrics ports, and the processes, started in dependency order."""

    def __init__(self, database_url: str, redis_url: str, secret: str, logs: Path) -> None:
        self.ports = {(s, r): free_port() for s in SERVICES for r in REPLICAS}
        self.metrics = {(s, r): free_port() for s in SERVICES for r in REPLICAS}
        stream = f"maitred:e2e-replicas:{uuid.uuid4().hex[:8]}"
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "MAITRED_JWT_SECRET": secret,
            "MAITRED_HOST": "127.0.0.1",
            "MAITRED_GRACE_PERIOD_SECONDS": "5",
            "MAITRED_EVENTS_STREAM": stream,
            "MAITRED_CLAIM_IDLE_MS": "2000",
            "MAITRED_OPTIMIZER_SCHEDULER": "false",
            # Eight processes on one PostgreSQL: small pools keep them inside max_connections.
            "MAITRED_DB_POOL_SIZE": "3",
        }
        for service in SERVICES:
            env[f"MAITRED_{service.upper()}_ADDRESS"] = self.target(service)
        base = os.environ | env
        self.processes = {
            (service, replica): ServiceProcess(
                service,
                self.ports[(service, replica)],
                base
                | {
                    "MAITRED_CONSUMER_NAME": f"{service}-{replica}",
                    "MAITRED_METRICS_PORT": str(self.metrics[(service, replica)]),
                },
                logs / f"{service}-{replica}.log",
            )
            for service in SERVICES
            for replica in REPLICAS
        }

    def target(self, service: str) -> str:
        """The multi-address target of a service's two replicas."""
        addresses = ",".join(f"127.0.0.1:{self.ports[(service, r)]}" for r in REPLICAS)
        return f"ipv4:{addresses}"

    def start(self) -> None:
        for process in self.processes.values():
            process.start()

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()

    def counter(self, service: str, replica: str, name: str, **labels: str) -> float:
        """The sum of a Prometheus counter's samples on one replica that carry `labels`."""
        port = self.metrics[(service, replica)]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
            body = reply.read().decode()
        total = 0.0
        for line in body.splitlines():
            match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
            if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
                total += float(match.group(2))
        return total


@pytest.fixture(scope="module")
def secret() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture(scope="module")
async def demo_url(postgres_admin_url: str) -> AsyncIterator[str]:
    async with demo_database(postgres_admin_url, "maitred_replicas") as url:
        yield url


@pytest.fixture(scope="module")
async def replicas(demo_url, redis_url, secret, tmp_path_factory) -> AsyncIterator[Replicas]:
    started = Replicas(demo_url, redis_url, secret, Path(tmp_path_factory.mktemp("replicas")))
    try:
        await asyncio.to_thread(started.start)
        yield started
    finally:
        await asyncio.to_thread(started.stop)


async def create(stub: rpc.BookingServiceStub, metadata, at: datetime, party: int) -> str:
    """CreateBooking, sent again with the same request id while a replica is away."""
    request = create_request(DEMO_VENUE_ID, at, party)
    for _ in range(20):
        try:
            reply = await stub.CreateBooking(request, metadata=metadata, timeout=10)
            return str(reply.booking.booking_id)
        except grpc.aio.AioRpcError as error:
            if error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise
            await asyncio.sleep(0.2)
    raise AssertionError("CreateBooking never answered")


async def test_two_replicas_share_the_work_and_survive_losing_one_of_each(
    replicas: Replicas, demo_url: str, secret: str
):
    token = mint_token(
        secret, subject="replicas", roles=[Role.OPS], venues=[DEMO_VENUE_ID],
        ttl_seconds=600, issuer="maitred",
    )  # fmt: skip
    metadata = [("authorization", f"Bearer {token}")]
    # Forty twos in four waves of ten (lunch 12:00 and 14:00, dinner 17:30 and 19:30): a two's
    # turn and buffer take 105 minutes, so the waves never overlap, and each wave fits the demo
    # floor's 21 tables that seat two. Every booking fits, so every one must end CONFIRMED.
    dinner = demo_start_time(datetime.now(UTC))
    waves = [dinner - timedelta(minutes=m) for m in (450, 330, 120, 0)]
    slots = [waves[i // 10] for i in range(BOOKINGS_BEFORE_KILL + BOOKINGS_AFTER_KILL)]
    channel = grpc.aio.insecure_channel(
        replicas.target("state"), options=[("grpc.service_config", ROUND_ROBIN)]
    )
    try:
        stub = rpc.BookingServiceStub(channel)
        ids = [await create(stub, metadata, slots[i], 2) for i in range(BOOKINGS_BEFORE_KILL)]
        await wait_settled(stub, metadata, DEMO_VENUE_ID, ids, seconds=90)
        spread = {
            "state": [replicas.counter("state", r, "maitred_rpc_duration_seconds_count",
                                       method="CreateBooking") for r in REPLICAS],
            "availability": [replicas.counter("availability", r,
                                              "maitred_rpc_duration_seconds_count",
                                              method="CheckCapacity") for r in REPLICAS],
            "state (from the assigners)": [replicas.counter(
                "state", r, "maitred_rpc_duration_seconds_count", method="AdvanceBooking")
                for r in REPLICAS],
            "assigner": [replicas.counter("assigner", r, "maitred_assignment_outcomes_total")
                         for r in REPLICAS],
        }  # fmt: skip
        assert all(all(count > 0 for count in counts) for counts in spread.values()), spread

        for service in SERVICES:
            replicas.processes[(service, "b")].kill()
        ids += [
            await create(stub, metadata, slots[i], 2)
            for i in range(BOOKINGS_BEFORE_KILL, BOOKINGS_BEFORE_KILL + BOOKINGS_AFTER_KILL)
        ]
        states = await wait_settled(stub, metadata, DEMO_VENUE_ID, ids, seconds=120)
    finally:
        await channel.close()

    engine = create_engine(demo_url, pool_size=2)
    try:
        await check_floor(engine, DEMO_VENUE_ID, states)
        async with engine.connect() as db:
            confirmations = dict(
                (
                    await db.execute(
                        text(
                            "SELECT booking_id::text, count(*) FROM booking_state_history "
                            "WHERE to_state = 'CONFIRMED' GROUP BY booking_id"
                        )
                    )
                ).all()
            )
    finally:
        await engine.dispose()
    assert len(ids) == len(set(ids)) == BOOKINGS_BEFORE_KILL + BOOKINGS_AFTER_KILL
    tally = Counter(pb.BookingState.Name(s) for s in states.values())
    assert tally == {"BOOKING_STATE_CONFIRMED": len(ids)}, tally
    assert {b: confirmations.get(b) for b in ids} == dict.fromkeys(ids, 1)
