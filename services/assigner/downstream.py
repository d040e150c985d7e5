"""Turns the state service's failures, met while serving a call, into that call's status."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from services.assigner.domain.booking import BookingGone, DependencyDown, Superseded
from services.assigner.domain.errors import BookingChanged, BookingNotReady
from shared.domain_errors import DomainError, NotFound

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def superseded_error(error: Superseded, request: Any) -> DomainError:
    """ABORTED (a stale version) or FAILED_PRECONDITION (the move is no longer legal)."""
    cause = error.__cause__
    booking_id = getattr(request, "booking_id", "")
    if isinstance(cause, grpc.aio.AioRpcError) and cause.code() == grpc.StatusCode.ABORTED:
        expected = getattr(request, "expected_version", 0)
        return BookingChanged(expected=expected, current=f"> {expected}")
    return BookingNotReady("booking_moved", booking_id=booking_id)


def translated(handler: Handler) -> Handler:
    """Wrap a servicer method so the state service's failures keep their meaning for our caller.

    A booking that moved on is ABORTED or FAILED_PRECONDITION, an unknown booking NOT_FOUND, a
    state service that does not answer UNAVAILABLE (retryable), and any other refusal (such as
    PERMISSION_DENIED for a venue outside the caller's token) is passed on as it came.
    """

    @functools.wraps(handler)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await handler(self, request, context)
        except Superseded as error:
            raise superseded_error(error, request) from error
        except BookingGone as error:
            raise NotFound(resource="Booking", id=getattr(request, "booking_id", "")) from error
        except DependencyDown as error:
            await context.abort(
                grpc.StatusCode.UNAVAILABLE, f"The state service did not answer ({error}). Retry."
            )
        except grpc.aio.AioRpcError as error:
            trailers = tuple(error.trailing_metadata() or ())
            await context.abort(error.code(), error.details() or "", trailers)

    return wrapper  # type: ignore[return-value]
