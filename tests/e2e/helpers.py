"""Waiting for a Streamlit page to settle, and full-page screenshots."""

from __future__ import annotations

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
