"""The server interceptor every service uses: authentication, authorization, errors, RPC logs."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import grpc

from shared.auth import Caller, Role, bearer_token, verify_token
from shared.call_context import CallContext, set_call
from shared.domain_errors import DomainError, RoleNotAllowed
from shared.error_table import code_of, internal_status, to_status
from shared.messages import pick_locale

log = logging.getLogger("maitred.rpc")

PUBLIC_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")
ALL_ROLES = frozenset(Role)


class CallPipeline(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Authenticates, authorizes by role and venue, maps errors, and logs one line per RPC."""

    def __init__(
        self, *, jwt_secret: str, jwt_issuer: str, roles_by_method: Mapping[str, frozenset[Role]]
    ) -> None:
        self._secret = jwt_secret
        self._issuer = jwt_issuer
        self._roles_by_method = roles_by_method

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method = details.method
        if handler is None or method.startswith(PUBLIC_PREFIXES):
            return handler
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(method, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    def _wrap_unary(self, method: str, behavior: Any) -> Any:
        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            call, failure = self._begin(request, context)
            started, code = time.perf_counter(), grpc.StatusCode.OK
            try:
                self._authorize(method, request, call.caller, failure)
                return await behavior(request, context)
            except Exception as error:
                code = self._code_of(error, context)
                await self._fail(error, call, context)
            finally:
                self._log(method, request, call, code, started)

        return unary

    def _wrap_stream(self, method: str, behavior: Any) -> Any:
        async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            call, failure = self._begin(request, context)
            started, code = time.perf_counter(), grpc.StatusCode.OK
            try:
                self._authorize(method, request, call.caller, failure)
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
        call = CallContext(caller=caller, request_id=request_id, locale=locale)
        set_call(call)
        return call, failure

    def _authorize(
        self, method: str, request: Any, caller: Caller | None, failure: DomainError | None
    ) -> None:
        if caller is None:
            raise failure or RuntimeError("unauthenticated without a reason")
        allowed = self._roles_by_method.get(method, ALL_ROLES)
        if not caller.roles & allowed:
            raise RoleNotAllowed(method=method.rsplit("/", 1)[-1])
        venue_id = getattr(request, "venue_id", "")
        if venue_id:
            caller.require_venue(venue_id)

    @staticmethod
    def _code_of(error: Exception, context: grpc.aio.ServicerContext) -> grpc.StatusCode:
        if isinstance(error, grpc.aio.AbortError):
            return context.code() or grpc.StatusCode.UNKNOWN
        if isinstance(error, DomainError):
            return code_of(error)
        return grpc.StatusCode.INTERNAL

    async def _fail(
        self, error: Exception, call: CallContext, context: grpc.aio.ServicerContext
    ) -> None:
        if isinstance(error, grpc.aio.AbortError):
            raise error
        if isinstance(error, DomainError):
            status = to_status(error, call.locale)
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
        log.info(
            "rpc",
            extra={
                "method": method,
                "code": code.name,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": call.request_id,
                "venue_id": getattr(request, "venue_id", "") or None,
                "booking_id": getattr(request, "booking_id", "") or None,
                "caller": call.caller.subject if call.caller else None,
            },
        )
