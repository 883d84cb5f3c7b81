"""A `streamlit run` server on a free loopback port and Debian's Chromium, for the e2e tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import VIEWPORT, collect_errors
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, ServerError, streamlit_server

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def app_url(chromium, tmp_path_factory) -> Iterator[str]:
    """Start the app with `streamlit run`, wait until it is healthy, stop it afterwards.

    (It asks for `chromium` only so that a missing browser skips before the server starts.)
    """
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    try:
        with streamlit_server(log_path) as (url, _proc):
            yield url
    except ServerError as err:
        pytest.fail(str(err))


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


@pytest.fixture(scope="session")
def docs_dir(screenshots_dir) -> Path:
    """Where the README's screenshots go: docs/screenshots with DOCS_SCREENSHOTS=1, else
    beside the others (a test run does not change committed files unless asked to)."""
    folder = DOCS_SCREENSHOTS if os.environ.get("DOCS_SCREENSHOTS") == "1" else (
        screenshots_dir / "docs")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, request):
    """A fresh page whose console errors and failed requests fail the test at teardown."""
    locale = getattr(request, "param", "ko-KR")
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    pg = context.new_page()
    errors: list[str] = []
    collect_errors(pg, errors)
    yield pg
    context.close()
    assert errors == [], "\n".join(errors)
