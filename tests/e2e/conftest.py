"""A `streamlit run` server on a free loopback port and Debian's Chromium, for the e2e tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import VIEWPORT
from ui.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium's own connections are refused here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 60
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def app_url(chromium, tmp_path_factory) -> Iterator[str]:
    """Start the app with `streamlit run`, wait until it is healthy, stop it afterwards.

    (It asks for `chromium` only so that a missing browser skips before the server starts.)
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                why = "exited" if proc.poll() is not None else "was not healthy in time"
                pytest.fail(f"streamlit {why}; its log:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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


@pytest.fixture
def page(browser, request):
    """A fresh page whose console errors and failed requests fail the test at teardown."""
    locale = getattr(request, "param", "ko-KR")
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    pg = context.new_page()
    errors: list[str] = []
    benign_404s = []  # see _is_known_deep_link_probe

    def on_response(response) -> None:
        if response.status < 400:
            return
        if response.status == 404 and _is_known_deep_link_probe(response.url):
            benign_404s.append(response.url)
        else:
            errors.append(f"HTTP {response.status}: {response.url}")

    def on_console(msg) -> None:
        if msg.type != "error":
            return
        if "status of 404" in msg.text and benign_404s:
            benign_404s.pop()  # the browser's own log line for a probe counted above
            return
        errors.append(f"console: {msg.text}")

    pg.on("response", on_response)
    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    pg.on("requestfailed", lambda req: errors.append(f"request failed: {req.url} {req.failure}"))
    yield pg
    context.close()
    assert errors == [], "\n".join(errors)


def _is_known_deep_link_probe(url: str) -> bool:
    """Opening a lesson's URL directly (/perceptron), Streamlit's frontend first asks for
    /perceptron/_stcore/health and /perceptron/_stcore/host-config, gets 404, and then uses
    the root: streamlit/streamlit issue #7074 (open). Only those two probes are forgiven.
    """
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    parts = path.split("/")
    return (len(parts) == 3 and parts[0] in LESSONS and parts[1] == "_stcore"
            and parts[2] in ("health", "host-config"))
