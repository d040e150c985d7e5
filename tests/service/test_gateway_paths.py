"""Paths the gateway has no route for, whatever characters they hold, get its JSON 404."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from yarl import URL

from services.gateway.main import start
from services.gateway.settings import GatewaySettings
from tests.service.test_gateway import nowhere


@pytest.fixture(scope="module")
async def gateway() -> AsyncIterator[str]:
    away = nowhere()  # no service is needed to refuse a path
    settings = GatewaySettings(
        host="127.0.0.1", state_address=away, availability_address=away,
        assigner_address=away, optimizer_address=away, grace_period_seconds=1,
    )  # fmt: skip
    running = await start(settings, port=0)
    yield f"http://127.0.0.1:{running.port}"
    await running.stop(1)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/venues/%0A/nothing",
        "/v1/venues/demo-bistro/bookings/x/y%0A",
        "/nowhere%0Aat-all",
        "/%0D%0A%09",
    ],
)
async def test_an_unknown_path_with_any_characters_is_a_json_404(gateway, path):
    async with (
        aiohttp.ClientSession() as http,
        http.get(URL(gateway + path, encoded=True)) as response,
    ):
        assert response.status == 404
        assert response.content_type == "application/json"
        body = await response.json()
    assert body["code"] == 5  # NOT_FOUND
    assert body["message"]
