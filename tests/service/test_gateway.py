"""The HTTP/JSON gateway in front of the real state and availability services, over HTTP."""

from __future__ import annotations

import asyncio
import io
import json
import re
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.main import start
from services.gateway.settings import GatewaySettings
from services.state.adapters.tables import bookings
from shared.auth import Role
from shared.metrics import REGISTRY
from tests.service.availability_floor import allocate, seed_floor, tomorrow_at
from tests.service.conftest import evening_in_three_days, token
from tests.service.test_availability_service import start_availability

BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
OPS = {"Authorization": f"Bearer {token(Role.OPS)}"}
BOOKINGS = "/v1/venues/venue-a/bookings"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# A watch's window as query parameters: tomorrow 18:00-22:00 UTC.
EVENING = {"window.startTime": rfc3339(tomorrow_at(18)), "window.endTime": rfc3339(tomorrow_at(22))}


def nowhere() -> str:
    """An address where nothing listens: a port bound once, then let go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def new_booking(request_id: str, party_size: int = 4, **fields: Any) -> dict[str, Any]:
    booking = {"partySize": party_size, "startTime": rfc3339(evening_in_three_days())}
    return {"requestId": request_id, "booking": booking, **fields}


def violations(body: dict[str, Any]) -> list[str]:
    """The fields named by the one google.rpc.BadRequest among a Status body's details."""
    (bad_request,) = [d for d in body["details"] if d["@type"] == BAD_REQUEST]
    return [violation["field"] for violation in bad_request["fieldViolations"]]


async def rows_with(engine: AsyncEngine, request_id: str) -> int:
    async with engine.connect() as db:
        count = await db.scalar(select(func.count()).where(bookings.c.request_id == request_id))
    return int(count or 0)


@pytest.fixture(scope="module")
async def gateway(database_url: str, redis_url: str, state_address: str) -> AsyncIterator[str]:
    availability = await start_availability(database_url, redis_url)
    away = nowhere()  # assigner and optimizer: a service that is away
    settings = GatewaySettings(
        host="127.0.0.1", state_address=state_address,
        availability_address=f"127.0.0.1:{availability.port}",
        assigner_address=away, optimizer_address=away,
        gateway_timeout_seconds=5, grace_period_seconds=1,
    )  # fmt: skip
    running = await start(settings, port=0)
    yield f"http://127.0.0.1:{running.port}"
    await running.stop(1)
    await availability.stop(0.5)


@pytest.fixture(scope="module")
async def http(gateway: str) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=gateway) as session:
        yield session


async def test_a_booking_created_over_http_reads_back_with_its_id_state_and_version(http):
    async with http.post(BOOKINGS, json=new_booking(uuid.uuid4().hex), headers=OPS) as created:
        assert created.status == 200, await created.text()
        assert re.fullmatch(r"[0-9a-f]{32}", created.headers["X-Request-Id"])
        booking = (await created.json())["booking"]
    assert booking["venueId"] == "venue-a" and booking["partySize"] == 4
    assert booking["state"] == "BOOKING_STATE_CREATED"
    assert booking["version"] == "1"  # int64 is a JSON string
    path = f"{BOOKINGS}/{booking['bookingId']}"
    async with http.get(path, headers=OPS | {"X-Request-Id": "trace-me"}) as read:
        assert read.status == 200, await read.text()
        assert read.headers["X-Request-Id"] == "trace-me"
        again = (await read.json())["booking"]
    assert (again["bookingId"], again["state"], again["version"]) == (
        booking["bookingId"],
        "BOOKING_STATE_CREATED",
        "1",
    )


async def test_a_replayed_request_id_returns_the_same_booking_and_creates_one(http, engine):
    request_id = uuid.uuid4().hex
    ids = []
    for _ in range(2):
        async with http.post(BOOKINGS, json=new_booking(request_id), headers=OPS) as response:
            assert response.status == 200, await response.text()
            ids.append((await response.json())["booking"]["bookingId"])
    assert ids[0] == ids[1]
    assert await rows_with(engine, request_id) == 1


async def test_a_field_the_service_refuses_is_a_400_naming_it_and_nothing_is_created(http, engine):
    request_id = uuid.uuid4().hex
    async with http.post(BOOKINGS, json=new_booking(request_id, 0), headers=OPS) as response:
        assert response.status == 400
        body = await response.json()
    assert body["code"] == 3
    assert violations(body) == ["booking.party_size"]
    assert await rows_with(engine, request_id) == 0


@pytest.mark.parametrize(
    ("method", "path", "send", "field", "mentions"),
    [
        ("POST", BOOKINGS, {"json": new_booking(uuid.uuid4().hex, bogusField=1)}, "bogus_field",
         "bogusField"),
        ("POST", BOOKINGS, {"data": b"{not json", "headers": {"Content-Type": "application/json"}},
         "body", "not JSON"),
        ("GET", BOOKINGS, {"params": {"bogusFilter": "1"}}, "bogusFilter", "not a field"),
        ("POST", BOOKINGS, {"json": new_booking(uuid.uuid4().hex, venueId="venue-b")}, "venue_id",
         "venue-b"),
    ],
    ids=["unknown-json-field", "not-json", "unknown-query-parameter", "venue-differs-from-path"],
)  # fmt: skip
async def test_a_request_the_gateway_cannot_translate_is_a_400_naming_the_field(
    http, engine, method, path, send, field, mentions
):
    send = dict(send)
    request_id = send.get("json", {}).get("requestId")
    headers = OPS | send.pop("headers", {})
    async with http.request(method, path, headers=headers, **send) as response:
        assert response.status == 400, await response.text()
        body = await response.json()
    assert body["code"] == 3
    assert violations(body) == [field]
    assert mentions in body["details"][0]["fieldViolations"][0]["description"]
    if request_id is not None:
        assert await rows_with(engine, request_id) == 0


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, 16),
        ({"Authorization": f"Bearer {token(Role.OPS, venues=('venue-b',))}"}, 403, 7),
    ],
    ids=["no-token", "token-for-another-venue"],
)
async def test_the_services_refusal_of_a_caller_keeps_its_http_status_and_status_body(
    http, headers, status, code
):
    async with http.get(BOOKINGS, headers=headers) as response:
        assert response.status == status
        assert response.content_type == "application/json"
        body = await response.json()
    assert body["code"] == code and body["message"]


async def test_an_unknown_path_is_a_json_404_and_a_wrong_method_a_405_with_allow(http):
    async with http.get("/v1/nowhere", headers=OPS) as missing:
        assert missing.status == 404
        assert (await missing.json())["code"] == 5
    async with http.delete(BOOKINGS, headers=OPS) as wrong:
        assert wrong.status == 405
        assert wrong.headers["Allow"] == "GET, POST"
        assert (await wrong.json())["code"] == 12


async def test_a_service_that_is_away_is_a_503_and_readiness_names_it(http):
    async with http.get("/v1/venues/venue-a/allocations", headers=OPS) as response:
        assert response.status == 503
        assert (await response.json())["code"] == 14
    async with http.get("/readyz") as ready:
        assert ready.status == 503
        states = await ready.json()
    assert states["maitred.assigner.v1.AssignerService"].startswith("UNREACHABLE")
    assert states["maitred.optimizer.v1.OptimizerService"].startswith("UNREACHABLE")
    assert states["maitred.state.v1.BookingService"] == "SERVING"
    assert states["maitred.availability.v1.AvailabilityService"] == "SERVING"
    async with http.get("/healthz") as live:
        assert live.status == 200


async def test_a_watch_streams_the_snapshot_then_a_later_version_as_ndjson(http, engine):
    venue = f"gw-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    async with http.get(
        f"/v1/venues/{venue}/snapshot:watch", params=EVENING, headers=OPS
    ) as stream:
        assert stream.status == 200, await stream.text()
        assert stream.content_type == "application/x-ndjson"
        first = json.loads(await asyncio.wait_for(stream.content.readline(), 10))
        version = int(first["result"]["snapshot"]["version"])
        assert version > 0
        seven = tomorrow_at(19)
        await allocate(engine, venue, ["t1"], seven, seven + timedelta(hours=1), kind="HOLD",
                       expire=datetime.now(UTC) + timedelta(minutes=5))  # fmt: skip
        later = json.loads(await asyncio.wait_for(stream.content.readline(), 10))
    assert int(later["result"]["snapshot"]["version"]) > version


async def test_a_watch_with_deltas_streams_the_whole_snapshot_then_a_delta_as_ndjson(http, engine):
    venue = f"gw-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    async with http.get(
        f"/v1/venues/{venue}/snapshot:watch", params={**EVENING, "deltas": "true"}, headers=OPS
    ) as stream:
        assert stream.status == 200, await stream.text()
        first = json.loads(await asyncio.wait_for(stream.content.readline(), 10))["result"]
        assert "delta" not in first
        version = int(first["snapshot"]["version"])
        seven = tomorrow_at(19)
        await allocate(engine, venue, ["t1"], seven, seven + timedelta(hours=1), kind="HOLD",
                       expire=datetime.now(UTC) + timedelta(minutes=5))  # fmt: skip
        later = json.loads(await asyncio.wait_for(stream.content.readline(), 10))["result"]
    assert "snapshot" not in later
    assert int(later["delta"]["baseVersion"]) == version
    assert int(later["delta"]["version"]) > version
    assert [t["tableId"] for t in later["delta"]["tables"]] == [f"{venue}-t1"]


def ended_watches() -> float:
    """WatchSnapshots calls the in-process availability server has finished, any code."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "maitred_rpc_duration_seconds"
        for sample in metric.samples
        if sample.name.endswith("_count") and sample.labels["method"] == "WatchSnapshots"
    )


def hung_up_watches() -> float:
    labels = {"method": "GET", "route": "/v1/venues/{venue_id}/snapshot:watch", "status": "499"}
    return REGISTRY.get_sample_value("maitred_http_duration_seconds_count", labels) or 0.0


async def test_a_watcher_that_hangs_up_ends_its_upstream_watch_without_another_change(http, engine):
    venue = f"gw-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    async with http.get(
        f"/v1/venues/{venue}/snapshot:watch", params=EVENING, headers=OPS
    ) as stream:
        assert stream.status == 200, await stream.text()
        await asyncio.wait_for(stream.content.readline(), 10)
        before = (ended_watches(), hung_up_watches())
    for _ in range(50):  # up to 5 s, with no change written to the venue meanwhile
        if ended_watches() > before[0]:
            break
        await asyncio.sleep(0.1)
    assert ended_watches() > before[0]
    assert hung_up_watches() > before[1]  # the gateway counts it as 499, client closed request


async def test_a_watch_with_an_invalid_window_is_a_400_not_a_stream(http):
    too_long = {
        "window.startTime": rfc3339(tomorrow_at(12)),
        "window.endTime": rfc3339(tomorrow_at(12) + timedelta(hours=25)),
    }
    async with http.get(
        "/v1/venues/venue-a/snapshot:watch", params=too_long, headers=OPS
    ) as response:
        assert response.status == 400
        assert response.content_type == "application/json"
        body = await response.json()
    assert body["code"] == 3
    assert violations(body) == ["window"]


async def test_metrics_count_each_request_under_its_route_template(http):
    sample = re.compile(
        r'^maitred_http_duration_seconds_count\{method="GET",'
        r'route="/v1/venues/\{venue_id\}/bookings/\{booking_id\}",status="404"\} (\S+)$',
        re.MULTILINE,
    )

    async def counted() -> float:
        async with http.get("/metrics") as response:
            assert response.status == 200
            found = sample.search(await response.text())
        return float(found.group(1)) if found else 0.0

    before = await counted()
    async with http.get(f"{BOOKINGS}/{uuid.uuid4()}", headers=OPS) as response:
        assert response.status == 404, await response.text()
    assert await counted() == before + 1


async def test_a_body_over_one_mebibyte_is_a_413_in_the_status_shape_and_creates_nothing(
    http, engine
):
    request_id = f"big-{uuid.uuid4().hex[:8]}"
    body = json.dumps(new_booking(request_id, notes="x" * (1024 * 1024))).encode()
    headers = OPS | {"Content-Type": "application/json"}
    async with http.post(BOOKINGS, headers=headers, data=io.BytesIO(body)) as response:
        assert response.status == 413, await response.text()
        assert response.content_type == "application/json"
        status = await response.json()
    assert status["code"] == 3 and "1 MiB" in status["message"]
    assert violations(status) == ["body"]
    assert await rows_with(engine, request_id) == 0


@pytest.mark.parametrize("depth", [5_000, 100_000])
async def test_json_nested_very_deep_is_a_400_naming_the_body(http, engine, depth):
    request_id = f"deep-{uuid.uuid4().hex[:8]}"
    nested = "[" * depth + "]" * depth
    text = json.dumps(new_booking(request_id))[:-1] + f', "extra": {nested}}}'
    headers = OPS | {"Content-Type": "application/json"}
    async with http.post(BOOKINGS, headers=headers, data=text.encode()) as response:
        assert response.status == 400, await response.text()
        status = await response.json()
    assert status["code"] == 3
    assert violations(status) == ["body"]
    assert await rows_with(engine, request_id) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"booking": 5}, "booking"),
        ({"venueId": {"nested": 1}}, "venue_id"),
        ({"booking": {"startTime": "9999-12-31T23:59:59Z", "partySize": 2}}, "booking.start_time"),
        ({"booking": {"notes": "a\u0000b", "partySize": 2}}, "booking.notes"),
        ({"booking": {"notes": "\udc80", "partySize": 2}}, "body"),
    ],
    ids=[
        "message-as-number",
        "path-field-as-object",
        "last-second-of-9999",
        "nul-in-notes",
        "lone-surrogate",
    ],
)
async def test_odd_values_in_a_body_are_a_400_never_a_500(http, body, field):
    async with http.post(BOOKINGS, headers=OPS, json={"requestId": "odd-1", **body}) as response:
        assert response.status == 400, await response.text()
        status = await response.json()
    assert status["code"] == 3
    assert field in violations(status)
