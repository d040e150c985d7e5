"""One booking's journey is one trace across the processes, from CreateBooking to CONFIRMED.

The suite runs with tracing on, exporting over OTLP/gRPC to a trace receiver inside this test
process (the in-memory exporter): the state service's CreateBooking span starts the trace, the
outbox row and the stream entry carry it to the assigner, whose calls to availability and back
to state continue it.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1 import trace_pb2

from services.availability.adapters.demo_venue import DEMO_VENUE_ID, demo_start_time
from shared.auth import Role, mint_token
from shared.stubs.maitred.state.v1 import booking_pb2 as pb
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from shared.stubs.maitred.state.v1 import state_service_pb2_grpc as rpc
from tests.databases import demo_database
from tests.e2e.suite import Suite, start_suite

CREATE = "/maitred.state.v1.BookingService/CreateBooking"
# The coordinator's two steps at the state service, the second confirming the booking.
ADVANCE = "/maitred.state.v1.BookingService/AdvanceBooking"
CHECK_CAPACITY = "/maitred.availability.v1.AvailabilityService/CheckCapacity"
SERVER = trace_pb2.Span.SPAN_KIND_SERVER
CONSUMER = trace_pb2.Span.SPAN_KIND_CONSUMER
WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class Seen:
    """One exported span and the service (resource `service.name`) that sent it."""

    service: str
    span: trace_pb2.Span

    @property
    def trace_id(self) -> str:
        return self.span.trace_id.hex()

    def attribute(self, key: str) -> str:
        return next((a.value.string_value for a in self.span.attributes if a.key == key), "")


class TraceReceiver(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP/gRPC trace endpoint that keeps every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[Seen] = []

    async def Export(self, request, context):
        for resource_spans in request.resource_spans:
            service = next(
                (
                    a.value.string_value
                    for a in resource_spans.resource.attributes
                    if a.key == "service.name"
                ),
                "",
            )
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend(Seen(service, span) for span in scope_spans.spans)
        return trace_service_pb2.ExportTraceServiceResponse()

    def find(self, test: Callable[[Seen], bool]) -> list[Seen]:
        return [seen for seen in self.spans if test(seen)]


@pytest.fixture(scope="module")
async def receiver():
    server = grpc.aio.server()
    spans = TraceReceiver()
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(spans, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield port, spans
    await server.stop(0)


@pytest.fixture(scope="module")
async def traced_db(postgres_admin_url: str):
    async with demo_database(postgres_admin_url, "maitred_traced") as url:
        yield url


@pytest.fixture(scope="module")
def secret() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture(scope="module")
async def traced_suite(traced_db, redis_url, secret, receiver, tmp_path_factory):
    port, _ = receiver
    started = await asyncio.to_thread(
        start_suite,
        traced_db,
        redis_url,
        secret,
        Path(tmp_path_factory.mktemp("traced")),
        extra_env={
            "MAITRED_EVENTS_STREAM": f"maitred:e2e:traced:{uuid.uuid4().hex[:8]}",
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
            "OTEL_EXPORTER_OTLP_INSECURE": "true",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        },
    )
    yield started
    await asyncio.to_thread(started.stop)


async def until(found: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not found():
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen within {WAIT_SECONDS} s: {what}")
        await asyncio.sleep(0.2)


async def create_and_confirm(stub: rpc.BookingServiceStub, metadata) -> str:
    start = Timestamp()
    start.FromDatetime(demo_start_time(datetime.now(UTC)))
    created = await stub.CreateBooking(
        api.CreateBookingRequest(
            venue_id=DEMO_VENUE_ID,
            request_id=uuid.uuid4().hex,
            booking=pb.Booking(party_size=2, start_time=start),
        ),
        metadata=metadata,
    )
    booking_id = created.booking.booking_id
    states: list[int] = []

    async def confirmed() -> bool:
        request = api.GetBookingRequest(venue_id=DEMO_VENUE_ID, booking_id=booking_id)
        states.append((await stub.GetBooking(request, metadata=metadata)).booking.state)
        return states[-1] == pb.BOOKING_STATE_CONFIRMED

    deadline = time.monotonic() + WAIT_SECONDS
    while not await confirmed():
        assert time.monotonic() < deadline, pb.BookingState.Name(states[-1])
        await asyncio.sleep(0.2)
    return booking_id


async def test_one_bookings_journey_from_create_to_confirmed_is_one_trace_across_services(
    traced_suite: Suite, receiver, secret: str
):
    _, spans = receiver
    token = mint_token(
        secret, subject="e2e", roles=[Role.OPS], venues=["*"], ttl_seconds=600, issuer="maitred"
    )
    metadata = [("authorization", f"Bearer {token}")]
    async with grpc.aio.insecure_channel(traced_suite.services["state"].target) as channel:
        stub = rpc.BookingServiceStub(channel)
        booking_id = await create_and_confirm(stub, metadata)
        history = await stub.ListBookingHistory(
            api.ListBookingHistoryRequest(venue_id=DEMO_VENUE_ID, booking_id=booking_id),
            metadata=metadata,
        )

    def server_spans(service: str, method: str) -> list[Seen]:
        return spans.find(
            lambda s: s.service == service and s.span.name == method and s.span.kind == SERVER
        )

    def handled() -> list[Seen]:
        return spans.find(
            lambda s: (
                s.service == "maitred-assigner"
                and s.span.kind == CONSUMER
                and s.attribute("maitred.booking_id") == booking_id
            )
        )

    await until(lambda: len(server_spans("maitred-state", CREATE)) == 1, "CreateBooking")
    await until(lambda: server_spans("maitred-state", ADVANCE), "the one AdvanceBooking")
    await until(lambda: server_spans("maitred-availability", CHECK_CAPACITY), "CheckCapacity")
    await until(lambda: handled(), "the assigner's event handling")

    (create,) = server_spans("maitred-state", CREATE)
    journey = create.trace_id
    assert create.span.parent_span_id == b""  # the test sent no trace: CreateBooking starts it
    assert {s.trace_id for s in handled()} == {journey}
    assert handled()[0].span.name.startswith("booking event ")
    assert {s.trace_id for s in server_spans("maitred-availability", CHECK_CAPACITY)} == {journey}
    # The first try records every step, CREATED to CONFIRMED, in one AdvanceBooking.
    (advance,) = server_spans("maitred-state", ADVANCE)
    assert advance.trace_id == journey
    in_journey = spans.find(lambda s: s.trace_id == journey)
    assert {"maitred-state", "maitred-assigner", "maitred-availability"} <= {
        s.service for s in in_journey
    }
    # Every step of the history, CREATED to CONFIRMED, was written inside that trace.
    assert [pb.BookingState.Name(c.to_state) for c in history.changes][-1] == (
        "BOOKING_STATE_CONFIRMED"
    )
    assert {c.trace_id for c in history.changes} == {journey}
    # The state service's JSON log line for CreateBooking names the trace and its span.
    lines = [
        json.loads(line)
        for line in traced_suite.services["state"].log_path.read_text().splitlines()
        if line.startswith("{")
    ]
    (logged,) = [line for line in lines if line.get("method") == CREATE]
    assert logged["trace_id"] == journey
    assert logged["span_id"] == create.span.span_id.hex()
