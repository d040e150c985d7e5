"""The circuit breaker, driven by a hand-moved clock."""

from __future__ import annotations

import grpc

from shared.breaker import BreakerPolicy, BreakerState, CircuitBreaker
from shared.channels import DEPENDENCY_FAILURES

POLICY = BreakerPolicy(
    window=20,
    minimum_calls=10,
    failure_rate=0.5,
    slow_call_rate=0.8,
    slow_call_seconds=2.0,
    open_seconds=5.0,
    half_open_probes=3,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make() -> tuple[CircuitBreaker, Clock, list[tuple[str, str]]]:
    clock = Clock()
    transitions: list[tuple[str, str]] = []
    breaker = CircuitBreaker(
        "state",
        POLICY,
        clock=clock,
        on_transition=lambda _name, old, new: transitions.append((old.value, new.value)),
    )
    return breaker, clock, transitions


def call(breaker: CircuitBreaker, clock: Clock, *, failed: bool, seconds: float = 0.01) -> bool:
    """One call through the breaker; False when it was failed fast."""
    ticket = breaker.acquire()
    if ticket is None:
        return False
    clock.now += seconds
    breaker.record(ticket, failed=failed)
    return True


def opened(breaker: CircuitBreaker, clock: Clock) -> None:
    for _ in range(10):
        call(breaker, clock, failed=True)
    assert breaker.state is BreakerState.OPEN


def test_it_opens_when_half_the_calls_fail():
    breaker, clock, transitions = make()
    for index in range(10):
        call(breaker, clock, failed=index % 2 == 0)
    assert breaker.state is BreakerState.OPEN
    assert transitions == [("closed", "open")]


def test_it_stays_closed_just_under_the_failure_rate():
    breaker, clock, _ = make()
    for index in range(20):
        call(breaker, clock, failed=index % 5 >= 3)  # 40 %
    assert breaker.state is BreakerState.CLOSED


def test_it_does_not_open_below_the_minimum_number_of_calls():
    breaker, clock, _ = make()
    for _ in range(9):
        call(breaker, clock, failed=True)
    assert breaker.state is BreakerState.CLOSED
    call(breaker, clock, failed=True)
    assert breaker.state is BreakerState.OPEN


def test_it_opens_when_most_calls_are_slow_even_if_they_succeed():
    breaker, clock, _ = make()
    for index in range(10):
        call(breaker, clock, failed=False, seconds=3.0 if index < 8 else 0.01)
    assert breaker.state is BreakerState.OPEN


def test_a_few_slow_calls_do_not_open_it():
    breaker, clock, _ = make()
    for index in range(10):
        call(breaker, clock, failed=False, seconds=3.0 if index < 7 else 0.01)
    assert breaker.state is BreakerState.CLOSED


def test_only_the_last_calls_of_the_window_count():
    breaker, clock, _ = make()
    for _ in range(20):
        call(breaker, clock, failed=False)
    for _ in range(9):
        call(breaker, clock, failed=True)
    assert breaker.state is BreakerState.CLOSED  # 9 of the last 20
    call(breaker, clock, failed=True)
    assert breaker.state is BreakerState.OPEN  # 10 of the last 20, though 10 of 30 in all


def test_calls_the_dependency_refused_on_their_merits_count_as_successes():
    # The channel's interceptor records with failed=(code in DEPENDENCY_FAILURES).
    breaker, clock, _ = make()
    for code in [grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND] * 10:
        call(breaker, clock, failed=code in DEPENDENCY_FAILURES)
    assert breaker.state is BreakerState.CLOSED
    for code in [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED] * 5:
        call(breaker, clock, failed=code in DEPENDENCY_FAILURES)
    assert breaker.state is BreakerState.OPEN


def test_while_open_calls_fail_fast_until_the_open_time_is_up():
    breaker, clock, _ = make()
    opened(breaker, clock)
    assert breaker.acquire() is None
    clock.now += 4.9
    assert breaker.acquire() is None
    clock.now += 0.1
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.acquire() is not None


def test_half_open_lets_only_the_probes_through():
    breaker, clock, _ = make()
    opened(breaker, clock)
    clock.now += 5
    probes = [breaker.acquire() for _ in range(3)]
    assert all(probe is not None for probe in probes)
    assert breaker.acquire() is None


def test_all_probes_passing_close_it_again():
    breaker, clock, transitions = make()
    opened(breaker, clock)
    clock.now += 5
    for _ in range(3):
        assert call(breaker, clock, failed=False)
    assert breaker.state is BreakerState.CLOSED
    assert transitions == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
    assert call(breaker, clock, failed=False)


def test_a_failing_probe_opens_it_again_for_the_full_time():
    breaker, clock, transitions = make()
    opened(breaker, clock)
    clock.now += 5
    assert call(breaker, clock, failed=False)
    assert call(breaker, clock, failed=True)
    assert breaker.state is BreakerState.OPEN
    assert transitions[-1] == ("half_open", "open")
    clock.now += 4.9
    assert breaker.acquire() is None


def test_a_slow_probe_opens_it_again():
    breaker, clock, _ = make()
    opened(breaker, clock)
    clock.now += 5
    assert call(breaker, clock, failed=False, seconds=3.0)
    assert breaker.state is BreakerState.OPEN


def test_a_released_probe_frees_its_place():
    breaker, clock, _ = make()
    opened(breaker, clock)
    clock.now += 5
    tickets = [breaker.acquire() for _ in range(3)]
    assert breaker.acquire() is None
    first = tickets[0]
    assert first is not None
    breaker.release(first)
    assert breaker.acquire() is not None


def test_calls_let_through_before_it_opened_do_not_count_after():
    breaker, clock, _ = make()
    early = breaker.acquire()
    assert early is not None
    opened(breaker, clock)
    clock.now += 5
    assert call(breaker, clock, failed=False)
    breaker.record(early, failed=True)  # the old call ends late, while probes decide
    assert breaker.state is BreakerState.HALF_OPEN
    for _ in range(2):
        assert call(breaker, clock, failed=False)
    assert breaker.state is BreakerState.CLOSED
