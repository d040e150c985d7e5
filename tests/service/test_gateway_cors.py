"""CORS at the gateway, over HTTP: preflights and answers for allowed and refused origins."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest

from services.gateway.main import start
from services.gateway.settings import GatewaySettings
from tests.service.availability_floor import seed_floor
from tests.service.test_availability_service import start_availability
from tests.service.test_gateway import EVENING, OPS, nowhere

UI = "http://ops-ui.test:5173"
STRANGER = "http://elsewhere.test"
BOOKINGS = "/v1/venues/venue-a/bookings"


def preflight(origin: str, method: str = "POST", headers: str = "authorization, content-type"):
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


def cors_headers(response: aiohttp.ClientResponse) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access-")}


async def gateway_session(
    state_address: str, availability_address: str, origins: tuple[str, ...]
) -> AsyncIterator[aiohttp.ClientSession]:
    settings = GatewaySettings(
        host="127.0.0.1", state_address=state_address, availability_address=availability_address,
        assigner_address=nowhere(), optimizer_address=nowhere(),
        gateway_timeout_seconds=5, grace_period_seconds=1,
        gateway_cors_origins=origins, gateway_cors_max_age_seconds=300,
    )  # fmt: skip
    running = await start(settings, port=0)
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{running.port}") as session:
        yield session
    await running.stop(1)


@pytest.fixture(scope="module")
async def availability_address(database_url: str, redis_url: str) -> AsyncIterator[str]:
    availability = await start_availability(database_url, redis_url)
    yield f"127.0.0.1:{availability.port}"
    await availability.stop(0.5)


@pytest.fixture(scope="module")
async def http(state_address: str, availability_address: str):
    async for session in gateway_session(state_address, availability_address, (UI,)):
        yield session


async def test_a_preflight_from_an_allowed_origin_is_a_204_with_the_routes_methods(http):
    asked = preflight(UI, headers="Authorization, Content-Type, X-Request-Id, X-Not-Allowed")
    async with http.options(BOOKINGS, headers=asked) as answer:
        assert answer.status == 204
        headers = cors_headers(answer)
        vary = answer.headers.getall("Vary")
    assert headers["access-control-allow-origin"] == UI
    assert headers["access-control-allow-methods"] == "GET, POST"  # ListBookings, CreateBooking
    assert headers["access-control-allow-headers"] == "authorization, content-type, x-request-id"
    assert headers["access-control-max-age"] == "300"
    assert "access-control-allow-credentials" not in headers
    assert "Origin" in vary


@pytest.mark.parametrize(
    ("path", "method", "methods"),
    [
        ("/v1/venues/venue-a/days/2026-11-26:optimize", "POST", "POST"),
        ("/v1/venues/venue-a/adjacencyGraph", "PUT", "GET, PUT"),
    ],
)
async def test_a_preflight_names_the_methods_of_the_path_it_asks_about(http, path, method, methods):
    async with http.options(path, headers=preflight(UI, method=method)) as answer:
        assert answer.status == 204
        assert answer.headers["Access-Control-Allow-Methods"] == methods


async def test_a_preflight_from_another_origin_gets_no_cors_headers(http):
    async with http.options(BOOKINGS, headers=preflight(STRANGER)) as answer:
        assert answer.status == 405
        assert cors_headers(answer) == {}


async def test_a_preflight_for_a_method_the_path_does_not_take_allows_no_method(http):
    async with http.options(BOOKINGS, headers=preflight(UI, method="DELETE")) as answer:
        assert answer.status == 405
        assert answer.headers["Allow"] == "GET, POST"
        assert "access-control-allow-methods" not in cors_headers(answer)


async def test_an_answer_to_an_allowed_origin_allows_it_and_exposes_the_request_id(http):
    headers = {**OPS, "Origin": UI, "X-Request-Id": "cors-1"}
    async with http.get(BOOKINGS, params={"pageSize": "1"}, headers=headers) as answer:
        assert answer.status == 200, await answer.text()
        assert answer.headers["Access-Control-Allow-Origin"] == UI
        exposed = answer.headers["Access-Control-Expose-Headers"]
        assert answer.headers["X-Request-Id"] == "cors-1"
        assert "Origin" in answer.headers.getall("Vary")
    assert {name.strip() for name in exposed.split(",")} == {"X-Request-Id", "Retry-After"}


async def test_an_answer_to_another_origin_carries_no_cors_headers(http):
    headers = {**OPS, "Origin": STRANGER}
    async with http.get(BOOKINGS, params={"pageSize": "1"}, headers=headers) as answer:
        assert answer.status == 200
        assert cors_headers(answer) == {}


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        (BOOKINGS, {}, 401),  # no token: the service refuses
        ("/v1/nowhere", OPS, 404),  # the gateway refuses
        (BOOKINGS + "?pageSize=x", OPS, 400),
    ],
)
async def test_an_error_to_an_allowed_origin_is_readable_by_its_page(http, path, headers, status):
    async with http.get(path, headers={**headers, "Origin": UI}) as answer:
        assert answer.status == status
        assert answer.headers["Access-Control-Allow-Origin"] == UI
        assert "X-Request-Id" in answer.headers["Access-Control-Expose-Headers"]
        assert (await answer.json())["code"] > 0


async def test_an_ndjson_stream_to_an_allowed_origin_is_readable_by_its_page(http, engine):
    venue = f"cors-{uuid.uuid4().hex[:8]}"
    await seed_floor(engine, venue)
    headers = {**OPS, "Origin": UI}
    async with http.get(
        f"/v1/venues/{venue}/snapshot:watch", params=EVENING, headers=headers
    ) as stream:
        assert stream.status == 200, await stream.text()
        assert stream.content_type == "application/x-ndjson"
        assert stream.headers["Access-Control-Allow-Origin"] == UI
        assert "X-Request-Id" in stream.headers["Access-Control-Expose-Headers"]
        first = json.loads(await asyncio.wait_for(stream.content.readline(), 10))
    assert int(first["result"]["snapshot"]["version"]) > 0


async def test_without_origins_a_preflight_is_refused_and_answers_carry_no_cors(
    state_address, availability_address
):
    async for http in gateway_session(state_address, availability_address, ()):
        async with http.options(BOOKINGS, headers=preflight(UI)) as answer:
            assert answer.status == 405
            assert cors_headers(answer) == {}
        async with http.get(BOOKINGS, headers={**OPS, "Origin": UI}) as answer:
            assert answer.status == 200
            assert cors_headers(answer) == {}


async def test_the_wildcard_allows_any_origin_and_never_with_credentials(
    state_address, availability_address
):
    async for http in gateway_session(state_address, availability_address, ("*",)):
        async with http.options(BOOKINGS, headers=preflight(STRANGER)) as answer:
            assert answer.status == 204
            assert answer.headers["Access-Control-Allow-Origin"] == "*"
            assert "Access-Control-Allow-Credentials" not in answer.headers
        async with http.get(BOOKINGS, headers={**OPS, "Origin": STRANGER}) as answer:
            assert answer.headers["Access-Control-Allow-Origin"] == "*"
            assert "Access-Control-Allow-Credentials" not in answer.headers
