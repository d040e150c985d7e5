"""The ops console in a real headless chromium, against the suite running as processes."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from services.availability.adapters.demo_venue import DEMO_TIMEZONE, DEMO_VENUE_ID, demo_start_time
from shared.auth import Role, mint_token
from tests.databases import demo_database
from tests.e2e.chromium import launch
from tests.e2e.console_browser import axe_violations, screenshot
from tests.e2e.suite import Suite, start_suite

SECRET = secrets.token_urlsafe(48)
WAIT_MS = 20_000  # the longest any condition is waited for (bounded polling by Playwright)
START = demo_start_time(datetime.now(UTC))
DAY = START.astimezone(DEMO_TIMEZONE).date().isoformat()
DEMO_TABLES = 24


@pytest.fixture(scope="module")
async def console_db(postgres_admin_url: str) -> AsyncIterator[str]:
    async with demo_database(postgres_admin_url, "maitred_console") as url:
        yield url


@pytest.fixture(scope="module")
async def suite(
    console_db: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Suite]:
    started = await asyncio.to_thread(
        start_suite,
        console_db,
        redis_url,
        SECRET,
        Path(tmp_path_factory.mktemp("console-suite")),
        extra_env={
            "MAITRED_EVENTS_STREAM": f"maitred:e2e:{uuid.uuid4().hex[:8]}",
            "MAITRED_GATEWAY_DEV_LOGIN": "true",
            # A console's traffic is light: small pools spare a PostgreSQL shared with other tests.
            "MAITRED_DB_POOL_SIZE": "4",
        },
        gateway=True,
    )
    yield started
    await asyncio.to_thread(started.stop)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await launch(playwright)
        yield launched
        await launched.close()


@pytest.fixture
def base_url(suite: Suite) -> str:
    return f"http://127.0.0.1:{suite.services['gateway'].port}"


@pytest.fixture
def token() -> str:
    return mint_token(
        SECRET,
        subject="console-e2e",
        roles=[Role.OPS],
        venues=[DEMO_VENUE_ID],
        ttl_seconds=3600,
        issuer="maitred",
    )


@pytest.fixture
async def page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1000})
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    await screenshot(opened, request.node.name)
    await context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


async def open_floor(page: Page, base_url: str, token: str) -> int:
    """Open the console on the demo day, signed in by the token in the URL; the live version."""
    await page.goto(f"{base_url}/console/#token={token}&venue={DEMO_VENUE_ID}&day={DAY}")
    await expect(page.locator("#live")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    return int(await page.locator("table.floor").get_attribute("data-version") or "-1")


async def api(base_url: str, token: str, method: str, path: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession(base_url=base_url, headers=headers) as http,
        http.request(method, path, json=body) as reply,
    ):
        payload = await reply.json()
        assert reply.status == 200, payload
        return payload


async def create_booking(base_url: str, token: str, party_size: int, start: datetime) -> str:
    body = {
        "requestId": uuid.uuid4().hex,
        "booking": {"partySize": party_size, "startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ")},
    }
    created = await api(base_url, token, "POST", f"/v1/venues/{DEMO_VENUE_ID}/bookings", body)
    return str(created["booking"]["bookingId"])


async def send_to_review(base_url: str, token: str, booking_id: str, reason: str) -> None:
    booking = await until_state(base_url, token, booking_id, "BOOKING_STATE_CONFIRMED")
    path = f"/v1/venues/{DEMO_VENUE_ID}/bookings/{booking_id}:sendToManualReview"
    await api(
        base_url, token, "POST", path, {"expectedVersion": booking["version"], "reason": reason}
    )


async def booking_of(base_url: str, token: str, booking_id: str) -> dict[str, Any]:
    path = f"/v1/venues/{DEMO_VENUE_ID}/bookings/{booking_id}"
    return dict((await api(base_url, token, "GET", path))["booking"])


async def until_state(base_url: str, token: str, booking_id: str, *states: str) -> dict[str, Any]:
    """Poll the booking (bounded) until it is in one of `states`."""
    for _ in range(WAIT_MS // 200):
        booking = await booking_of(base_url, token, booking_id)
        if booking["state"] in states:
            return booking
        await asyncio.sleep(0.2)
    raise AssertionError(f"booking {booking_id} never reached {states}: {booking}")


async def test_the_demo_floor_loads_by_zone_after_a_development_login_with_no_axe_violations(
    page: Page, base_url: str
):
    await page.goto(f"{base_url}/console/#venue={DEMO_VENUE_ID}&day={DAY}")
    await page.get_by_label("Your name").fill("alice")
    await page.get_by_role("button", name="Mint a token and sign in").click()
    await expect(page.locator("#live")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    await expect(page.locator("#who")).to_have_text("Signed in as dev:alice")
    zones = page.locator("table.floor tbody th[scope=rowgroup]")
    await expect(zones).to_have_text(["Bar", "Main room", "Terrace"])  # as the API lists them
    await expect(page.locator("table.floor tr[data-table]")).to_have_count(DEMO_TABLES)
    await expect(page.locator("#live")).to_contain_text("Live · version")
    assert await axe_violations(page) == []


async def test_a_booking_created_through_the_api_appears_live_on_the_floor(
    page: Page, base_url: str, token: str
):
    shown = await open_floor(page, base_url, token)
    booking_id = await create_booking(base_url, token, 3, START)
    block = page.locator(f"table.floor button[data-booking='{booking_id}']")
    await expect(block).to_have_count(1, timeout=WAIT_MS)
    await expect(block).to_contain_text("3 guests")
    booking = await until_state(base_url, token, booking_id, "BOOKING_STATE_CONFIRMED")
    row = page.locator(f"table.floor tr[data-table='{booking['tableIds'][0]}']")
    await expect(row.locator(f"[data-booking='{booking_id}']")).to_contain_text("Confirmed")
    assert int(await page.locator("table.floor").get_attribute("data-version") or "0") > shown
    await expect(page.get_by_role("status").filter(has_text="Live · version")).to_have_count(1)


async def test_a_dropped_stream_reconnects_and_resumes_from_the_version_it_shows(
    page: Page, base_url: str, token: str, suite: Suite
):
    watches: list[str] = []
    page.on(
        "request",
        lambda request: watches.append(request.url) if "snapshot:watch" in request.url else None,
    )
    await open_floor(page, base_url, token)
    gateway = suite.services["gateway"]
    await asyncio.to_thread(gateway.kill)
    await expect(page.locator("#live")).to_have_attribute("data-state", "stale", timeout=WAIT_MS)
    shown = int(await page.locator("table.floor").get_attribute("data-version") or "-1")
    await expect(page.locator("#live")).to_contain_text(f"showing version {shown}")
    await asyncio.to_thread(gateway.start)
    booking_id = await create_booking(base_url, token, 2, START + timedelta(minutes=30))
    await expect(page.locator(f"table.floor [data-booking='{booking_id}']")).to_have_count(
        1, timeout=WAIT_MS
    )
    await expect(page.locator("#live")).to_have_attribute("data-state", "live")
    assert any(f"lastVersion={shown}" in url for url in watches), watches


async def test_a_manual_review_booking_is_assigned_from_the_quoted_plans_and_confirmed(
    page: Page, base_url: str, token: str
):
    booking_id = await create_booking(base_url, token, 4, START + timedelta(minutes=15))
    await send_to_review(base_url, token, booking_id, "guest asked for the window")
    await open_floor(page, base_url, token)
    row = page.locator(f"#review tr[data-booking='{booking_id}']")
    await expect(row.locator(".reason")).to_have_text("guest asked for the window", timeout=WAIT_MS)
    await row.get_by_role("button", name="Suggest tables").click()
    plans = page.locator("#review ol.plans > li")
    await expect(plans.first).to_contain_text("exact_fit", timeout=WAIT_MS)
    assert await axe_violations(page) == []
    chosen = (await plans.first.get_attribute("data-tables") or "").split(",")
    await plans.first.get_by_role("button").click()
    await expect(page.locator("#announcer")).to_contain_text("Booking assigned to", timeout=WAIT_MS)
    resolved = await until_state(
        base_url, token, booking_id, "BOOKING_STATE_ASSIGNED", "BOOKING_STATE_CONFIRMED"
    )
    assert sorted(resolved["tableIds"]) == sorted(chosen)
    if resolved["state"] == "BOOKING_STATE_ASSIGNED":  # the venue's coordinator may confirm first
        confirm = page.locator(
            f"#review tr[data-booking='{booking_id}'] button[data-action=confirm]"
        )
        await confirm.click(timeout=WAIT_MS)
        await until_state(base_url, token, booking_id, "BOOKING_STATE_CONFIRMED")
    await expect(page.locator(f"#review tr[data-booking='{booking_id}']")).to_have_count(
        0, timeout=WAIT_MS
    )
    await page.locator(f"table.floor button[data-booking='{booking_id}']").first.click()
    history = page.locator("#history")
    await expect(history).to_be_visible()
    await expect(history).to_contain_text("Manual review → Assigned")
    await expect(history).to_contain_text("guest asked for the window")
    await page.keyboard.press("Escape")
    await expect(history).to_be_hidden()


async def test_an_optimizer_dry_run_shows_progress_and_moves_on_the_floor_and_applies(
    page: Page, base_url: str, token: str
):
    start = START + timedelta(minutes=60)
    booking_id = await create_booking(base_url, token, 2, start)
    booking = await until_state(base_url, token, booking_id, "BOOKING_STATE_CONFIRMED")
    # Seat the couple at the eight-top by hand: the optimizer's fit term wants it moved.
    await api(
        base_url,
        token,
        "POST",
        f"/v1/venues/{DEMO_VENUE_ID}/bookings/{booking_id}:reassign",
        {
            "expectedVersion": booking["version"],
            "tableIds": ["demo-m15"],
            "reason": "seated by the window for now",
        },
    )
    await open_floor(page, base_url, token)
    await page.get_by_label("Time limit (seconds)").fill("3")
    await page.get_by_role("button", name="Dry run").click()
    await expect(page.locator("#progress [data-field=phase]")).not_to_be_empty(timeout=WAIT_MS)
    await expect(page.locator("#progress [data-field=bound]")).not_to_be_empty()
    summary = page.locator("#plan-summary")
    await expect(summary).to_contain_text("Plan ready", timeout=WAIT_MS)
    move = page.locator(f"table.moves tr[data-booking='{booking_id}']")
    await expect(move).to_contain_text("M15")
    proposed = page.locator(f"table.floor [data-booking='{booking_id}'][data-kind=proposed]")
    await expect(proposed.first).to_contain_text("from M15")
    assert await axe_violations(page) == []
    await page.get_by_role("button", name="Apply the plan").click()
    await expect(summary).to_contain_text("Plan applied", timeout=WAIT_MS)
    moved = await booking_of(base_url, token, booking_id)
    assert moved["tableIds"] != ["demo-m15"]
    row = page.locator(f"table.floor tr[data-table='{moved['tableIds'][0]}']")
    await expect(row.locator(f"[data-booking='{booking_id}']")).to_have_count(1, timeout=WAIT_MS)


async def test_errors_show_the_apis_message_in_the_browsers_language(
    browser: Browser, base_url: str
):
    forged = mint_token(
        "x" * 48,
        subject="mallory",
        roles=[Role.OPS],
        venues=[DEMO_VENUE_ID],
        ttl_seconds=600,
        issuer="maitred",
    )
    languages = (
        ("fr-FR", "Un jeton porteur valide est requis", "Se connecter"),
        ("en-GB", "A valid bearer token is required", "Sign in"),
    )
    for locale, words, sign_in in languages:
        context = await browser.new_context(locale=locale)
        opened = await context.new_page()
        await opened.goto(f"{base_url}/console/#token={forged}&venue={DEMO_VENUE_ID}&day={DAY}")
        await expect(opened.locator("#alert")).to_contain_text(words, timeout=WAIT_MS)
        await expect(opened.locator("#token")).to_be_visible()  # asked for a good token again
        await expect(opened.locator("#sign-in-title")).to_have_text(sign_in)
        assert await opened.evaluate("document.documentElement.lang") == locale[:2]
        await screenshot(opened, f"error-{locale}")
        await context.close()


async def test_a_manual_review_booking_is_rejected_with_the_reason_given(
    page: Page, base_url: str, token: str
):
    booking_id = await create_booking(base_url, token, 2, START - timedelta(minutes=30))
    await send_to_review(base_url, token, booking_id, "duplicate of another booking")
    await open_floor(page, base_url, token)
    row = page.locator(f"#review tr[data-booking='{booking_id}']")
    await expect(row.locator(".reason")).to_have_text(
        "duplicate of another booking", timeout=WAIT_MS
    )
    await page.get_by_label("Reason (kept in the history)").fill("guest booked twice")
    await row.get_by_role("button", name="Reject").click()
    await expect(page.locator("#announcer")).to_have_text("Booking rejected", timeout=WAIT_MS)
    await expect(row).to_have_count(0, timeout=WAIT_MS)
    rejected = await booking_of(base_url, token, booking_id)
    assert rejected["state"] == "BOOKING_STATE_REJECTED"
    assert rejected["stateReason"] == "guest booked twice"


# A name for a focusable element that survives the floor's and the queue's live redraws.
NAME = "e.id || e.dataset.key || `${e.tagName}:${e.textContent.trim()}`"


async def test_every_control_is_reachable_with_the_tab_key_and_works_from_the_keyboard(
    page: Page, base_url: str, token: str
):
    booking_id = await create_booking(base_url, token, 2, START + timedelta(minutes=45))
    await send_to_review(base_url, token, booking_id, "needs a high chair")
    await open_floor(page, base_url, token)
    await expect(page.locator(f"#review tr[data-booking='{booking_id}']")).to_have_count(
        1, timeout=WAIT_MS
    )
    focusable = await page.evaluate(
        """() => [...document.querySelectorAll(
            'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')]
          .filter((e) => !e.disabled && e.getClientRects().length
                         && !e.closest('[hidden], dialog:not([open])'))
          .map((e) => NAME)""".replace("NAME", NAME)
    )
    assert f"{booking_id}:quote" in focusable and "dry-run" in focusable and "venue" in focusable
    reached: list[str] = []
    for _ in range(len(focusable) + 3):
        await page.keyboard.press("Tab")
        reached.append(
            await page.evaluate(f"() => {{ const e = document.activeElement; return {NAME}; }}")
        )
    assert set(focusable) <= set(reached), set(focusable) - set(reached)
    await page.locator(f"[data-key='{booking_id}:quote']").focus()
    await page.keyboard.press("Enter")
    assign = page.locator("#review tr.plans-row button[data-action=assign]").first
    await expect(assign).to_be_visible(timeout=WAIT_MS)
    await assign.focus()
    await page.keyboard.press("Enter")
    await until_state(
        base_url, token, booking_id, "BOOKING_STATE_ASSIGNED", "BOOKING_STATE_CONFIRMED"
    )
