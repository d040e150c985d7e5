"""The facts of the call being served (caller, request id, locale), readable by handlers."""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass

from shared.auth import Caller


@dataclass(frozen=True)
class CallContext:
    """Who called, under which request id, in which locale, in which trace."""

    caller: Caller | None
    request_id: str
    locale: str
    trace_id: str = ""


_current: ContextVar[CallContext | None] = ContextVar("maitred_call", default=None)
_deadline: ContextVar[float | None] = ContextVar("maitred_deadline", default=None)


def current_call() -> CallContext:
    """The context of the call being served; fails loudly outside a call."""
    context = _current.get()
    if context is None:
        raise RuntimeError("no call is being served in this context")
    return context


def current_caller() -> Caller:
    """The authenticated caller; fails loudly for a public method."""
    caller = current_call().caller
    if caller is None:
        raise RuntimeError("this method was served without authentication")
    return caller


def set_call(context: CallContext) -> object:
    """Make `context` current; returns the token to restore the previous one."""
    return _current.set(context)


def set_deadline(time_remaining: float | None) -> object:
    """Record the served call's deadline from its `context.time_remaining()` (None: no deadline).

    Kept as an absolute `time.monotonic()` instant, so outgoing calls see the time left when
    they are made. Returns the token to restore the previous one.
    """
    deadline = None if time_remaining is None else time.monotonic() + time_remaining
    return _deadline.set(deadline)


def incoming_deadline() -> float | None:
    """The served call's deadline (a `time.monotonic()` instant); None when it has none."""
    return _deadline.get()
