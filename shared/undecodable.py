"""Requests whose bytes do not decode: a deserializer that cannot raise, and public wrappers.

grpc.aio answers UNKNOWN, naming the parser's exception class, when a request deserializer
raises. Every served method gets `tolerant(deserializer)` instead, which yields `Undecodable`;
the call pipeline refuses it as INVALID_ARGUMENT, and so does `public_handler` for health and
reflection, which the pipeline does not otherwise touch.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc

from shared.domain_errors import FieldViolation, InvalidArgument
from shared.error_table import to_status
from shared.messages import pick_locale


class Undecodable:
    """What a tolerant deserializer yields for bytes that are not the call's message."""


def tolerant(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """The deserializer, yielding `Undecodable` instead of raising."""
    if deserializer is None:
        return None

    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception:
            return Undecodable()

    return deserialize


def undecodable_error() -> InvalidArgument:
    """The refusal of a request that did not decode (named `request`: no field could be read)."""
    return InvalidArgument([FieldViolation("request", "field.undecodable")])


async def _refuse(context: grpc.aio.ServicerContext) -> None:
    language = dict(context.invocation_metadata() or ()).get("accept-language")
    status = to_status(undecodable_error(), pick_locale(str(language or "")))
    await context.abort(status.code, status.details, status.trailing_metadata)


def public_handler(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """`handler` (health, reflection) with undecodable requests refused as INVALID_ARGUMENT.

    A method the servicer leaves unimplemented answers UNIMPLEMENTED without naming a class.
    """
    deserializer = tolerant(handler.request_deserializer)
    serializer = handler.response_serializer
    if handler.unary_unary:
        behavior = handler.unary_unary

        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            if isinstance(request, Undecodable):
                await _refuse(context)
            try:
                return await behavior(request, context)
            except NotImplementedError:  # Health/List: gRPC would name the exception class
                await context.abort(grpc.StatusCode.UNIMPLEMENTED, "Not served by this server.")

        return grpc.unary_unary_rpc_method_handler(unary, deserializer, serializer)
    if handler.unary_stream:
        streamer = handler.unary_stream

        async def written(request: Any, context: grpc.aio.ServicerContext) -> None:
            # A servicer that writes with context.write (health's Watch), not a generator.
            if isinstance(request, Undecodable):
                await _refuse(context)
            await streamer(request, context)

        async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            if isinstance(request, Undecodable):
                await _refuse(context)
            async for message in streamer(request, context):
                yield message

        wrapped = stream if inspect.isasyncgenfunction(streamer) else written
        return grpc.unary_stream_rpc_method_handler(wrapped, deserializer, serializer)
    if handler.stream_stream:
        both = handler.stream_stream

        async def bidi(
            requests: AsyncIterator[Any], context: grpc.aio.ServicerContext
        ) -> AsyncIterator[Any]:
            async def checked() -> AsyncIterator[Any]:
                async for request in requests:
                    if isinstance(request, Undecodable):
                        await _refuse(context)
                    yield request

            async for message in both(checked(), context):
                yield message

        return grpc.stream_stream_rpc_method_handler(bidi, deserializer, serializer)
    return handler
