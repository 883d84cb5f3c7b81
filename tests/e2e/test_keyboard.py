"""Keyboard only (issue 17): each lesson's main things done with Tab, Shift+Tab, the arrow keys
and Enter, never the mouse: set the perceptron and start and pause its training, step the
graph backward, change a layer's sizes, run the optimizer race, train MNIST. Every focus stop
passed on the way shows a ring (ui/style.py's _FOCUS_CSS)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    IDLE_TIMEOUT_MS,
    assert_paused,
    metric_value,
    open_idle,
    settle,
    wait_for_change,
)
from ui.i18n import tr
from ui.style import _FOCUS_CSS
from viz.graph import CURRENT_FILL

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

# the node of the café graph that backward is processing (tests/e2e/test_graph_e2e.py)
LIT = f"[data-testid=stGraphVizChart] svg g.node:has([fill='{CURRENT_FILL}'])"
# what the focused element is, for a failure message
NAME = """((e) => {
  const key = e.closest('[class*=st-key-]'), tid = e.closest('[data-testid]');
  return [e.tagName, e.getAttribute('aria-label') || (e.innerText || '').slice(0, 30),
          tid ? tid.dataset.testid : '',
          key ? [...key.classList].find((c) => c.startsWith('st-key-')) : ''].join(' | ');
})"""
# The focus ring of an element: it, or one of its four nearest ancestors (Streamlit draws a
# hidden radio, checkbox or slider input's look in an ancestor), has an outline or a
# box-shadow, is at least 4 px wide and high, and nothing above it hides it (opacity 0,
# visibility hidden, or the 1-pixel clip Streamlit hides its real inputs with). Returns null
# when the ring shows, else what was focused.
RING = """(e) => {
  const hidden = (n) => {
    for (let a = n; a; a = a.parentElement) {
      const s = getComputedStyle(a), r = a.getBoundingClientRect();
      if (s.opacity === '0' || s.visibility === 'hidden') return true;
      if ((s.overflow !== 'visible' || s.clipPath !== 'none') && (r.width < 2 || r.height < 2))
        return true;
    }
    return false;
  };
  for (let n = e, i = 0; n && i < 5; n = n.parentElement, i++) {
    const s = getComputedStyle(n), r = n.getBoundingClientRect();
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    if ((outline || s.boxShadow !== 'none') && r.width >= 4 && r.height >= 4 && !hidden(n))
      return null;
  }
  return NAME(e);
}""".replace("NAME", NAME)


def stop(predicate: str) -> str:
    """JavaScript: [does `predicate` hold for the focused element, what lacks a ring]. The
    body is no stop: the focus is there when it left the page or lost its element."""
    return (f"() => {{ const e = document.activeElement; if (e === document.body) return"
            f" [false, null]; return [({predicate})(e), ({RING})(e)]; }}")


def widget(key: str, part: str = "button") -> str:
    """A predicate (JavaScript) for the focus: on the `part` of the widget keyed `key`."""
    return f"e => e.matches('.st-key-{key.replace('.', '-')} {part}')"


def focus_lands(page, predicate: str) -> None:
    """Wait until the focus is where `predicate` holds, with its ring: a button that its own
    press disabled hands the focus on (ui/a11y.py), Start to Pause and Pause to Start."""
    page.wait_for_function(f"() => {{ const e = document.activeElement;"
                           f" return e !== document.body && ({predicate})(e); }}",
                           timeout=IDLE_TIMEOUT_MS)
    assert page.evaluate(stop(predicate)) == [True, None], "the focus shows no ring"


def tab_to(page, predicate: str, limit: int = 250, back: bool = False) -> int:
    """Press Tab (Shift+Tab with `back`) until `predicate` (a JavaScript function of the
    focused element) holds; return the presses. Every stop on the way must show its focus
    ring. Fails after `limit` presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        hit, no_ring = page.evaluate(stop(predicate))
        assert no_ring is None, f"no visible focus ring on: {no_ring}"
        if hit:
            return presses
    raise AssertionError(f"{predicate} not reached in {limit} presses")


def assert_ring(page) -> None:
    """The focused element shows its ring (after a key press that kept the focus)."""
    no_ring = page.evaluate(stop("e => true"))[1]
    assert no_ring is None, f"no visible focus ring on: {no_ring}"


def start(page, app_url: str, path: str) -> None:
    """Open a page and put the focus at its top (the body): the one non-keyboard step."""
    open_idle(page, f"{app_url}{path}")
    settle(page)
    page.locator("body").focus()


def wait_idle(page) -> None:
    page.wait_for_timeout(300)  # let the rerun start
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]",
                           timeout=IDLE_TIMEOUT_MS)


def ring_shot(page, path) -> None:
    """A screenshot of the focused element with some room around it, to look at the ring."""
    box = page.evaluate("() => { const r = document.activeElement.getBoundingClientRect();"
                        " return {x: r.x, y: r.y, width: r.width, height: r.height}; }")
    pad = 24
    page.screenshot(path=str(path), clip={
        "x": max(box["x"] - pad, 0), "y": max(box["y"] - pad, 0),
        "width": box["width"] + 2 * pad, "height": box["height"] + 2 * pad})


def test_the_focus_ring_colour_stands_out_on_white():
    """WCAG 2.2's focus appearance: the ring's colour has a contrast of at least 3:1."""
    hexes = set(re.findall(r"outline: 3px solid #([0-9a-f]{6})", _FOCUS_CSS))
    assert len(hexes) == 1, hexes

    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    assert (1 + 0.05) / (luminance(hexes.pop()) + 0.05) >= 3


def test_perceptron_set_and_trained_by_keyboard(app_url, page, screenshots_dir):
    """The gate's radio and a weight's slider take the arrow keys; Start and Pause take Enter."""
    start(page, app_url, "/perceptron?lang=en")
    tab_to(page, widget("perceptron.gate", "input[type=radio]"))
    page.keyboard.press("ArrowRight")  # AND -> OR
    expect(page).to_have_url(re.compile(r"gate=OR"), timeout=IDLE_TIMEOUT_MS)
    tab_to(page, widget("perceptron.w1", "input"))
    page.keyboard.press("ArrowRight")  # w1 0.5 -> 0.6
    expect(page).to_have_url(re.compile(r"w1=0\.6"), timeout=IDLE_TIMEOUT_MS)
    assert_ring(page)
    ring_shot(page, screenshots_dir / "focus-slider-en.png")

    loss, epoch = tr("en", "perceptron.s4.loss"), tr("en", "perceptron.epoch")
    first = metric_value(page, loss)
    assert metric_value(page, epoch) == "0"
    tab_to(page, widget("perceptron.xor.start"))
    ring_shot(page, screenshots_dir / "focus-start-en.png")
    page.keyboard.press("Enter")
    wait_for_change(page, loss, first, seconds=15)
    focus_lands(page, widget("perceptron.xor.pause"))  # Start disabled itself
    page.keyboard.press("Enter")
    focus_lands(page, widget("perceptron.xor.start"))
    assert_paused(page, "perceptron.xor.start", epoch)
    assert metric_value(page, epoch) != "0"


@pytest.mark.parametrize("page", ["ko-KR"], indirect=True)
def test_graph_stepped_backward_by_keyboard(app_url, page):
    """'Next node' under the café graph, pressed twice with Enter, moves the highlight from
    the total to the tax."""
    start(page, app_url, "/graph?lang=ko")
    assert page.locator(LIT).count() == 0
    tab_to(page, widget("graph.cafe_step.next"))
    page.keyboard.press("Enter")
    lit = page.locator(LIT)
    expect(lit).to_contain_text(tr("ko", "graph.cafe.total"), timeout=IDLE_TIMEOUT_MS)
    wait_idle(page)
    assert_ring(page)  # the focus stayed on the button
    page.keyboard.press("Enter")
    expect(lit).to_contain_text(tr("ko", "graph.cafe.tax"), timeout=IDLE_TIMEOUT_MS)
    expect(lit).to_have_count(1)
    assert page.locator("[data-testid=stException]").count() == 0


def test_layer_sizes_changed_by_keyboard(app_url, page):
    """D and H, moved with the arrow keys, reach the Affine tab's shapes."""
    start(page, app_url, "/layers?lang=en")
    tab_to(page, widget("layers.D", "input"))
    page.keyboard.press("ArrowRight")  # D 2 -> 3
    wait_idle(page)
    tab_to(page, widget("layers.H", "input"), limit=5)
    page.keyboard.press("ArrowRight")  # H 3 -> 4
    page.keyboard.press("ArrowRight")  # H 4 -> 5
    expect(page).to_have_url(re.compile(r"D=3.*H=5|H=5.*D=3"), timeout=IDLE_TIMEOUT_MS)
    panel = page.locator("[role=tabpanel]:visible")
    expect(panel).to_contain_text("X is 4×3, W is 3×5", timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0


def test_optimizer_race_run_by_keyboard(app_url, page):
    """Reset, then Start (one Shift+Tab back): the race's step count climbs; Pause stops it."""
    start(page, app_url, "/optimizers?lang=en")
    step = tr("en", "optimizers.s3.step")
    assert metric_value(page, step) == "100 / 100"
    tab_to(page, widget("optimizers.race.reset"))
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=stMetricValue]").filter(has_text="0 / 100").first
           ).to_be_visible(timeout=IDLE_TIMEOUT_MS)
    tab_to(page, widget("optimizers.race.start"), limit=5, back=True)
    page.keyboard.press("Enter")
    first = wait_for_change(page, step, "0 / 100", seconds=15)
    wait_for_change(page, step, first, seconds=15)  # and it keeps going
    focus_lands(page, widget("optimizers.race.pause"))  # Start disabled itself
    page.keyboard.press("Enter")
    focus_lands(page, widget("optimizers.race.start"))
    assert_paused(page, "optimizers.race.start", step)


def test_mnist_trained_by_keyboard(app_url, page):
    """Start with Enter: the epoch and the test accuracy move; Pause with Enter stops it."""
    start(page, app_url, "/mnist?lang=en&epochs=20")
    epoch, acc = tr("en", "mnist.s7.epoch"), tr("en", "mnist.s7.test_acc")
    assert metric_value(page, epoch) == "0 / 20" and metric_value(page, acc) == "—"
    tab_to(page, widget("mnist.train.start"))
    page.keyboard.press("Enter")
    wait_for_change(page, epoch, "0 / 20", seconds=60)
    assert wait_for_change(page, acc, "—", seconds=30).endswith("%")  # a frame after the epoch
    focus_lands(page, widget("mnist.train.pause"))  # Start disabled itself
    page.keyboard.press("Enter")
    focus_lands(page, widget("mnist.train.start"))
    assert_paused(page, "mnist.train.start", tr("en", "mnist.s7.step"))
