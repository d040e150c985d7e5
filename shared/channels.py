"""The one way to open a channel to another service: retries, deadlines and a circuit breaker.

    channel = open_channel(
        settings.state_address, service_name="state", contract=[state_service_pb2.DESCRIPTOR]
    )
    stub = BookingServiceStub(channel)   # failures stay grpc.aio.AioRpcError with .code()

Retries are gRPC's own (service config): only the methods the target's contract marks
`option (maitred.common.v1.idempotent) = true`, only on UNAVAILABLE, bounded and throttled,
so there is no second retry loop in Python. The breaker (outside) sees one outcome per
logical call, retries included; the deadline interceptor (inside) bounds it. With
tracing on (shared/tracing.py), a client span wraps them all and sends the trace to the target.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import grpc
from google.protobuf.descriptor import FileDescriptor

from shared.breaker import BreakerPolicy, BreakerState, CircuitBreaker, Ticket
from shared.deadlines import DEFAULT_TIMEOUT_SECONDS, deadline_interceptors
from shared.metrics import BREAKER_STATE, BREAKER_TRANSITIONS
from shared.stubs.maitred.common.v1 import method_options_pb2
from shared.tracing import client_interceptors

log = logging.getLogger("maitred.breaker")

DEPENDENCY_FAILURES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
STATE_VALUES = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


class CircuitOpen(grpc.aio.AioRpcError):  # type: ignore[misc]
    """UNAVAILABLE raised without sending: the target's circuit is open."""

    def __init__(self, service_name: str) -> None:
        super().__init__(
            grpc.StatusCode.UNAVAILABLE,
            grpc.aio.Metadata(),
            grpc.aio.Metadata(),
            details=f"circuit open for {service_name}",
        )


# Target schemes gRPC resolves itself; any other address is a DNS name (or an IP) and port.
SCHEMES = ("dns:", "ipv4:", "ipv6:", "unix:", "unix-abstract:", "vsock:", "xds:")


def client_target(address: str) -> str:
    """`host:port` as a `dns:///` target; a target that names its scheme is kept as it is.

    A DNS name resolves to every address behind it (a headless Service's pods), so with
    `round_robin` the channel keeps a connection to each and spreads calls over them.
    """
    return address if address.startswith(SCHEMES) else f"dns:///{address}"


def idempotent_methods(contract: Iterable[FileDescriptor]) -> list[str]:
    """`/package.Service/Method` of every method the files mark idempotent in their options."""
    return [
        f"/{service.full_name}/{method.name}"
        for file in contract
        for service in file.services_by_name.values()
        for method in service.methods
        if method.GetOptions().Extensions[method_options_pb2.idempotent]
    ]


def service_config(idempotent_methods: Iterable[str], load_balancing: str = "round_robin") -> str:
    """The service config JSON: the load-balancing policy, and retries of the given
    `/package.Service/Method`s on UNAVAILABLE."""
    names = []
    for full_name in idempotent_methods:
        service, method = full_name.strip("/").split("/")
        names.append({"service": service, "method": method})
    config: dict[str, Any] = {
        "loadBalancingConfig": [{load_balancing: {}}],
        # Each failure costs a token and each success returns 0.1; retries stop below half.
        "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1},
        "methodConfig": [],
    }
    if names:
        config["methodConfig"].append(
            {
                "name": names,
                "retryPolicy": {
                    "maxAttempts": 4,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        )
    return json.dumps(config)


def log_transition(name: str, previous: BreakerState, state: BreakerState) -> None:
    """Log one line and update the breaker metrics on every transition."""
    level = logging.WARNING if state is BreakerState.OPEN else logging.INFO
    log.log(
        level,
        "circuit breaker transition",
        extra={"target": name, "from_state": previous.value, "to_state": state.value},
    )
    BREAKER_STATE.labels(target=name).set(STATE_VALUES[state])
    BREAKER_TRANSITIONS.labels(target=name, state=state.value).inc()


class UnaryUnaryBreaker(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Fails unary calls fast while the breaker is open; records each one's code and duration."""

    def __init__(self, breaker: CircuitBreaker) -> None:
        self._breaker = breaker

    async def intercept_unary_unary(
        self, continuation: Any, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        ticket = acquire(self._breaker)
        try:
            call = await continuation(client_call_details, request)
        except BaseException:
            # Never sent (e.g. DeadlineExhausted): says nothing about the target.
            self._breaker.release(ticket)
            raise
        try:
            code = await call.code()
        except asyncio.CancelledError:
            call.cancel()
            self._breaker.release(ticket)
            raise
        self._breaker.record(ticket, failed=code in DEPENDENCY_FAILURES)
        return call


class UnaryStreamBreaker(grpc.aio.UnaryStreamClientInterceptor):  # type: ignore[misc]
    """Fails streams fast while the breaker is open; records each one once.

    A stream counts by its first message (a success, slow if late) or by the error that ended
    it before any message: how long it stays open afterwards says nothing about the target.
    """

    def __init__(self, breaker: CircuitBreaker) -> None:
        self._breaker = breaker

    async def intercept_unary_stream(
        self, continuation: Any, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        ticket = acquire(self._breaker)
        try:
            call = await continuation(client_call_details, request)
        except BaseException:
            self._breaker.release(ticket)
            raise
        return self._watch(ticket, call)

    async def _watch(self, ticket: Ticket, call: Any) -> AsyncIterator[Any]:
        pending = True
        try:
            async for message in call:
                if pending:
                    self._breaker.record(ticket, failed=False)
                    pending = False
                yield message
        except grpc.aio.AioRpcError as error:
            if pending:
                self._breaker.record(ticket, failed=error.code() in DEPENDENCY_FAILURES)
                pending = False
            raise
        finally:
            if pending:
                # Ended with no message: empty (a success) or closed by the reader (released).
                if call.done() and not call.cancelled():
                    self._breaker.record(ticket, failed=False)
                else:
                    call.cancel()
                    self._breaker.release(ticket)


def acquire(breaker: CircuitBreaker) -> Ticket:
    """A ticket for one call; raises CircuitOpen (UNAVAILABLE) while the breaker is open."""
    ticket = breaker.acquire()
    if ticket is None:
        raise CircuitOpen(breaker.name)
    return ticket


def open_channel(
    target: str,
    *,
    service_name: str,
    contract: Iterable[FileDescriptor] = (),
    default_timeout: float = DEFAULT_TIMEOUT_SECONDS,
    breaker: CircuitBreaker | None = None,
    breaker_policy: BreakerPolicy | None = None,
    options: Sequence[tuple[str, Any]] = (),
    load_balancing: str = "round_robin",
) -> grpc.aio.Channel:
    """An insecure grpc.aio channel to `target` with retries, deadlines and a circuit breaker.

    `target` is `host:port` (resolved through DNS, every address kept) or a gRPC target with
    its scheme, such as `ipv4:127.0.0.1:50051,127.0.0.2:50051`. `load_balancing` is
    `round_robin` (calls spread over every address) or `pick_first`.
    `contract` is the generated file descriptors of the services the target serves; their
    methods marked idempotent are retried on UNAVAILABLE, and no other.
    `service_name` names the target in errors ("circuit open for state"), logs and metrics.
    Pass `breaker` to share or inspect one; otherwise one is made from `breaker_policy`.
    """
    breaker = breaker or CircuitBreaker(service_name, breaker_policy, on_transition=log_transition)
    BREAKER_STATE.labels(target=breaker.name).set(STATE_VALUES[breaker.state])
    return grpc.aio.insecure_channel(
        client_target(target),
        options=[
            ("grpc.enable_retries", 1),
            ("grpc.service_config", service_config(idempotent_methods(contract), load_balancing)),
            # A restarted peer is found within a second, not after gRPC's default backoff of
            # up to two minutes; the breaker, not the reconnect backoff, protects a sick peer.
            ("grpc.initial_reconnect_backoff_ms", 250),
            ("grpc.min_reconnect_backoff_ms", 250),
            ("grpc.max_reconnect_backoff_ms", 1000),
            *options,
        ],
        # Per kind, the first interceptor is the outermost: the span (when tracing) wraps the
        # breaker, which wraps the deadline; a call an open circuit fails fast shows in the trace.
        interceptors=[
            *client_interceptors(),
            UnaryUnaryBreaker(breaker),
            UnaryStreamBreaker(breaker),
            *deadline_interceptors(default_timeout=default_timeout),
        ],
    )
