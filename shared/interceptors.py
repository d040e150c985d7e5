"""The server interceptor every service uses: auth, request checks, rate limits, errors, logs."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import grpc
from google.protobuf.message import Message

from shared.auth import Caller, Role, bearer_token, verify_token
from shared.call_context import CallContext, set_call, set_deadline
from shared.domain_errors import DomainError, InvalidArgument, RoleNotAllowed
from shared.error_table import code_of, internal_status, to_status
from shared.logs import trace_fields
from shared.messages import CATALOGUE, Messages, pick_locale
from shared.metrics import RPC_DURATION, RPC_RETRIES
from shared.outages import outage_of
from shared.rate_limit import RateLimits
from shared.request_check import request_violations
from shared.undecodable import Undecodable, public_handler, tolerant, undecodable_error

log = logging.getLogger("maitred.rpc")

PUBLIC_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


class CallPipeline(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Authenticates, authorizes by role and venue, maps errors, and logs one line per RPC.

    A method missing from `roles_by_method` is denied to every role. A request whose bytes do
    not decode, or that holds a value no field may hold (shared/request_check.py), is
    INVALID_ARGUMENT before its handler runs. It also records the call's deadline for outgoing
    calls (shared/deadlines.py), observes the RPC duration histogram, and applies `rate_limits`
    when given (off by default). Error texts come from `messages` (shared's by default; a
    service's server passes shared's joined with its own, shared/messages.py).
    """

    def __init__(
        self,
        *,
        jwt_secret: str,
        jwt_issuer: str,
        roles_by_method: Mapping[str, frozenset[Role]],
        rate_limits: RateLimits | None = None,
        messages: Messages = CATALOGUE,
    ) -> None:
        self._secret = jwt_secret
        self._messages = messages
        self._issuer = jwt_issuer
        self._roles_by_method = roles_by_method
        self._rate_limits = rate_limits

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method = details.method
        if handler is None:
            return handler
        if method.startswith(PUBLIC_PREFIXES):
            return public_handler(handler)
        deserializer = tolerant(handler.request_deserializer)
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(method, handler.unary_unary),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(method, handler.unary_stream),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    def _wrap_unary(self, method: str, behavior: Any) -> Any:
        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            _count_retry(method, context)
            call, failure = self._begin(request, context)
            started, code = time.perf_counter(), grpc.StatusCode.OK
            try:
                self._authorize(method, request, call.caller, failure)
                await self._limit(request, call, context)
                return await behavior(request, context)
            except Exception as error:
                code = self._code_of(error, context)
                await self._fail(error, call, context)
            finally:
                self._log(method, request, call, code, started)

        return unary

    def _wrap_stream(self, method: str, behavior: Any) -> Any:
        async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            _count_retry(method, context)
            call, failure = self._begin(request, context)
            started, code = time.perf_counter(), grpc.StatusCode.OK
            try:
                self._authorize(method, request, call.caller, failure)
                await self._limit(request, call, context)
                async for message in behavior(request, context):
                    yield message
            except Exception as error:
                code = self._code_of(error, context)
                await self._fail(error, call, context)
            finally:
                self._log(method, request, call, code, started)

        return stream

    def _begin(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> tuple[CallContext, DomainError | None]:
        metadata = dict(context.invocation_metadata() or ())
        request_id = str(metadata.get("x-request-id") or uuid.uuid4().hex)
        locale = pick_locale(str(metadata.get("accept-language") or ""))
        caller: Caller | None = None
        failure: DomainError | None = None
        try:
            authorization = metadata.get("authorization")
            token = bearer_token(str(authorization) if authorization else None)
            caller = verify_token(token, self._secret, issuer=self._issuer)
        except DomainError as error:
            failure = error
        call = CallContext(
            caller=caller,
            request_id=request_id,
            locale=locale,
            # The RPC's span, when tracing is on: history rows keep it to find the trace.
            trace_id=trace_fields().get("trace_id", ""),
        )
        set_call(call)
        set_deadline(context.time_remaining())
        return call, failure

    def _authorize(
        self, method: str, request: Any, caller: Caller | None, failure: DomainError | None
    ) -> None:
        if caller is None:
            raise failure or RuntimeError("unauthenticated without a reason")
        allowed = self._roles_by_method.get(method, frozenset())
        if not caller.roles & allowed:
            raise RoleNotAllowed(method=method.rsplit("/", 1)[-1])
        _check_request(request)
        venue_id = getattr(request, "venue_id", "")
        if venue_id:
            caller.require_venue(venue_id)

    async def _limit(
        self, request: Any, call: CallContext, context: grpc.aio.ServicerContext
    ) -> None:
        # The suite's own services are not limited: a throttled coordinator would only turn a
        # booking's journey into retries. The limits guard against outside callers.
        caller = call.caller
        if self._rate_limits is None or caller is None or Role.SERVICE in caller.roles:
            return
        venue_id = getattr(request, "venue_id", "")
        await self._rate_limits.enforce(caller.subject, venue_id, context, call.locale)

    @staticmethod
    def _code_of(error: Exception, context: grpc.aio.ServicerContext) -> grpc.StatusCode:
        if isinstance(error, grpc.aio.AbortError):
            return context.code() or grpc.StatusCode.UNKNOWN
        if isinstance(error, DomainError):
            return code_of(error)
        outage = outage_of(error)
        return code_of(outage) if outage is not None else grpc.StatusCode.INTERNAL

    async def _fail(
        self, error: Exception, call: CallContext, context: grpc.aio.ServicerContext
    ) -> None:
        if isinstance(error, grpc.aio.AbortError):
            raise error
        outage = outage_of(error)
        if isinstance(error, DomainError):
            status = to_status(error, call.locale, self._messages)
        elif outage is not None:
            log.warning(
                "dependency unavailable",
                extra={"request_id": call.request_id, "error": repr(error)},
            )
            status = to_status(outage, call.locale, self._messages)
        else:
            log.exception("unhandled error", extra={"request_id": call.request_id})
            status = internal_status(call.request_id, call.locale)
        await context.abort(status.code, status.details, status.trailing_metadata)

    def _log(
        self,
        method: str,
        request: Any,
        call: CallContext,
        code: grpc.StatusCode,
        started: float,
    ) -> None:
        seconds = time.perf_counter() - started
        service, _, name = method.strip("/").partition("/")
        RPC_DURATION.labels(service=service, method=name, code=code.name).observe(seconds)
        log.info(
            "rpc",
            extra={
                "method": method,
                "code": code.name,
                "duration_ms": round(seconds * 1000, 2),
                "request_id": call.request_id,
                "venue_id": getattr(request, "venue_id", "") or None,
                "booking_id": getattr(request, "booking_id", "") or None,
                "caller": call.caller.subject if call.caller else None,
            },
        )


def _check_request(request: Any) -> None:
    """INVALID_ARGUMENT for bytes that did not decode or a value no field may hold."""
    if isinstance(request, Undecodable):
        raise undecodable_error()
    if isinstance(request, Message):
        violations = request_violations(request)
        if violations:
            raise InvalidArgument(violations)


def _count_retry(method: str, context: grpc.aio.ServicerContext) -> None:
    """Count a call a client's retry policy sent again: gRPC marks it in the metadata."""
    attempts = dict(context.invocation_metadata() or ()).get("grpc-previous-rpc-attempts")
    if attempts and str(attempts) != "0":
        service, _, name = method.strip("/").partition("/")
        RPC_RETRIES.labels(service=service, method=name).inc()
