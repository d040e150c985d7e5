"""A real headless Chromium against the gateway process: CORS as a browser enforces it, and
the swagger-ui page rendering the OpenAPI document from the gateway alone."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import Browser, async_playwright

from services.availability.adapters.demo_venue import DEMO_VENUE_ID
from services.gateway.main import FILES
from services.gateway.routes import routes_of
from tests.e2e.chromium import launch
from tests.e2e.conftest import REPO, STARTUP_SECONDS, StateProcess, free_port

# The Ops UI's call: a token and a request id, so the browser sends a preflight first.
PAGE = """<!doctype html>
<title>ops ui</title>
<script>
const asked = new URLSearchParams(location.search);
window.result = fetch(asked.get("gateway") + "/v1/venues/VENUE/bookings?pageSize=1", {
  headers: {authorization: "Bearer " + asked.get("token"), "x-request-id": "from-the-browser"},
}).then(async (answer) => ({
  status: answer.status,
  requestId: answer.headers.get("x-request-id"),
  body: await answer.json(),
})).catch((error) => ({error: String(error)}));
</script>
""".replace("VENUE", DEMO_VENUE_ID)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_gateway(state: StateProcess, origins: str, log_path: Path) -> tuple[Any, int]:
    """A gateway process in front of the state service, allowing the given origins."""
    port, away = free_port(), f"127.0.0.1:{free_port()}"
    env = os.environ | {
        "MAITRED_HOST": "127.0.0.1",
        "MAITRED_GATEWAY_PORT": str(port),
        "MAITRED_STATE_ADDRESS": state.target,
        "MAITRED_AVAILABILITY_ADDRESS": away,
        "MAITRED_ASSIGNER_ADDRESS": away,
        "MAITRED_OPTIMIZER_ADDRESS": away,
        "MAITRED_GATEWAY_CORS_ORIGINS": origins,
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.gateway.main"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + STARTUP_SECONDS
    while not http_ok(f"http://127.0.0.1:{port}/healthz"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"gateway did not start:\n{log_path.read_text()}")
        time.sleep(0.1)
    return process, port


@pytest.fixture(scope="module")
async def page_origin() -> AsyncIterator[str]:
    """The Ops UI's page, served from its own origin (another port)."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.fixture(scope="module")
def gateways(
    state: StateProcess, page_origin: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, int]]:
    """Two gateways: one allows the page's origin, one allows only another origin."""
    logs = tmp_path_factory.mktemp("gateways")
    allowing, allowed_port = start_gateway(state, page_origin, logs / "allowing.log")
    other, other_port = start_gateway(state, "https://ops.example.com", logs / "other.log")
    yield {"allowing": allowed_port, "other": other_port}
    for process in (allowing, other):
        process.terminate()
        process.wait(15)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await launch(playwright)
        yield launched
        await launched.close()


async def call_from_page(browser: Browser, page_origin: str, gateway_port: int, token: str):
    page = await browser.new_page()
    try:
        await page.goto(f"{page_origin}/?gateway=http://127.0.0.1:{gateway_port}&token={token}")
        return await asyncio.wait_for(page.evaluate("window.result"), 20)
    finally:
        await page.close()


async def test_a_page_on_an_allowed_origin_calls_the_gateway_with_its_token(
    browser, page_origin, gateways, ops_token
):
    result = await call_from_page(browser, page_origin, gateways["allowing"], ops_token)
    assert result.get("status") == 200, result
    assert result["requestId"] == "from-the-browser"  # exposed to the page
    assert "bookings" in result["body"]


async def test_a_page_on_an_origin_the_gateway_does_not_allow_is_refused_by_the_browser(
    browser, page_origin, gateways, ops_token
):
    result = await call_from_page(browser, page_origin, gateways["other"], ops_token)
    assert "status" not in result
    assert "Failed to fetch" in result["error"]


async def test_the_docs_page_renders_every_operation_from_the_gateway_alone(browser, gateways):
    page = await browser.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith("http://127.0.0.1:") else None
        ),
    )
    try:
        await page.goto(f"http://127.0.0.1:{gateways['other']}/docs/")
        operations = len(routes_of(FILES))
        await page.wait_for_function(
            f"document.querySelectorAll('.opblock').length >= {operations}", timeout=20_000
        )
        paths = await page.locator(".opblock-summary-path").all_inner_texts()
    finally:
        await page.close()
    assert any("/v1/venues/{venue_id}/bookings" in path for path in paths)
    assert outside == []
