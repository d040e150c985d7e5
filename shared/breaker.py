"""A circuit breaker per dependency: closed, open and half-open over a sliding window of calls.

Pure and synchronous (no grpc, no I/O); the clock is injected so tests drive time by hand:

    breaker = CircuitBreaker("state", BreakerPolicy(), on_transition=log_it)
    ticket = breaker.acquire()
    if ticket is None:
        ...  # fail fast: the circuit is open (or its half-open probes are all out)
    breaker.record(ticket, failed=code in (UNAVAILABLE, DEADLINE_EXCEEDED))
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class BreakerState(StrEnum):
    """Closed lets calls through, open fails them fast, half-open lets a few probes test."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerPolicy:
    """When to open, how long to stay open, and how many probes decide recovery."""

    window: int = 20
    minimum_calls: int = 10
    failure_rate: float = 0.5
    slow_call_rate: float = 0.8
    slow_call_seconds: float = 2.0
    open_seconds: float = 5.0
    half_open_probes: int = 3


@dataclass(frozen=True)
class Ticket:
    """One permitted call: the breaker epoch it was let through in, and when it started."""

    epoch: int
    started: float


Transition = Callable[[str, BreakerState, BreakerState], None]


class CircuitBreaker:
    """Counts dependency failures and slow calls of one target; opens when either rate is high."""

    def __init__(
        self,
        name: str,
        policy: BreakerPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_transition: Transition | None = None,
    ) -> None:
        self.name = name
        self._policy = policy or BreakerPolicy()
        self._clock = clock
        self._on_transition = on_transition
        self._state = BreakerState.CLOSED
        # Each transition starts a new epoch, so calls let through before it cannot sway after it.
        self._epoch = 0
        self._outcomes: deque[tuple[bool, bool]] = deque(maxlen=self._policy.window)
        self._opened_at = 0.0
        self._probes_out = 0
        self._probes_passed = 0

    @property
    def state(self) -> BreakerState:
        """The current state; an open circuit whose time is up reads as half-open."""
        if (
            self._state is BreakerState.OPEN
            and self._clock() - self._opened_at >= self._policy.open_seconds
        ):
            self._move_to(BreakerState.HALF_OPEN)
        return self._state

    def acquire(self) -> Ticket | None:
        """A ticket for one call, or None when the call must fail fast."""
        state = self.state
        if state is BreakerState.OPEN:
            return None
        if state is BreakerState.HALF_OPEN:
            if self._probes_out + self._probes_passed >= self._policy.half_open_probes:
                return None
            self._probes_out += 1
        return Ticket(epoch=self._epoch, started=self._clock())

    def record(self, ticket: Ticket, *, failed: bool) -> None:
        """The outcome of a ticket's call: `failed` only for a dependency failure."""
        if ticket.epoch != self._epoch:
            return
        slow = self._clock() - ticket.started >= self._policy.slow_call_seconds
        if self._state is BreakerState.HALF_OPEN:
            self._record_probe(failed or slow)
        elif self._state is BreakerState.CLOSED:
            self._outcomes.append((failed, slow))
            if self._rates_exceeded():
                self._move_to(BreakerState.OPEN)

    def release(self, ticket: Ticket) -> None:
        """Return a ticket whose call ended without an outcome (cancelled, or never sent)."""
        if ticket.epoch == self._epoch and self._state is BreakerState.HALF_OPEN:
            self._probes_out -= 1

    def _record_probe(self, bad: bool) -> None:
        self._probes_out -= 1
        if bad:
            self._move_to(BreakerState.OPEN)
            return
        self._probes_passed += 1
        if self._probes_passed >= self._policy.half_open_probes:
            self._move_to(BreakerState.CLOSED)

    def _rates_exceeded(self) -> bool:
        calls = len(self._outcomes)
        if calls < self._policy.minimum_calls:
            return False
        failures = sum(1 for failed, _ in self._outcomes if failed)
        slow = sum(1 for _, was_slow in self._outcomes if was_slow)
        return (
            failures / calls >= self._policy.failure_rate
            or slow / calls >= self._policy.slow_call_rate
        )

    def _move_to(self, state: BreakerState) -> None:
        previous, self._state = self._state, state
        self._epoch += 1
        self._outcomes.clear()
        self._probes_out = 0
        self._probes_passed = 0
        if state is BreakerState.OPEN:
            self._opened_at = self._clock()
        if self._on_transition is not None:
            self._on_transition(self.name, previous, state)
