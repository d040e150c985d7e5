"""The gateway serves its OpenAPI document and the swagger-ui page, from local files only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from services.gateway.main import start
from services.gateway.settings import SWAGGER_UI_DIR, GatewaySettings
from tests.service.test_gateway import nowhere


@pytest.fixture(scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    away = nowhere()
    settings = GatewaySettings(
        host="127.0.0.1", state_address=away, availability_address=away,
        assigner_address=away, optimizer_address=away, grace_period_seconds=1,
    )  # fmt: skip
    running = await start(settings, port=0)
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{running.port}") as session:
        yield session
    await running.stop(1)


def test_swagger_ui_dist_is_installed_where_the_gateway_looks():
    assert (SWAGGER_UI_DIR / "swagger-ui-bundle.js").is_file(), "run `npm ci`"


async def test_the_openapi_document_is_served_as_json(http):
    async with http.get("/openapi.json") as answer:
        assert answer.status == 200
        assert answer.content_type == "application/json"
        document = await answer.json()
    assert document["swagger"] == "2.0"
    assert document["paths"]["/v1/venues/{venue_id}/bookings"]["post"]["operationId"] == (
        "CreateBooking"
    )


async def test_the_docs_page_loads_swagger_ui_from_the_gateway_itself(http):
    async with http.get("/docs") as answer:
        assert answer.status == 200
        assert str(answer.url).endswith("/docs/")
        page = await answer.text()
    assert 'src="./swagger-ui-bundle.js"' in page
    async with http.get("/docs/swagger-ui-bundle.js") as script:
        assert script.status == 200
        assert "SwaggerUIBundle" in await script.text()
    async with http.get("/docs/swagger-initializer.js") as initializer:
        text = await initializer.text()
    assert '"../openapi.json"' in text
    assert "petstore" not in text


async def test_a_path_outside_the_docs_still_reaches_the_api(http):
    async with http.get("/v1/transitionMatrix") as answer:
        assert answer.status == 503  # the state service is away: the API route answered
