"""Benchmark of the ops console's live floor: how long a change takes to be drawn in the browser.

`python -m bench.console_bench` (from the repository root) seeds the demo venue into a fresh
database, starts state, availability, an assigner (coordinator off) and the gateway as
processes (PostgreSQL and Redis from DATABASE_URL / REDIS_URL, else embedded servers), opens the
console in Debian's headless chromium on the demo day, then places holds one at a time through
the gateway. For each hold it measures, from just before the `POST .../holds` call, the moment
the hold's block is in the page (a `requestAnimationFrame` poll in the page): commit, NOTIFY,
the snapshot recomputed, WatchSnapshots, the gateway's NDJSON, the browser's reader and the
redraw. Results go to bench/results/console.{json,md}.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import async_playwright

from bench.availability_bench import backends, free_port, machine, stop_process, summary
from services.availability.adapters.demo_venue import (
    DEMO_TIMEZONE,
    DEMO_VENUE_ID,
    demo_start_time,
    seed_demo_venue,
)
from shared.auth import Role, mint_token
from shared.db.engine import create_engine
from shared.db.migrate import upgrade_to_head_async
from shared.dev_servers import drop_database, ensure_database, url_with_database

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CHROMIUM = os.environ.get("MAITRED_CHROMIUM", "/usr/bin/chromium")
HOLDS, WARM_UP = 40, 3
TABLES = [f"demo-m{n:02d}" for n in range(1, 13)] + [f"demo-t{n:02d}" for n in range(1, 8)]
PORTS = {
    "state": "MAITRED_STATE_PORT",
    "availability": "MAITRED_AVAILABILITY_PORT",
    "assigner": "MAITRED_ASSIGNER_PORT",
    "gateway": "MAITRED_GATEWAY_PORT",
}


async def until_ready(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url) as reply:
                    if reply.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} never answered 200")


@contextlib.asynccontextmanager
async def suite(database_url: str, redis_url: str, secret: str, logs: Path) -> AsyncIterator[int]:
    """The four processes the console needs here; yields the gateway's port."""
    ports = {name: free_port() for name in PORTS}
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MAITRED_JWT_SECRET": secret,
        "MAITRED_HOST": "127.0.0.1",
        "MAITRED_LOG_LEVEL": "WARNING",
        "MAITRED_GRACE_PERIOD_SECONDS": "2",
        "MAITRED_COORDINATOR": "false",
        "MAITRED_OPTIMIZER_ADDRESS": "",
        "MAITRED_EVENTS_STREAM": f"maitred:bench:{uuid.uuid4().hex[:8]}",
        **{f"MAITRED_{name.upper()}_ADDRESS": f"127.0.0.1:{ports[name]}" for name in PORTS},
        **{variable: str(ports[name]) for name, variable in PORTS.items()},
    }
    # No optimizer runs here: rescue is off, and the gateway's optimizer routes go nowhere.
    unused_optimizer = {"MAITRED_OPTIMIZER_ADDRESS": f"127.0.0.1:{free_port()}"}
    processes = []
    try:
        for name in PORTS:
            with (logs / f"{name}.log").open("wb") as log:
                processes.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        f"services.{name}.main",
                        env=(env | unused_optimizer) if name == "gateway" else env,
                        cwd=ROOT,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            if name != "gateway":
                await asyncio.sleep(1.5)  # each gRPC service binds before the next needs it
        await until_ready(f"http://127.0.0.1:{ports['gateway']}/healthz")
        yield ports["gateway"]
    finally:
        for process in reversed(processes):
            await stop_process(process)


async def measure(port: int, token: str) -> dict[str, Any]:
    start = demo_start_time(datetime.now(UTC))
    day = start.astimezone(DEMO_TIMEZONE).date().isoformat()
    base = f"http://127.0.0.1:{port}"
    drawn_ms: list[float] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = await browser.new_page()
        await page.goto(f"{base}/console/#token={token}&venue={DEMO_VENUE_ID}&day={day}")
        await page.wait_for_selector("#live[data-state=live]", timeout=30_000)
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession(base_url=base, headers=headers) as http:
            for n in range(HOLDS + WARM_UP):
                table = TABLES[n % len(TABLES)]
                begin = start - timedelta(hours=6) + timedelta(minutes=30 * (n // len(TABLES)))
                body = {
                    "requestId": uuid.uuid4().hex,
                    "tableIds": [table],
                    "partySize": 2,
                    "ttl": "600s",
                    "window": {
                        "startTime": begin.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "endTime": (begin + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    },
                }
                sent = time.perf_counter()
                async with http.post(f"/v1/venues/{DEMO_VENUE_ID}/holds", json=body) as reply:
                    answer = await reply.json()
                    if reply.status != 200:
                        raise RuntimeError(f"hold refused: {answer}")
                key = f"{answer['hold']['allocationId']}:{table}"
                await page.wait_for_function(
                    'key => document.querySelector(`[data-key="${CSS.escape(key)}"]`)',
                    arg=key,
                    polling="raf",
                    timeout=30_000,
                )
                if n >= WARM_UP:
                    drawn_ms.append((time.perf_counter() - sent) * 1000)
        await browser.close()
    return summary(drawn_ms)


async def run() -> dict[str, Any]:
    load_at_start = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="maitred-console-bench-"))
    secret = secrets.token_urlsafe(48)
    try:
        async with backends(scratch) as (admin_url, redis_url, kinds):
            name = f"maitred_bench_{uuid.uuid4().hex[:10]}"
            await ensure_database(admin_url, name)
            database_url = url_with_database(admin_url, name)
            try:
                await upgrade_to_head_async(database_url)
                engine = create_engine(database_url, pool_size=2)
                try:
                    await seed_demo_venue(engine)
                finally:
                    await engine.dispose()
                token = mint_token(
                    secret,
                    subject="bench",
                    roles=[Role.OPS],
                    venues=[DEMO_VENUE_ID],
                    ttl_seconds=3600,
                    issuer="maitred",
                )
                async with suite(database_url, redis_url, secret, scratch) as port:
                    drawn = await measure(port, token)
            finally:
                await drop_database(admin_url, name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": load_at_start,
        "backends": kinds,
        "holds": HOLDS,
        "hold_to_drawn_ms": drawn,
    }


def render(results: dict[str, Any]) -> str:
    drawn = results["hold_to_drawn_ms"]
    load = ", ".join(f"{value:.2f}" for value in results["load_average"])
    return "\n".join(
        [
            "# Console: a change drawn on the live floor",
            "",
            f"{results['when']}, load average at the start {load} (1, 5, 15 min),",
            f"backends {results['backends']}.",
            "",
            f"{results['holds']} holds placed one at a time through the gateway",
            "(`POST .../holds`);",
            "each measured from just before the call until its block is in the console's page",
            "(headless chromium, `requestAnimationFrame` poll).",
            "",
            "| measure | p50 ms | p90 ms | p99 ms | max ms |",
            "|---|---|---|---|---|",
            "| hold placed -> drawn | {p50} | {p90} | {p99} | {max} |".format(**drawn),
            "",
        ]
    )


def main() -> None:
    results = asyncio.run(run())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "console.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "console.md").write_text(render(results))
    print(render(results))


if __name__ == "__main__":
    main()
