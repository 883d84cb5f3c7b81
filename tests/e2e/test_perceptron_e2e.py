"""Lesson 1 in Chromium: the XOR network trains live after start and stops after pause,
its buttons inside the section's fragment; the XOR network and the spiral learn, their live
charts (ui.live_chart) following the training with new points and values, never rebuilt."""

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

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

XOR = ".st-key-perceptron-xor"  # the LiveLoop's buttons carry keys perceptron.xor.<name>
SPIRAL = ".st-key-perceptron-spiral"
# the last y of a live chart's first trace, and its first (the loss at the start)
LAST_AND_FIRST_Y = """(name) => {
  const y = document.querySelector(`.live-chart-plot[data-chart="${name}"]`).data[0].y;
  return [Number(y[y.length - 1]), Number(y[0])];
}"""


def test_xor_net_trains_live_and_pauses(app_url, page, screenshots_dir):
    """Start and pause sit inside the XOR section's fragment: pausing still drops the view's
    timer, so the page sends nothing more."""
    # counts what the page sends on its websocket: a timed view that still ticks sends a
    # rerun request every tick
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


def wait_for_points(page, name: str, at_least: int, seconds: float) -> dict:
    """Poll the live chart `name` until its first trace holds `at_least` points; its state."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = live_chart_state(page, name)
        if state and state["points"] and state["points"][0] >= at_least:
            return state
        page.wait_for_timeout(100)
    raise AssertionError(f"{name} has not {at_least} points after {seconds} s: {state}")


def assert_follows(before: dict, after: dict) -> None:
    """Between two readings during training, a live loss chart took new points only: it
    grew, by extends, and was never drawn again from scratch nor sent whole."""
    assert after["points"][0] > before["points"][0], (before, after)
    assert after["extends"] > before["extends"], (before, after)
    assert before["draws"] == after["draws"] == 1, (before, after)
    assert after["reacts"] == before["reacts"], (before, after)


def test_xor_net_learns_and_its_charts_follow(app_url, page):
    """Start: the loss falls, the loss chart takes the new epochs' points (no redraw), the
    output map and the hidden space take new values; the run ends learned."""
    open_idle(page, f"{app_url}/perceptron?lang=en")
    settle(page)
    loss_label = tr("en", "perceptron.s4.loss")
    first_loss = float(metric_value(page, loss_label))
    assert live_chart(page, "perceptron-xor-loss").count() == 0  # no epoch yet
    for name in ("perceptron-xor-net-output", "perceptron-xor-net-hidden-space"):
        live_chart(page, name).wait_for(timeout=IDLE_TIMEOUT_MS)
    maps = {name: live_chart_state(page, name)
            for name in ("perceptron-xor-net-output", "perceptron-xor-net-hidden-space")}

    page.locator(f"{XOR}-start button").click()
    before = wait_for_points(page, "perceptron-xor-loss", 3, seconds=20)
    page.wait_for_timeout(1000)  # four ticks: some 400 more epochs, far from learned
    after = live_chart_state(page, "perceptron-xor-loss")
    assert page.locator(f"{XOR}-pause button:not([disabled])").count() == 1, "it stopped"
    assert_follows(before, after)
    last, first = page.evaluate(LAST_AND_FIRST_Y, "perceptron-xor-loss")
    assert last < first  # the curve the learner sees falls

    done = page.locator("[data-testid=stAlertContentSuccess]").filter(
        has_text=tr("en", "perceptron.s4.learned", epochs=0, loss=0).split(":")[0])
    done.first.wait_for(timeout=90_000)
    # the maps took new values on the way (not on the plateau of the first ~1,000 epochs,
    # where no output moves by a visible amount), and stayed the same charts
    for name, old in maps.items():
        new = live_chart_state(page, name)
        assert new["restyles"] > old["restyles"] and new["draws"] == 1, (name, old, new)
    page.locator(f"{XOR}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
    settle(page)
    assert float(metric_value(page, loss_label)) < first_loss / 10
    assert metric_value(page, tr("en", "perceptron.s4.accuracy")) == "100%"
    assert live_chart_state(page, "perceptron-xor-loss")["draws"] == 1
    assert page.locator("[data-testid=stException]").count() == 0


def test_spiral_learns_and_its_charts_follow(app_url, page):
    """Start the spiral: its loss chart takes each epoch's point, its regions new values,
    and after 300 epochs the network separates the three arms."""
    open_idle(page, f"{app_url}/perceptron?lang=ko")
    settle(page)
    acc_label = tr("ko", "perceptron.s5.accuracy")
    first_acc = float(metric_value(page, acc_label).rstrip("%"))
    regions = live_chart(page, "perceptron-spiral-regions")
    regions.wait_for(timeout=IDLE_TIMEOUT_MS)
    old = live_chart_state(page, "perceptron-spiral-regions")

    page.locator(f"{SPIRAL}-start button").click()
    before = wait_for_points(page, "perceptron-spiral-loss", 20, seconds=30)
    page.wait_for_timeout(1000)
    after = live_chart_state(page, "perceptron-spiral-loss")
    assert page.locator(f"{SPIRAL}-pause button:not([disabled])").count() == 1, "it stopped"
    assert_follows(before, after)
    new = live_chart_state(page, "perceptron-spiral-regions")
    assert new["restyles"] > old["restyles"] and new["draws"] == 1, (old, new)

    done = page.locator("[data-testid=stAlertContentSuccess]").filter(
        has_text=tr("ko", "perceptron.s5.done", epochs=0, acc=0).split(":")[0])
    done.first.wait_for(timeout=90_000)
    page.locator(f"{SPIRAL}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
    settle(page)
    assert float(metric_value(page, acc_label).rstrip("%")) >= 90 > first_acc
    last, first = page.evaluate(LAST_AND_FIRST_Y, "perceptron-spiral-loss")
    assert last < first / 2
    # every epoch's point, once the browser has played the last frames it was sent (it
    # shows them 0.1 s apart, so a busy browser may still be a few behind here)
    assert wait_for_points(page, "perceptron-spiral-loss", 300, seconds=15)["points"][0] == 300
    assert page.locator("[data-testid=stException]").count() == 0
