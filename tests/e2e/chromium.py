"""Debian's headless chromium for the browser tests, launched by Playwright (never downloaded)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Browser, Playwright

CHROMIUM = Path(os.environ.get("MAITRED_CHROMIUM", "/usr/bin/chromium"))
# As root, in a machine without a network: no sandbox, no GPU, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def chromium() -> str:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does)"
    return str(CHROMIUM)


async def launch(playwright: Playwright) -> Browser:
    """Headless, with a fresh, empty profile (--user-data-dir) of its own for each launch."""
    return await playwright.chromium.launch(
        executable_path=chromium(), headless=True, args=CHROMIUM_ARGS
    )
