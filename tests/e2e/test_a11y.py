"""Accessibility in Chromium, checked by axe-core (npm, pinned in package-lock.json; installed
by scripts/test.sh): no serious or critical violation on any page, in either language, at
desktop and phone sizes, with and without slide mode, and after each lesson's main
interaction. The page says which language it speaks (<html lang>).

Each test prints the counts of the moderate and minor findings it let pass (`pytest -s`
shows them); the run also writes them all to screenshots/a11y-findings.json (one
file per worker, a11y-findings-gw0.json ..., when the tests run on several).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.helpers import (
    IDLE_TIMEOUT_MS,
    metric_value,
    open_idle,
    settle,
    wait_for_change,
)
from tests.e2e.test_mnist_e2e import CANVAS, TRAIN, draw_a_one
from tests.e2e.test_perceptron_e2e import XOR
from ui.i18n import LANGS, tr
from ui.lessons import LESSONS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
BLOCKING = ("serious", "critical")
PAGES = ("", *LESSONS)  # "" is the home page
# axe.run's result, cut down to what a failure message needs
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '),
                                 summary: (n.failureSummary || '').slice(0, 300)}))}));
}"""
# every live chart drawn (the first waits for plotly.js to load)
DRAWN = """() => [...document.querySelectorAll('.live-chart-plot')].every(
  (gd) => gd.data && gd.data.length > 0)"""
FINDINGS: dict[str, dict[str, int]] = {}  # where -> {'rule (impact)': nodes}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.exists():
        reason = f"{AXE_JS} is missing: run `npm ci` (scripts/test.sh does)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="module", autouse=True)
def _write_findings(screenshots_dir):
    yield
    if FINDINGS:
        # one file per pytest-xdist worker, as the tests are shared out among them
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        path = screenshots_dir / (f"a11y-findings-{worker}.json" if worker else
                                  "a11y-findings.json")
        path.write_text(json.dumps(FINDINGS, indent=1, sort_keys=True), encoding="utf-8")


def check(page, axe_source: str, where: str) -> list[str]:
    """Run axe on the page as it is now (once the page script has looked at its last change);
    note the moderate and minor findings under `where`; return one line per serious or
    critical violation (empty: none)."""
    page.wait_for_function(DRAWN, timeout=IDLE_TIMEOUT_MS)
    page.wait_for_timeout(200)
    page.wait_for_function("() => window.__courseA11yIdle && window.__courseA11yIdle()",
                           timeout=IDLE_TIMEOUT_MS)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)
    violations = page.evaluate(RUN_AXE)
    FINDINGS[where] = dict(Counter(f"{v['id']} ({v['impact']})" for v in violations
                                   for _ in v["nodes"] if v["impact"] not in BLOCKING))
    return [f"{where}: {v['id']} ({v['impact']}): {v['help']}: {n['target']} {n['summary']}"
            for v in violations if v["impact"] in BLOCKING for n in v["nodes"]]


@pytest.mark.parametrize("slides", [False, True], ids=["default", "slides"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", LANGS)
def test_no_serious_violation_on_any_page(app_url, browser, axe_source, lang, size, slides):
    context = browser.new_context(viewport=SIZES[size], locale="ko-KR")
    page = context.new_page()
    problems: list[str] = []
    try:
        for name in PAGES:
            open_idle(page, f"{app_url}/{name}?lang={lang}" + ("&slides=1" if slides else ""))
            settle(page)
            wait_for_lang(page, lang)
            problems += check(page, axe_source, f"{size} {lang} {'slides' if slides else ''} "
                                                f"/{name}")
    finally:
        context.close()
    minor = {k: v for k, v in FINDINGS.items() if k.startswith(f"{size} {lang}")}
    print(f"\nmoderate/minor findings, {size} {lang} slides={slides}: {minor}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("size", list(SIZES))
def test_no_serious_violation_after_the_main_interactions(app_url, browser, axe_source, size):
    """The pages as a learner leaves them: the perceptron and MNIST trained, the graph
    stepped backward, a digit drawn; a chart's data table and a graph's node table open."""
    context = browser.new_context(viewport=SIZES[size], locale="ko-KR")
    page = context.new_page()
    problems: list[str] = []
    try:
        open_idle(page, f"{app_url}/perceptron?lang=ko")
        settle(page)
        loss = tr("ko", "perceptron.s4.loss")
        first_loss = metric_value(page, loss)
        page.locator(f"{XOR}-start button").click()
        wait_for_change(page, loss, first_loss, seconds=20)
        page.locator(f"{XOR}-pause button").click()
        page.locator(f"{XOR}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
        settle(page)
        open_popover(page, tr("ko", "chart.data"))  # a chart's numbers as a table
        problems += check(page, axe_source, f"{size} ko perceptron trained, data open")

        open_idle(page, f"{app_url}/graph?lang=ko")
        for _ in range(3):
            page.locator(".st-key-graph-cafe_step-next button").click()
            open_idle_after_click(page)
        open_popover(page, tr("ko", "graph.text.label"))  # the graph as a node table
        problems += check(page, axe_source, f"{size} ko graph stepped, node table open")

        open_idle(page, f"{app_url}/mnist?lang=ko&epochs=1")
        settle(page)
        page.locator(f"{TRAIN}-start button").click()
        wait_for_change(page, tr("ko", "mnist.s7.epoch"), "0 / 1", seconds=60)
        page.locator(f"{TRAIN}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
        page.locator(CANVAS).first.wait_for(timeout=IDLE_TIMEOUT_MS)
        draw_a_one(page)
        page.locator("[data-testid=stMetric]").filter(
            has=page.get_by_text(tr("ko", "mnist.draw.guess"), exact=True)).first.wait_for(
            timeout=IDLE_TIMEOUT_MS)
        settle(page)
        problems += check(page, axe_source, f"{size} ko mnist trained and a digit drawn")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def open_popover(page, label: str) -> None:
    """Open the first popover button called `label` and wait until its table shows."""
    main = page.locator("[data-testid=stMain]")
    main.get_by_role("button", name=label).first.click()
    page.locator("[data-testid=stPopoverBody] table").first.wait_for(timeout=IDLE_TIMEOUT_MS)


def open_idle_after_click(page) -> None:
    """Wait for the run a click started to end."""
    page.wait_for_timeout(200)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached",
                           timeout=IDLE_TIMEOUT_MS)


def wait_for_lang(page, lang: str) -> None:
    """Wait until <html lang> is `lang`: the page script sets it once the sidebar is drawn,
    a moment after the script run ends (until then it is Streamlit's "en")."""
    page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang,
                           timeout=IDLE_TIMEOUT_MS)


def test_the_page_language_follows_the_switch(app_url, page):
    """<html lang> says the chosen language, and changes with the sidebar's switch."""
    open_idle(page, f"{app_url}/perceptron?lang=ko")
    wait_for_lang(page, "ko")
    page.locator("[data-testid=stSidebar]").get_by_text(tr("ko", "lang.en"), exact=True).click()
    wait_for_lang(page, "en")
    main = page.locator("[data-testid=stMain]")
    main.get_by_role("heading", name=tr("en", "lesson.perceptron.title")).first.wait_for(
        timeout=IDLE_TIMEOUT_MS)
