"""Client interceptors that give every outgoing call a deadline within the served call's own.

    channel = grpc.aio.insecure_channel(target, interceptors=deadline_interceptors())
    await stub.GetBooking(request)               # at most 5 s, and within the incoming deadline
    stream = stub.WatchSnapshots(request, timeout=3600)  # a stream asks for its own, longer one

The served call's deadline is recorded by shared/interceptors.py (`set_deadline`); outside a
served call (a background loop) only the caller's timeout or the default applies.
"""

from __future__ import annotations

import time
from typing import Any

import grpc

from shared.call_context import incoming_deadline

DEFAULT_TIMEOUT_SECONDS = 5.0
# Time kept back for the caller to receive the answer and finish its own reply.
MARGIN_SECONDS = 0.05


class DeadlineExhausted(grpc.aio.AioRpcError):  # type: ignore[misc]
    """DEADLINE_EXCEEDED raised before sending: the served call has no time left for this one."""

    def __init__(self, method: str) -> None:
        super().__init__(
            grpc.StatusCode.DEADLINE_EXCEEDED,
            grpc.aio.Metadata(),
            grpc.aio.Metadata(),
            details=f"no time left in the caller's deadline to call {method}",
        )


def method_name(details: grpc.aio.ClientCallDetails) -> str:
    """The called method as text, e.g. `/maitred.state.v1.BookingService/GetBooking`."""
    method = details.method
    return method.decode() if isinstance(method, bytes) else str(method)


class DeadlineBudget:
    """The timeout of one outgoing call: min(asked or default, time left in the served call)."""

    def __init__(
        self,
        *,
        default_timeout: float = DEFAULT_TIMEOUT_SECONDS,
        margin: float = MARGIN_SECONDS,
    ) -> None:
        self._default_timeout = default_timeout
        self._margin = margin

    def timeout_for(self, asked: float | None, method: str) -> float:
        """The timeout to send with; raises DeadlineExhausted when no time is left."""
        timeout = self._default_timeout if asked is None else asked
        deadline = incoming_deadline()
        if deadline is None:
            return timeout
        left = deadline - time.monotonic() - self._margin
        if left <= 0:
            raise DeadlineExhausted(method)
        return min(timeout, left)

    def bounded(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        """`details` with the timeout to send with."""
        return details._replace(timeout=self.timeout_for(details.timeout, method_name(details)))


# grpc.aio files an interceptor under its first matching kind only, so each kind is its own class.
class UnaryUnaryDeadline(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Bounds unary calls by a DeadlineBudget."""

    def __init__(self, budget: DeadlineBudget) -> None:
        self._budget = budget

    async def intercept_unary_unary(
        self, continuation: Any, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(self._budget.bounded(client_call_details), request)


class UnaryStreamDeadline(grpc.aio.UnaryStreamClientInterceptor):  # type: ignore[misc]
    """Bounds server-streaming calls by a DeadlineBudget."""

    def __init__(self, budget: DeadlineBudget) -> None:
        self._budget = budget

    async def intercept_unary_stream(
        self, continuation: Any, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(self._budget.bounded(client_call_details), request)


def deadline_interceptors(
    *, default_timeout: float = DEFAULT_TIMEOUT_SECONDS, margin: float = MARGIN_SECONDS
) -> list[grpc.aio.ClientInterceptor]:
    """The interceptors that bound unary and server-streaming calls, for a channel's list."""
    budget = DeadlineBudget(default_timeout=default_timeout, margin=margin)
    return [UnaryUnaryDeadline(budget), UnaryStreamDeadline(budget)]
