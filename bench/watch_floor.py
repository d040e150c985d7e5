"""The floor under the watch fan-out: a bare grpc.aio server sending one message to each stream.

`python -m bench.watch_floor [--streams 1000] [--changes 20]` starts a server with no app code
(`--serve PORT` in its own process, on uvloop and with its heap settled as the availability
service runs): it answers
WatchSnapshots with the same pre-serialized bytes to every stream when told to (a unary
`/bench.WatchFloor/Fire` call), each stream an async generator waiting on its own event, as the
service's hub does. The availability benchmark's watch clients (4 processes, 100 streams per
channel) read them, so the delays, the server's CPU and the clients' CPU per change compare
with `availability_bench`'s watch rows: what any grpc.aio server would need on this machine.
Results go to bench/results/watch_floor.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc

from bench.availability_bench import (
    CHANGE_SPACING_SECONDS,
    RESULTS,
    ROOT,
    WATCH_CLIENT_PROCESSES,
    cpu_seconds,
    free_port,
    machine,
    receive,
    send,
    spawn_client,
    stop_process,
    watch_report,
)
from services.availability.main import settle_heap
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import snapshot_pb2 as pb

SIZES = (240, 25_000)  # a delta's and a whole snapshot's bytes, as the service sends them


class Fanout:
    """The streams' events and the message they are all sent next."""

    def __init__(self) -> None:
        self.events: set[asyncio.Event] = set()
        self.message = b""
        self.version = 0

    def fire(self, size: int) -> int:
        self.version += 1
        filler = ["x" * 100] * max(size // 102, 0)
        delta = pb.SnapshotDelta(
            base_version=self.version - 1, version=self.version, removed_table_ids=filler
        )
        self.message = api.WatchSnapshotsResponse(delta=delta).SerializeToString()
        for event in self.events:
            event.set()
        return self.version

    async def stream(self, request: bytes, context: grpc.aio.ServicerContext) -> Any:
        event = asyncio.Event()
        self.events.add(event)
        try:
            yield api.WatchSnapshotsResponse(delta=pb.SnapshotDelta()).SerializeToString()
            while True:
                await event.wait()
                event.clear()
                yield self.message
        finally:
            self.events.discard(event)


async def serve(port: int) -> None:
    fanout = Fanout()

    async def fire(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return str(fanout.fire(int(request))).encode()

    server = grpc.aio.server(maximum_concurrent_rpcs=4096)
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "maitred.availability.v1.AvailabilityService",
                {"WatchSnapshots": grpc.unary_stream_rpc_method_handler(fanout.stream)},
            ),
            grpc.method_handlers_generic_handler(
                "bench.WatchFloor", {"Fire": grpc.unary_unary_rpc_method_handler(fire)}
            ),
        )
    )
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    settle_heap()  # as the availability service does
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await server.stop(1)


async def phase(port: int, pid: int, streams: int, changes: int, size: int) -> dict[str, Any]:
    clients = min(WATCH_CLIENT_PROCESSES, streams)
    shares = [streams // clients + (1 if n < streams % clients else 0) for n in range(clients)]
    config = {
        "target": f"ipv4:127.0.0.1:{port}",
        "token": "-",
        "venue": "floor",
        "start": datetime(2030, 1, 1, 17, tzinfo=UTC).isoformat(),
        "end": datetime(2030, 1, 1, 23, tzinfo=UTC).isoformat(),
        "ready_seconds": 60,
        "deltas": True,
    }
    log = Path(tempfile.gettempdir()) / "watch_floor_clients.log"
    processes = [await spawn_client({**config, "streams": n}, log) for n in shares]
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        fire = channel.unary_unary("/bench.WatchFloor/Fire")
        try:
            started = time.monotonic()
            ready = [await receive(p, 90) for p in processes]
            ready_after = time.monotonic() - started
            commits = []
            cpu = cpu_seconds(pid)
            for _ in range(changes):
                began, at = time.monotonic(), time.time()
                version = int(await fire(str(size).encode()))
                commits.append((version, at, "fire"))
                await asyncio.sleep(max(0.0, CHANGE_SPACING_SECONDS - (time.monotonic() - began)))
            for process in processes:
                await send(process, {"finish": commits[-1][0], "seconds": 60})
            done = [await receive(p, 120) for p in processes]
            cpu = cpu_seconds(pid) - cpu
        finally:
            for process in processes:
                await stop_process(process, 10)
    report = {"bytes": size, **watch_report(streams, shares, ready, ready_after, commits, done)}
    report["service_cpu_ms_per_change"] = round(cpu * 1000 / changes, 1)
    report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return report


async def run(streams: int, changes: int) -> dict[str, Any]:
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.watch_floor", "--serve", str(port), cwd=ROOT
    )
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "phases": [],
    }
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            await asyncio.wait_for(channel.channel_ready(), 30)
        for size in SIZES:
            print(f"  {streams} streams, {size} B messages", flush=True)
            results["phases"].append(await phase(port, server.pid, streams, changes, size))
    finally:
        await stop_process(server)
    return results


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "# Watch fan-out floor: a bare grpc.aio server",
        "",
        f"{results['date']}. Machine: {m['nproc']} x {m['cpu_model']}, {m['platform']}; Python "
        f"{m['python']}; load average at the start {m['load_average_at_start']}. Server: "
        "grpc.aio on uvloop, no interceptors, one async generator per stream waiting on its "
        "own event, the same bytes to every stream. Clients: the availability benchmark's.",
        "",
        "| streams | bytes | p50 | p90 | p99 | max | delivered / pairs | coalesced | "
        "server CPU per change (ms) | clients' CPU per change (ms) | load after |",
        "|" + " --- |" * 11,
    ]
    for p in results["phases"]:
        d = p["delay_ms"]
        lines.append(
            f"| {p['streams']} | {p['bytes']} | {d['p50']} | {d['p90']} | {d['p99']} | "
            f"{d['max']} | {p['delivered']} / {p['pairs']} | {p['coalesced_messages']} | "
            f"{p['service_cpu_ms_per_change']} | {p['client_cpu_ms_per_change']} | "
            f"{p['load_average']} |"
        )
    lines += [
        "",
        "Delay: from just before the Fire call to a stream's receipt. CPU per change: the "
        "process's CPU time (every thread, kernel time included: each stream's write is a "
        "sendmsg that runs loopback TCP for the receiver too) over the changes.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        import uvloop

        uvloop.run(serve(args.serve))
        return
    results = asyncio.run(run(args.streams, args.changes))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "watch_floor.json").write_text(json.dumps(results, indent=2) + "\n")
    report = render(results)
    (RESULTS / "watch_floor.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
