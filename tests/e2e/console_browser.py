"""The console's browser tests' extras: axe-core (from npm) run in the page, screenshots kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from tests.e2e.conftest import REPO

AXE = REPO / "console" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts" / "console"


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0-2.2 A and AA rules) on the page as it is; its violations."""
    # Evaluated over the DevTools protocol: the console's CSP (no inline script) stays on.
    await page.evaluate(axe_source() + "\n;true")
    result: dict[str, Any] = await page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def axe_source() -> str:
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` in console/ (make does)"
    return AXE.read_text()


async def screenshot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot as a test artifact (test-artifacts/, git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
