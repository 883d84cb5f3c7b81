"""Lesson 4 in Chromium: the surface race animates step by step, the MNIST race trains live,
in both languages and in slide mode; both races' charts are live charts (ui.live_chart) that
grow in place: new points for the paths and the curves, no chart drawn again."""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import (
    COUNT_SENDS,
    IDLE_TIMEOUT_MS,
    full_page_screenshot,
    live_chart,
    live_chart_state,
    metric_value,
    open_idle,
    settle,
    wait_for_change,
)
from ui.i18n import tr

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

RACE = ".st-key-optimizers-race"  # LiveLoop buttons carry keys optimizers.race.<name>
MNIST = ".st-key-optimizers-mnist"
# Counts what the page sends on its websocket: a timed view that still ticks sends a rerun
# request every tick.


def trace_y(page, name: str, trace: int) -> list[float]:
    """The y values the live chart `name` holds in the browser for one trace."""
    return page.evaluate("([name, i]) => Array.from(document.querySelector("
                         "`.live-chart-plot[data-chart=\"${name}\"]`).data[i].y)", [name, trace])


def grown(page, name: str, than: dict, trace: int, seconds: float = 15) -> dict:
    """The state of the live chart `name` once trace `trace` holds more points than in
    `than` (it is applied in the browser a moment after the metric beside it changed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = live_chart_state(page, name)
        if state and state["points"][trace] > than["points"][trace]:
            return state
        page.wait_for_timeout(100)
    raise AssertionError(f"{name}: trace {trace} stayed at {than['points'][trace]} points")


@pytest.mark.parametrize(("lang", "slides"), [("en", False), ("ko", False), ("ko", True)])
def test_surface_race_animates(app_url, page, screenshots_dir, lang, slides):
    """Start and pause sit inside the race's fragment: pausing still drops the view's timer."""
    page.add_init_script(COUNT_SENDS)
    open_idle(page, f"{app_url}/optimizers?lang={lang}" + ("&slides=1" if slides else ""))
    settle(page)
    assert page.locator("[data-testid=stException]").count() == 0
    label = tr(lang, "optimizers.s3.step")
    assert metric_value(page, label) == "100 / 100"
    page.locator(f"{RACE}-reset button").click()
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
                           ".some(e => e.innerText === '0 / 100')", timeout=IDLE_TIMEOUT_MS)
    page.locator(f"{RACE}-start button").click()
    first = wait_for_change(page, label, "0 / 100", seconds=15)
    wait_for_change(page, label, first, seconds=15)  # and it keeps going
    page.locator(f"{RACE}-pause button").click()
    page.locator(f"{RACE}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0
    settle(page)
    paused_at, sent = metric_value(page, label), page.evaluate("() => window.__sent")
    page.wait_for_timeout(2000)  # ten ticks of 0.2 s, had the timer stayed
    assert page.evaluate("() => window.__sent") == sent, "the paused race still ticks"
    assert metric_value(page, label) == paused_at
    name = f"optimizers-race-{lang}{'-slides' if slides else ''}.png"
    full_page_screenshot(page, screenshots_dir / name)


def test_mnist_race_trains_live(app_url, page, screenshots_dir):
    open_idle(page, f"{app_url}/optimizers?lang=en")
    settle(page)
    label = tr("en", "optimizers.s4.steps_done")
    assert metric_value(page, label) == "0 / 600"
    page.locator(f"{MNIST}-start button").click()
    first = wait_for_change(page, label, "0 / 600", seconds=30)
    wait_for_change(page, label, first, seconds=30)
    page.locator(f"{MNIST}-pause button").click()
    page.locator(f"{MNIST}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0
    settle(page)
    full_page_screenshot(page, screenshots_dir / "optimizers-mnist-en.png")


def test_divergence_is_a_note_in_the_browser(app_url, page, screenshots_dir):
    open_idle(page, f"{app_url}/optimizers?lang=ko&lr_scale=100.0")
    settle(page)
    assert page.locator("[data-testid=stException]").count() == 0
    note = tr("ko", "optimizers.s3.diverged", name="SGD", step=0, lr=1, limit="x")[:4]
    page.locator("[data-testid=stAlertContentWarning]").filter(has_text=note).first.wait_for(
        timeout=IDLE_TIMEOUT_MS)
    full_page_screenshot(page, screenshots_dir / "optimizers-diverged-ko.png")


@pytest.mark.parametrize(("lang", "surface"), [("en", "bowl"), ("ko", "rosenbrock")])
def test_surface_race_grows_in_place(app_url, page, lang, surface):
    """While the race runs, its map and its loss chart take new points (extendTraces): the
    paths grow, the loss falls, and neither chart is drawn again."""
    open_idle(page, f"{app_url}/optimizers?lang={lang}&surface={surface}")
    settle(page)
    label = tr(lang, "optimizers.s3.step")
    race, loss = f"optimizers-race-{surface}", f"optimizers-race-{surface}-loss"
    live_chart(page, race).scroll_into_view_if_needed()
    page.locator(f"{RACE}-reset button").click()
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
                           ".some(e => e.innerText === '0 / 100')", timeout=IDLE_TIMEOUT_MS)
    page.locator(f"{RACE}-start button").click()
    first = wait_for_change(page, label, "0 / 100", seconds=15)
    # the map: the contours, then SGD's path (trace 1); the loss chart: SGD's line first
    before = grown(page, race, {"points": [0, 1]}, 1)
    loss_before = live_chart_state(page, loss)
    wait_for_change(page, label, first, seconds=15)
    after = grown(page, race, before, 1)
    loss_after = grown(page, loss, loss_before, 0)
    for b, a in ((before, after), (loss_before, loss_after)):
        assert a["draws"] == b["draws"] == 1, (b, a)  # never built again while it runs
        assert a["extends"] > b["extends"]  # new points only
        assert a["traces"] == b["traces"]
    assert all(n >= m for n, m in zip(after["points"], before["points"], strict=True))
    # f falls: the best racer is already well below the start (lines at even places, each
    # followed by its cross; on Rosenbrock's valley some climb first)
    lines = [trace_y(page, loss, i) for i in range(0, loss_after["traces"], 2)]
    assert all(len(y) > 2 for y in lines)
    assert min(y[-1] for y in lines) < 0.7 * lines[0][0], [y[-1] for y in lines]
    page.locator(f"{RACE}-pause button").click()
    page.locator(f"{RACE}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0
    assert live_chart_state(page, race)["draws"] == 1


def test_mnist_race_curves_grow_in_place(app_url, page):
    """The MNIST race's loss chart takes each tick's new points; the loss falls; the chart is
    drawn once."""
    open_idle(page, f"{app_url}/optimizers?lang=en")
    settle(page)
    label, name = tr("en", "optimizers.s4.steps_done"), "optimizers-mnist-race-loss"
    page.locator(f"{MNIST}-start button").scroll_into_view_if_needed()
    page.locator(f"{MNIST}-start button").click()
    wait_for_change(page, label, "0 / 600", seconds=30)
    live_chart(page, name).wait_for(timeout=IDLE_TIMEOUT_MS)
    before = grown(page, name, {"points": [0] * 12}, 0, seconds=30)
    after = grown(page, name, before, 0, seconds=30)
    after = grown(page, name, after, 0, seconds=30)
    assert after["draws"] == before["draws"] == 1, (before, after)
    assert after["extends"] > before["extends"]
    assert after["traces"] == before["traces"] == 12  # six lines, six (empty) crosses
    deadline = time.monotonic() + 60
    while (y := trace_y(page, name, 0)) and y[-1] >= y[0] - 0.1 and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    assert y[-1] < y[0] - 0.1, (y[0], y[-1])  # SGD's smoothed loss falls
    assert live_chart_state(page, name)["draws"] == 1
    page.locator(f"{MNIST}-pause button").click()
    page.locator(f"{MNIST}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0
