"""The journey benchmark's counts of work per booking, and the bare gRPC echo ceiling.

Counts come from the suite itself, sampled before and after a phase: gRPC calls served (each
service's Prometheus `maitred_rpc_duration_seconds_count`), PostgreSQL transactions of the
run's database (`pg_stat_database`), and Redis commands (`INFO commandstats` of the bench's own
Redis server, so nothing else is counted; the bench's own XREAD, XINFO and INFO are left out).
Stream events are the XADDs among those commands.
"""

from __future__ import annotations

import asyncio
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from typing import Any

import grpc
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.availability_bench import free_port, stop_process
from bench.echo_server import METHOD

RPC_COUNT = "maitred_rpc_duration_seconds_count{"
RELAY_BATCHES = "maitred_outbox_batches_total "
# The bench's own commands on the suite's Redis: its observation of the stream and its probes.
BENCH_COMMANDS = frozenset(
    {"xread", "xinfo|groups", "xinfo", "info", "ping", "hello", "client|setinfo"}
)
PG_SETTLE_SECONDS = 1.5  # PostgreSQL publishes a backend's counters within a second of idling
XACTS = text("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = :name")


def rpc_counts(metrics_text: str) -> Counter[str]:
    """Calls served per method ("Service/Method") in one Prometheus exposition."""
    found: Counter[str] = Counter()
    for line in metrics_text.splitlines():
        if not line.startswith(RPC_COUNT):
            continue
        labels, _, value = line[len(RPC_COUNT) :].partition("} ")
        fields = dict(part.split("=", 1) for part in labels.split(","))
        service = fields["service"].strip('"').rsplit(".", 1)[-1]
        found[f"{service}/{fields['method'].strip(chr(34))}"] += int(float(value))
    return found


def relay_batches(metrics_text: str) -> int:
    """The outbox relay's transactions that published rows, in one exposition (0: no relay)."""
    for line in metrics_text.splitlines():
        if line.startswith(RELAY_BATCHES):
            return int(float(line[len(RELAY_BATCHES) :]))
    return 0


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return str(reply.read().decode())


@dataclass
class WorkProbe:
    """Samples the counters; `per_booking` turns two samples into work per booking."""

    metrics_urls: dict[str, str]
    engine: AsyncEngine
    database: str
    redis: Redis

    async def sample(self) -> dict[str, Any]:
        await asyncio.sleep(PG_SETTLE_SECONDS)
        calls: Counter[str] = Counter()
        batches = 0
        for url in self.metrics_urls.values():
            exposition = await asyncio.to_thread(_fetch, url)
            calls.update(rpc_counts(exposition))
            batches += relay_batches(exposition)
        async with self.engine.connect() as db:
            await db.execute(text("SELECT pg_stat_clear_snapshot()"))
            xacts = int(await db.scalar(XACTS, {"name": self.database}) or 0)
        stats = await self.redis.info("commandstats")
        commands = {
            name.removeprefix("cmdstat_"): int(entry["calls"]) for name, entry in stats.items()
        }
        return {"calls": calls, "xacts": xacts, "commands": commands, "batches": batches}

    @staticmethod
    def per_booking(before: dict[str, Any], after: dict[str, Any], bookings: int) -> dict[str, Any]:
        """Work per booking between the samples (the probe's own transaction taken out)."""
        n = max(bookings, 1)
        calls = after["calls"] - before["calls"]
        commands = {
            name: count - before["commands"].get(name, 0)
            for name, count in after["commands"].items()
            if name not in BENCH_COMMANDS and count > before["commands"].get(name, 0)
        }
        xacts = after["xacts"] - before["xacts"] - 1
        return {
            "bookings": bookings,
            "grpc_calls": round(sum(calls.values()) / n, 2),
            "grpc_calls_by_method": {m: round(c / n, 2) for m, c in calls.most_common()},
            "pg_transactions": round(xacts / n, 2),
            "relay_transactions": round((after["batches"] - before["batches"]) / n, 2),
            "stream_events": round(commands.get("xadd", 0) / n, 2),
            "redis_commands": round(sum(commands.values()) / n, 2),
            "redis_commands_by_name": {
                name: round(count / n, 2)
                for name, count in sorted(commands.items(), key=lambda kv: -kv[1])
            },
        }


async def echo_ceiling(seconds: float = 5.0, concurrency: int = 32) -> dict[str, Any]:
    """Calls per second a bare grpc.aio echo (its own process) serves to this process."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.echo_server", str(port)
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            echo = channel.unary_unary(METHOD)
            await echo(b"warm", wait_for_ready=True, timeout=30)
            done = 0
            deadline = time.monotonic() + seconds

            async def worker() -> None:
                nonlocal done
                while time.monotonic() < deadline:
                    await echo(b"x" * 64, timeout=10)
                    done += 1

            started = time.monotonic()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.monotonic() - started
    finally:
        await stop_process(process, 5)
    return {
        "calls_per_second": round(done / elapsed, 1),
        "seconds": round(elapsed, 1),
        "concurrency": concurrency,
    }
