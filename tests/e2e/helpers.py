"""Waiting for a Streamlit page to settle, and full-page screenshots."""

from __future__ import annotations

import time

VIEWPORT = {"width": 1280, "height": 800}
IDLE_TIMEOUT_MS = 30_000


def open_idle(page, url: str) -> None:
    """Load `url` and wait until the script has run to the end and the page is quiet."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(
        "[data-testid=stApp][data-test-connection-state=CONNECTED]"
        "[data-test-script-state=notRunning]",
        timeout=IDLE_TIMEOUT_MS,
    )
    page.wait_for_selector(
        "[data-testid=stStatusWidget]", state="detached", timeout=IDLE_TIMEOUT_MS
    )
    page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)


def settle(page) -> None:
    """Wait until no chart or table still shows its grey loading skeleton."""
    page.locator("[data-testid=stSkeleton]").first.wait_for(state="detached",
                                                             timeout=IDLE_TIMEOUT_MS)


def full_page_screenshot(page, path) -> None:
    """Streamlit scrolls inside its main section, so grow the viewport to the content first."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stSidebarContent]')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    page.wait_for_timeout(300)  # let the layout settle at the new size
    # tables and charts show grey skeletons for a moment after the script is idle
    page.wait_for_selector("[data-testid=stSkeleton]", state="detached", timeout=IDLE_TIMEOUT_MS)
    page.screenshot(path=str(path), full_page=True)


def metric_value(page, label: str) -> str:
    """The value shown by the st.metric whose label is `label`."""
    found = page.locator("[data-testid=stMetric]").filter(has=page.get_by_text(label, exact=True))
    return found.locator("[data-testid=stMetricValue]").first.inner_text()


def wait_for_change(page, label: str, old: str, seconds: float) -> str:
    """Poll the metric `label` until it shows something other than `old`; return it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = metric_value(page, label)
        if value != old:
            return value
        page.wait_for_timeout(200)
    raise AssertionError(f"{label} stayed {old} for {seconds} s")
