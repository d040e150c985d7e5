"""Traces: off without an endpoint; a booking change's context survives the outbox, the stream
entry and the retry queue, so the consumer's span continues the trace of the change."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from types import SimpleNamespace
from uuid import uuid4

import grpc
import pytest
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util._once import Once

from services.assigner.adapters.event_consumer import StreamConsumer, parse
from services.assigner.application.journeys import DueDrive, Journeys
from services.state.adapters.outbox_relay import stream_fields
from services.state.settings import StateSettings
from shared import tracing
from shared.logs import JsonFormatter, trace_fields
from shared.settings import UNPREFIXED
from shared.tracing import (
    client_interceptors,
    configure_tracing,
    current_carrier,
    service_of,
    tracing_enabled,
)

BOOKING_ID = str(uuid4())


def _reset_global_provider() -> None:
    # The API installs a provider once per process; tests put the proxy back between them.
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None


ENDPOINT_VARIABLES = (
    "MAITRED_OTLP_ENDPOINT",
    *UNPREFIXED["otlp_endpoint"],
    "MAITRED_OTEL_SDK_DISABLED",
    *UNPREFIXED["otel_sdk_disabled"],
)


@pytest.fixture
def no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tracing, "_on", False)


def settings() -> StateSettings:
    return StateSettings(database_url="postgresql://unused", jwt_secret="s" * 32)


@pytest.fixture
def spans(no_endpoint: None):
    """A recording provider installed for the test; yields what it exported."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "maitred-test"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    try:
        yield exporter
    finally:
        _reset_global_provider()
        provider.shutdown()


def outbox_row(carrier: dict[str, str]) -> dict[str, object]:
    return {
        "event_id": 41,
        "venue_id": "demo-bistro",
        "aggregate_id": BOOKING_ID,
        "event_type": "booking.created",
        "payload": {"to_state": "CREATED"},
        "trace_context": carrier,
    }


def as_redis_returns(fields: dict) -> dict[bytes, bytes]:
    return {str(k).encode(): str(v).encode() for k, v in fields.items()}


class FakeRedis:
    def __init__(self) -> None:
        self.acked: list[str] = []

    async def xack(self, stream, group, *entry_ids) -> None:
        self.acked.extend(entry_ids)

    async def xpending_range(self, *args, **kwargs) -> list:
        return []


def consumer(redis: FakeRedis, handler) -> StreamConsumer:
    async def on_dead(event) -> None:
        raise AssertionError("not dead-lettered")

    return StreamConsumer(
        redis, "events", group="assigner", consumer="c1", handler=handler, on_dead=on_dead
    )


def named(spans: InMemorySpanExporter, name: str) -> ReadableSpan:
    found = [span for span in spans.get_finished_spans() if span.name == name]
    assert len(found) == 1, [span.name for span in spans.get_finished_spans()]
    return found[0]


def test_without_an_endpoint_tracing_is_off_and_installs_nothing(no_endpoint):
    assert settings().tracing_endpoint is None
    assert configure_tracing("state", settings().tracing_endpoint) is False
    assert not tracing_enabled()
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    assert client_interceptors() == []
    assert current_carrier() == {}


def test_the_sdk_disabled_switch_wins_over_an_endpoint(no_endpoint, monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")
    assert settings().tracing_endpoint == "http://collector:4317"
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert settings().tracing_endpoint is None


def test_the_endpoint_is_read_from_the_maitred_name_first_then_the_standard_ones(
    no_endpoint, monkeypatch
):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://general:4317")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4317")
    assert settings().tracing_endpoint == "http://traces:4317"
    monkeypatch.setenv("MAITRED_OTLP_ENDPOINT", "http://maitred:4317")
    assert settings().tracing_endpoint == "http://maitred:4317"


def test_with_an_endpoint_the_process_traces_as_its_service_once(no_endpoint, monkeypatch):
    monkeypatch.setenv("MAITRED_OTLP_ENDPOINT", "http://127.0.0.1:9")
    endpoint = settings().tracing_endpoint
    try:
        assert configure_tracing(service_of("maitred.state.v1.BookingService"), endpoint) is True
        assert tracing_enabled()
        provider = trace.get_tracer_provider()
        assert configure_tracing("assigner", endpoint) is True
        assert trace.get_tracer_provider() is provider
        assert provider.resource.attributes["service.name"] == "maitred-state"
        kinds = [
            grpc.aio.UnaryUnaryClientInterceptor,
            grpc.aio.UnaryStreamClientInterceptor,
            grpc.aio.StreamUnaryClientInterceptor,
            grpc.aio.StreamStreamClientInterceptor,
        ]
        made = client_interceptors()
        # One object per kind: grpc.aio would file an object of several kinds under one only.
        assert [[isinstance(i, kind) for kind in kinds].count(True) for i in made] == [1] * 4
        assert {kind for kind in kinds for i in made if isinstance(i, kind)} == set(kinds)
    finally:
        provider = trace.get_tracer_provider()
        _reset_global_provider()
        if isinstance(provider, TracerProvider):
            provider.shutdown()


async def test_an_event_is_handled_in_the_trace_of_the_change_that_wrote_it(spans):
    with trace.get_tracer("test").start_as_current_span(
        "CreateBooking", kind=trace.SpanKind.SERVER
    ) as created:
        carrier = current_carrier()  # what the state service stores with the outbox row
    assert "traceparent" in carrier
    fields = as_redis_returns(stream_fields(outbox_row(carrier)))  # the relay's stream entry
    seen: list[dict] = []

    async def handler(event) -> None:
        record = logging.LogRecord("maitred.test", logging.INFO, __file__, 1, "drive", None, None)
        seen.append({**trace_fields(), "line": json.loads(JsonFormatter().format(record))})

    redis = FakeRedis()
    reader = consumer(redis, handler)
    await reader._handle(b"1-0", fields)
    await reader._acknowledge()  # what the consumer does before its next read

    handled = named(spans, "booking event booking.created")
    origin = created.get_span_context()
    assert handled.kind is trace.SpanKind.CONSUMER
    assert handled.context.trace_id == origin.trace_id
    assert handled.parent is not None and handled.parent.span_id == origin.span_id
    assert handled.attributes["maitred.booking_id"] == BOOKING_ID
    assert seen[0]["trace_id"] == format(origin.trace_id, "032x")
    # A JSON log line written while handling names the handling span.
    assert seen[0]["line"]["trace_id"] == format(origin.trace_id, "032x")
    assert seen[0]["line"]["span_id"] == format(handled.context.span_id, "016x")
    assert redis.acked == [b"1-0"]


async def test_an_event_written_outside_a_trace_starts_a_trace_of_its_own(spans):
    fields = as_redis_returns(stream_fields(outbox_row({})))

    async def handler(event) -> None:
        return None

    await consumer(FakeRedis(), handler)._handle(b"1-0", fields)
    assert named(spans, "booking event booking.created").parent is None


async def test_a_failed_handling_is_an_error_span_and_stays_unacknowledged(spans):
    fields = as_redis_returns(stream_fields(outbox_row({})))

    async def handler(event) -> None:
        raise RuntimeError("state unavailable")

    redis = FakeRedis()
    reader = consumer(redis, handler)
    await reader._handle(b"1-0", fields)
    await reader._acknowledge()
    handled = named(spans, "booking event booking.created")
    assert handled.status.status_code is trace.StatusCode.ERROR
    assert redis.acked == []


def test_a_broken_trace_context_leaves_the_event_readable():
    fields = as_redis_returns(stream_fields(outbox_row({})))
    fields[b"trace_context"] = b"{not json"
    event = parse(b"1-0", fields)
    assert event.trace_context == {} and event.booking_id == BOOKING_ID


async def test_a_due_retry_continues_the_trace_it_was_scheduled_in(spans):
    with trace.get_tracer("test").start_as_current_span("booking event") as scheduling:
        carrier = current_carrier()
    booking_id = uuid4()
    driven: list[dict[str, str]] = []
    done = asyncio.Event()
    due = [[DueDrive("v", booking_id, carrier)]]

    class Retries:
        async def pop_due(self, now, limit=50):
            return due.pop() if due else []

    async def drive(venue_id, booking_id, known=None) -> None:
        driven.append(trace_fields())
        done.set()

    journeys = Journeys(
        coordinator=SimpleNamespace(drive=drive),
        locks=SimpleNamespace(booking=lambda venue_id, booking_id: contextlib.nullcontext()),
        retries=Retries(),
        outcomes=None,
        sweeper=None,
        clock=lambda: None,
    )
    loop = asyncio.create_task(journeys.run_retries(interval=0.01))
    try:
        await asyncio.wait_for(done.wait(), 5)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    retried = named(spans, "booking retry")
    assert driven == [
        {
            "trace_id": format(scheduling.get_span_context().trace_id, "032x"),
            "span_id": format(retried.context.span_id, "016x"),
        }
    ]
    assert retried.parent.span_id == scheduling.get_span_context().span_id
