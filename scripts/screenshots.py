"""Full-page screenshots of every page, in both languages, at a desktop and a phone width.

    python scripts/screenshots.py --app-dir DIR --out DIR [--port N] [--no-tabs]

Starts `streamlit run streamlit_app.py` in --app-dir (default: this repository), opens home,
perceptron, graph, layers, optimizers and mnist with ?lang=ko and ?lang=en in Debian's
Chromium, at 1280 px wide (desktop) and 390×844 (phone), waits until the page is idle (the
script has run to the end, no status widget, no loading skeleton, every Plotly chart drawn,
every image loaded) and saves <page>-<lang>-<desktop|phone>.png in --out. On a phone the
sidebar, which opens over the page, is closed first. Streamlit scrolls inside its main
section, so the viewport grows to the content's height before the shot.

What sits in a tab other than the first is hidden in those shots: unless --no-tabs, a page
with tabs also gets, at desktop width, <page>-<lang>-desktop-tab<k>.png for k = 2, 3, ...,
with the k-th tab of every tab group opened. Shoot the code before and after a change into
two folders and compare them side by side. Console errors and failed requests are printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = ("home", "perceptron", "graph", "layers", "optimizers", "mnist")
LANGS = ("ko", "en")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
IDLE_TIMEOUT_MS = 60_000

CONTENT_HEIGHT = """() => Math.max(document.documentElement.scrollHeight, ...[...document
  .querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]
  .map(e => e.scrollHeight))"""
DRAWN = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
    .every(c => c.querySelector('.main-svg'))
  && [...document.images].every(i => i.complete)"""


def url_for(base: str, page: str, lang: str) -> str:
    return f"{base}/{'' if page == 'home' else page}?lang={lang}"


def quiet(page) -> None:
    """The script has run to the end, nothing shows as loading, every chart is drawn."""
    from tests.e2e.helpers import IDLE

    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached",
                           timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector("[data-testid=stSkeleton]", state="detached", timeout=IDLE_TIMEOUT_MS)
    page.wait_for_function(DRAWN, timeout=IDLE_TIMEOUT_MS)
    page.wait_for_timeout(500)  # charts finish their layout, fonts settle


def shoot(page, width: int, height: int, path: Path) -> None:
    """Grow the viewport to the content, wait for what came into view, save a full page."""
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(300)
    tall = page.evaluate(CONTENT_HEIGHT)
    page.set_viewport_size({"width": width, "height": max(height, tall)})
    page.wait_for_timeout(500)
    quiet(page)
    page.screenshot(path=str(path), full_page=True)


def close_sidebar(page) -> None:
    """On a phone the expanded sidebar covers the page: close it, as a learner would."""
    button = page.locator("[data-testid=stSidebarCollapseButton] button")
    if button.count() and button.first.is_visible():
        button.first.click()
        button.first.wait_for(state="hidden", timeout=IDLE_TIMEOUT_MS)
        page.wait_for_timeout(500)  # the sidebar slides away


def tab_groups(page) -> list[int]:
    """How many tabs each tab group in the main section has."""
    return page.locator("[data-testid=stMain] [data-testid=stTabs]").evaluate_all(
        "gs => gs.map(g => g.querySelectorAll('[data-testid=stTab]').length)")


def open_tab(page, k: int) -> None:
    """Open the k-th tab (0-based) of every tab group that has one."""
    groups = page.locator("[data-testid=stMain] [data-testid=stTabs]")
    for g in range(groups.count()):
        tabs = groups.nth(g).locator("[data-testid=stTab]")
        if tabs.count() > k:
            tabs.nth(k).click()
    page.wait_for_timeout(300)


def shoot_page(browser, base: str, name: str, lang: str, out: Path, tabs: bool,
               errors: list[str]) -> list[Path]:
    from tests.e2e.helpers import collect_errors

    saved = []
    for view, size in VIEWPORTS.items():
        phone = view == "phone"
        context = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone,
                                      locale="ko-KR" if lang == "ko" else "en-US")
        page = context.new_page()
        found: list[str] = []
        collect_errors(page, found)
        page.goto(url_for(base, name, lang), wait_until="domcontentloaded")
        quiet(page)
        if phone:
            close_sidebar(page)
        path = out / f"{name}-{lang}-{view}.png"
        shoot(page, size["width"], size["height"], path)
        saved.append(path)
        if tabs and not phone:
            for k in range(1, max(tab_groups(page), default=0)):
                page.set_viewport_size(size)
                open_tab(page, k)
                path = out / f"{name}-{lang}-{view}-tab{k + 1}.png"
                shoot(page, size["width"], size["height"], path)
                saved.append(path)
        if page.locator("[data-testid=stException]").count():
            found.append("the page shows an exception")
        errors.extend(f"{name}-{lang}-{view}: {e}" for e in found)
        context.close()
    return saved


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES))
    parser.add_argument("--no-tabs", dest="tabs", action="store_false",
                        help="do not shoot the tabs after the first")
    args = parser.parse_args(argv)
    app_dir = args.app_dir.resolve()
    if not (app_dir / "streamlit_app.py").exists():
        parser.error(f"{app_dir} has no streamlit_app.py")
    from playwright.sync_api import sync_playwright

    from bench.interact import start_server
    from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, free_port, stop

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    port = args.port or free_port()
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(app_dir, port, Path(tmp) / "server.log")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
                for name in args.pages:
                    for lang in LANGS:
                        for path in shoot_page(browser, f"http://127.0.0.1:{port}", name,
                                               lang, args.out, args.tabs, errors):
                            print(path, flush=True)
                browser.close()
        finally:
            stop(proc)
    for line in errors:
        print(f"error: {line}", file=sys.stderr)


if __name__ == "__main__":
    main()
