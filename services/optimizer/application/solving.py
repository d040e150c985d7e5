"""The solver run off the event loop, its improving solutions reported to a run's feed."""

from __future__ import annotations

import asyncio
import time

from services.optimizer.application.feed import Progress, RunFeed
from shared.seating.planning.model import Plan, Problem
from shared.seating.planning.solver import solve

PROGRESS_EVERY_S = 0.25  # the solver's progress reaches readers at most this often


async def solve_with_progress(
    problem: Problem, feed: RunFeed, began: float, time_limit_s: float, seed: int, workers: int
) -> Plan:
    """Solve in a worker thread (CP-SAT releases the GIL); `began` is the run's monotonic start."""
    loop = asyncio.get_running_loop()
    found = 0
    last = 0.0

    def progress(seconds: float, objective: float, bound: float) -> None:
        nonlocal found, last
        found += 1
        if seconds - last >= PROGRESS_EVERY_S or found == 1:
            last = seconds
            event = Progress("SOLVING", time.monotonic() - began, found, objective, bound)
            asyncio.run_coroutine_threadsafe(feed.publish(event), loop)

    return await asyncio.to_thread(
        solve, problem, time_limit_s=time_limit_s, seed=seed, workers=workers, progress=progress
    )
