"""The gateway's aiohttp handlers: one annotated route in, one gRPC call out, JSON back."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import grpc
from aiohttp import web
from google.protobuf.message import Message

from services.gateway.metrics import HTTP_DURATION
from services.gateway.routes import MethodNotAllowed, NoRoute, Route, find
from services.gateway.statuses import HttpError, from_rpc_error, gateway_error
from services.gateway.stream_lines import StreamLines, json_line
from services.gateway.transcode import BadRequest, build_request, to_json

log = logging.getLogger("maitred.gateway")

# Headers that become call metadata; everything else stays at the gateway.
FORWARDED = ("authorization", "accept-language", "traceparent", "tracestate")
NDJSON = "application/x-ndjson"
MAX_BODY_BYTES = 1024 * 1024  # a larger body is refused with 413 before it is read whole


class Gateway:
    """Turns HTTP/JSON requests into calls to the services, and their answers back into JSON."""

    def __init__(
        self,
        routes: Sequence[Route],
        channels: Mapping[str, grpc.aio.Channel],
        *,
        timeout_s: float,
        stream_timeout_s: float,
    ) -> None:
        self._routes = routes
        self._channels = channels
        self._timeout_s = timeout_s
        self._stream_timeout_s = stream_timeout_s
        self._lines = StreamLines()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one request; every outcome, errors included, is a JSON answer."""
        started = time.perf_counter()
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        template, response = "unmatched", None
        try:
            route, variables = find(self._routes, request.method, request.path)
            template = route.template
            rpc_request = build_request(
                route, variables, request.query.items(), await request.read()
            )
            metadata = _metadata(request, request_id)
            if route.server_streaming:
                response = await self._stream(request, route, rpc_request, metadata, request_id)
            else:
                response = await self._unary(route, rpc_request, metadata)
        except MethodNotAllowed as error:
            response = _error(gateway_error(grpc.StatusCode.UNIMPLEMENTED, str(error)))
            response.set_status(405)
            response.headers["Allow"] = ", ".join(error.allowed)
        except NoRoute as error:
            response = _error(gateway_error(grpc.StatusCode.NOT_FOUND, str(error)))
        except web.HTTPRequestEntityTooLarge:
            too_large = f"the body is larger than {MAX_BODY_BYTES} bytes (1 MiB)"
            response = _error(
                gateway_error(grpc.StatusCode.INVALID_ARGUMENT, too_large, field_name="body")
            )
            response.set_status(413)
        except BadRequest as error:
            response = _error(
                gateway_error(grpc.StatusCode.INVALID_ARGUMENT, str(error), field_name=error.field)
            )
        except Exception:  # a gateway bug: say so in JSON, with the id to find it in the log
            log.exception("gateway failure", extra={"request_id": request_id})
            response = _error(gateway_error(grpc.StatusCode.INTERNAL, "internal gateway error"))
        except asyncio.CancelledError:  # the client hung up: 499, as nginx records it
            _observe(request, template, 499, started, request_id)
            raise
        if not response.prepared:  # a stream sent its headers, the id among them, already
            response.headers["X-Request-Id"] = request_id
        _observe(request, template, response.status, started, request_id)
        return response

    async def _unary(
        self, route: Route, rpc_request: Message, metadata: list[tuple[str, str]]
    ) -> web.Response:
        method = self._method(route, streaming=False)
        try:
            reply = await method(rpc_request, metadata=metadata, timeout=self._timeout_s)
        except grpc.aio.AioRpcError as error:
            return _error(from_rpc_error(error))
        return web.json_response(to_json(reply))

    async def _stream(
        self,
        request: web.Request,
        route: Route,
        rpc_request: Message,
        metadata: list[tuple[str, str]],
        request_id: str,
    ) -> web.StreamResponse:
        """Newline-delimited JSON, `{"result": ...}` per message.

        An error before the first message answers with its own HTTP status; one after it
        ends the body with an `{"error": ...}` line, since the 200 has already been sent.
        """
        method = self._method(route, streaming=True)
        call = method(rpc_request, metadata=metadata, timeout=self._stream_timeout_s)
        # Headers leave with the first message: the request id must be on them already.
        response = web.StreamResponse(headers={"Content-Type": NDJSON, "X-Request-Id": request_id})
        try:
            async for wire in call:
                if not response.prepared:
                    await response.prepare(request)
                await response.write(self._lines.line(route.response_type, wire))
        except grpc.aio.AioRpcError as error:
            failure = from_rpc_error(error)
            if not response.prepared:
                return _error(failure)
            await response.write(json_line({"error": failure.body}))
        except ConnectionResetError:
            log.info("stream reader went away", extra={"path": request.path})
        finally:
            call.cancel()
        if not response.prepared:
            await response.prepare(request)
        await response.write_eof()
        return response

    def _method(self, route: Route, *, streaming: bool) -> Any:
        """The call; a stream yields its messages' wire bytes, which StreamLines converts."""
        channel = self._channels[route.service]
        if streaming:
            return channel.unary_stream(
                route.full_method, request_serializer=route.request_type.SerializeToString
            )
        return channel.unary_unary(
            route.full_method,
            request_serializer=route.request_type.SerializeToString,
            response_deserializer=route.response_type.FromString,
        )


def _observe(
    request: web.Request, template: str, status: int, started: float, request_id: str
) -> None:
    elapsed = time.perf_counter() - started
    HTTP_DURATION.labels(method=request.method, route=template, status=str(status)).observe(elapsed)
    log.info(
        "http request",
        extra={"method": request.method, "path": request.path, "status": status,
               "duration_ms": round(elapsed * 1000, 1), "request_id": request_id},
    )  # fmt: skip


def _metadata(request: web.Request, request_id: str) -> list[tuple[str, str]]:
    metadata = [("x-request-id", request_id)]
    for name in FORWARDED:
        value = request.headers.get(name)
        if value:
            metadata.append((name, value))
    return metadata


def _error(error: HttpError) -> web.Response:
    return web.json_response(error.body, status=error.status, headers=error.headers)
