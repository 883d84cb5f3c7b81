"""Lesson 1 in Chromium: the XOR network trains live after start and stops after pause,
its buttons inside the section's fragment."""

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

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

XOR = ".st-key-perceptron-xor"  # the LiveLoop's buttons carry keys perceptron.xor.<name>
# Counts what the page sends on its websocket: a timed view that still ticks sends a rerun
# request every tick.
def test_xor_net_trains_live_and_pauses(app_url, page, screenshots_dir):
    """Start and pause sit inside the XOR section's fragment: pausing still drops the view's
    timer, so the page sends nothing more."""
    page.add_init_script(COUNT_SENDS)
    open_idle(page, f"{app_url}/perceptron?lang=en")
    settle(page)
    assert page.locator("[data-testid=stException]").count() == 0
    loss_label, epoch_label = tr("en", "perceptron.s4.loss"), tr("en", "perceptron.epoch")
    first_loss = metric_value(page, loss_label)
    assert metric_value(page, epoch_label) == "0"

    page.locator(f"{XOR}-start button").click()
    changed = wait_for_change(page, loss_label, first_loss, seconds=10)
    wait_for_change(page, loss_label, changed, seconds=10)  # and it keeps changing

    page.locator(f"{XOR}-pause button").click()
    page.locator(f"{XOR}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
    page.wait_for_timeout(1000)  # a tick that was already on its way lands here
    settle(page)
    paused, sent = metric_value(page, loss_label), page.evaluate("() => window.__sent")
    page.wait_for_timeout(2000)  # eight ticks of 0.25 s, had the timer stayed
    assert page.evaluate("() => window.__sent") == sent, "the paused view still ticks"
    assert metric_value(page, loss_label) == paused, "the loss still changes after pause"
    assert page.locator("[data-testid=stException]").count() == 0
    full_page_screenshot(page, screenshots_dir / "perceptron-xor-paused-en.png")


def test_xor_net_learns_and_stops_by_itself(app_url, page, screenshots_dir):
    """Seed 0 learns XOR in about 2,000 epochs: the loop stops and says so."""
    open_idle(page, f"{app_url}/perceptron?lang=ko")
    settle(page)
    page.locator(f"{XOR}-start button").click()
    done = page.locator("[data-testid=stAlertContentSuccess]").filter(
        has_text=tr("ko", "perceptron.s4.learned", epochs=0, loss=0).split(":")[0])
    done.first.wait_for(timeout=90_000)
    page.locator(f"{XOR}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0
    settle(page)
    full_page_screenshot(page, screenshots_dir / "perceptron-xor-learned-ko.png")
