"""The gateway as a real process in front of the real suite: a booking made over HTTP/JSON."""

from __future__ import annotations

import asyncio
import secrets
import signal
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from services.availability.adapters.demo_venue import DEMO_VENUE_ID, demo_start_time
from shared.auth import Role, mint_token
from tests.databases import demo_database
from tests.e2e.suite import Suite, start_suite

SECRET = secrets.token_urlsafe(48)
CONFIRM_SECONDS = 20.0


@pytest.fixture(scope="module")
async def gateway_db(postgres_admin_url: str) -> AsyncIterator[str]:
    async with demo_database(postgres_admin_url, "maitred_gateway") as url:
        yield url


@pytest.fixture(scope="module")
async def suite(
    gateway_db: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Suite]:
    started = await asyncio.to_thread(
        start_suite,
        gateway_db,
        redis_url,
        SECRET,
        Path(tmp_path_factory.mktemp("gateway-suite")),
        extra_env={"MAITRED_EVENTS_STREAM": f"maitred:e2e:{uuid.uuid4().hex[:8]}"},
        gateway=True,
    )
    yield started
    await asyncio.to_thread(started.stop)


async def test_a_booking_made_over_http_is_confirmed_and_the_gateway_stops_cleanly(suite: Suite):
    gateway = suite.services["gateway"]
    ops = mint_token(SECRET, subject="e2e", roles=[Role.OPS], venues=[DEMO_VENUE_ID],
                     ttl_seconds=600, issuer="maitred")  # fmt: skip
    bookings = f"/v1/venues/{DEMO_VENUE_ID}/bookings"
    start = demo_start_time(datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"requestId": uuid.uuid4().hex, "booking": {"partySize": 4, "startTime": start}}
    async with aiohttp.ClientSession(
        base_url=f"http://127.0.0.1:{gateway.port}", headers={"Authorization": f"Bearer {ops}"}
    ) as http:
        async with http.post(bookings, json=body) as created:
            assert created.status == 200, await created.text()
            booking_id = (await created.json())["booking"]["bookingId"]
        deadline = time.monotonic() + CONFIRM_SECONDS
        while True:
            async with http.get(f"{bookings}/{booking_id}") as read:
                assert read.status == 200, await read.text()
                booking = (await read.json())["booking"]
            if booking["state"] == "BOOKING_STATE_CONFIRMED" or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
    assert booking["state"] == "BOOKING_STATE_CONFIRMED", booking
    assert booking["tableIds"]
    assert gateway.process is not None
    gateway.process.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(gateway.process.wait, 15) == 0, gateway.log_tail()
