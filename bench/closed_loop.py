"""Closed-loop load for benchmarks: calls one at a time, or from N workers for a while."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bench.availability_bench import percentile

# A call takes its index (to pick a request) and raises when it fails.
Call = Callable[[int], Awaitable[object]]


def summary(values_ms: Sequence[float]) -> dict[str, float | None]:
    """p50, p95, p99, max and mean of latencies in milliseconds, to 0.01 ms."""

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "p50": rounded(percentile(values_ms, 0.5)),
        "p95": rounded(percentile(values_ms, 0.95)),
        "p99": rounded(percentile(values_ms, 0.99)),
        "max": rounded(max(values_ms) if values_ms else None),
        "mean": rounded(sum(values_ms) / len(values_ms) if values_ms else None),
    }


class Failures:
    """How many calls failed, and what the first failure said."""

    def __init__(self) -> None:
        self.count = 0
        self.first = ""

    def add(self, error: Exception) -> None:
        self.count += 1
        self.first = self.first or f"{type(error).__name__}: {error}"[:300]

    def report(self) -> dict[str, Any]:
        return {"errors": self.count, "first_error": self.first or None}


async def one_at_a_time(call: Call, count: int, warm_up: int) -> dict[str, Any]:
    """Latencies of `count` sequential calls after `warm_up` (whose failures are raised)."""
    for index in range(warm_up):
        await call(index)
    latencies: list[float] = []
    failures = Failures()
    for index in range(warm_up, warm_up + count):
        started = time.perf_counter()
        try:
            await call(index)
        except Exception as error:  # counted and reported: a failing path is a result too
            failures.add(error)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
    return {"calls": count, **summary(latencies), **failures.report()}


async def for_seconds(call: Call, workers: int, seconds: float) -> dict[str, Any]:
    """Calls per second of `workers` tasks that each call again as soon as a call returns.

    Also reports this process's CPU time per completed call (all its threads).
    """
    indexes = itertools.count()
    latencies: list[float] = []
    failures = Failures()
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            index = next(indexes)
            started = time.perf_counter()
            try:
                await call(index)
            except Exception as error:
                failures.add(error)
                continue
            latencies.append((time.perf_counter() - started) * 1000)

    cpu, began = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    done = len(latencies)
    return {
        "workers": workers,
        "seconds": round(elapsed, 2),
        "completed": done,
        "per_second": round(done / elapsed, 1),
        "cpu_ms_per_call": round(cpu * 1000 / done, 3) if done else None,
        **summary(latencies),
        **failures.report(),
    }
