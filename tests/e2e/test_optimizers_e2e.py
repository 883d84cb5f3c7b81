"""Lesson 4 in Chromium: the surface race animates step by step, the MNIST race trains live,
in both languages and in slide mode."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import (
    COUNT_SENDS,
    IDLE_TIMEOUT_MS,
    full_page_screenshot,
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
