"""OpenTelemetry traces, off unless an OTLP endpoint is set: one trace per booking journey.

    configure_tracing("state", settings.tracing_endpoint)  # once, first thing in main.start
    carrier = current_carrier()                 # {"traceparent": ...}: kept with an outbox row
    with continued_span("booking event booking.created", carrier):
        ...                                     # a consumer's work, in the producer's trace

On when the settings name an endpoint (MAITRED_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
or OTEL_EXPORTER_OTLP_ENDPOINT, and OTEL_SDK_DISABLED is not true): spans go in batches to
that OTLP/gRPC endpoint, and the SDK applies the other standard OTEL_* variables
(OTEL_BSP_SCHEDULE_DELAY, OTEL_TRACES_SAMPLER, OTEL_EXPORTER_OTLP_INSECURE, ...). Off, no
provider is installed and no gRPC interceptor is added: the API's no-op tracer remains, which
costs next to nothing. The SDK, the exporter and the gRPC instrumentation are imported only
when tracing is on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import grpc
from opentelemetry import propagate, trace
from opentelemetry.util.types import AttributeValue

log = logging.getLogger("maitred.tracing")

# Probes and grpcurl's discovery would each start a trace of their own and drown the journeys.
UNTRACED_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


# Whether configure_tracing turned tracing on in this process.
_on = False


def tracing_enabled() -> bool:
    """Whether this process traces: configure_tracing was given an endpoint."""
    return _on


def configure_tracing(service_name: str, endpoint: str | None) -> bool:
    """Install the process's tracer provider (service.name `maitred-<service_name>`) if on.

    `endpoint` is the settings' `tracing_endpoint` (None: off). Returns whether tracing is on.
    Idempotent: a provider already installed, by an earlier call or by an outside agent, is
    kept. Spans still buffered are exported at interpreter exit. Call it before opening
    channels: a channel made earlier sends no trace context.
    """
    global _on
    if endpoint is None:
        return False
    _on = True
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return True
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: f"maitred-{service_name}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    log.info("tracing on", extra={"otlp_endpoint": endpoint, "trace_service": service_name})
    return True


def service_of(full_service_name: str) -> str:
    """`state` for `maitred.state.v1.BookingService`: the suite's name for a proto service."""
    parts = full_service_name.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "maitred" else full_service_name


def _traced(details: Any) -> bool:
    return not str(details.method).startswith(UNTRACED_PREFIXES)


def server_interceptor() -> grpc.aio.ServerInterceptor:
    """The instrumentation's server interceptor: a SERVER span per RPC, in the caller's trace."""
    from opentelemetry.instrumentation.grpc import aio_server_interceptor

    # The instrumentation's functions carry no annotations.
    made: grpc.aio.ServerInterceptor = aio_server_interceptor(  # type: ignore[no-untyped-call]
        filter_=_traced
    )
    return made


def client_interceptors() -> list[grpc.aio.ClientInterceptor]:
    """A CLIENT span per outgoing call, its context sent as metadata; [] when tracing is off.

    The instrumentation gives one object per call kind, as grpc.aio files an interceptor
    under its first kind only.
    """
    if not tracing_enabled():
        return []
    from opentelemetry.instrumentation.grpc import aio_client_interceptors

    made: list[grpc.aio.ClientInterceptor] = aio_client_interceptors()  # type: ignore[no-untyped-call]
    return made


def current_carrier() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, ...); {} outside a trace."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def carrier_of(value: object) -> dict[str, str]:
    """A carrier read back from storage; anything that is not a mapping of strings is {}."""
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


@contextmanager
def continued_span(
    name: str,
    carrier: Mapping[str, str],
    *,
    kind: trace.SpanKind = trace.SpanKind.CONSUMER,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> Iterator[trace.Span]:
    """A current span whose parent is the context in `carrier` (a new trace if it has none)."""
    tracer = trace.get_tracer("maitred")
    with tracer.start_as_current_span(
        name, context=propagate.extract(carrier), kind=kind, attributes=attributes
    ) as span:
        yield span


def mark_failed(span: trace.Span, error: BaseException) -> None:
    """Record a handled failure on `span`, as an escaped exception would be."""
    span.record_exception(error)
    span.set_status(trace.Status(trace.StatusCode.ERROR, f"{type(error).__name__}: {error}"))
