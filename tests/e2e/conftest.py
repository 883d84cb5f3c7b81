"""A `streamlit run` server on a free loopback port for the e2e tests (Chromium itself is
shared with the load tests: tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import VIEWPORT, collect_errors
from tests.e2e.server import ServerError, streamlit_server

# Playwright's expect() waits 5 s by default. With three test workers on two cores (each
# with its own server and Chromium), a tab's content took longer than that to appear (a
# CI run met it in the layers page's chain tab): up to 20 s (the page-idle waits allow 30 s).
expect.set_options(timeout=20_000)

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
