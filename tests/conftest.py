"""Fixtures shared by the browser tests (tests/e2e) and the load tests (tests/load): one
Debian Chromium for the whole run, driven through Playwright's sync API. (Two sync
Playwright instances cannot live in one thread, so there must be exactly one.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS

SCREENSHOTS = Path(__file__).resolve().parent / "e2e" / "screenshots"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; the e2e tests are skipped without it (and fail under CI=true)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason + "; browser tests skipped")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    """Chromium launched headless through Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
