"""The live charts (ui/live_chart.py, static/live_chart.js) in Chromium, on the MNIST lesson:
they update in place while training, export like every chart, and leave nothing behind."""

from __future__ import annotations

import statistics

import pytest

from tests.e2e.helpers import (
    IDLE_TIMEOUT_MS,
    LIVE_CHART_STATE,
    live_chart,
    live_chart_state,
    metric_value,
    open_idle,
    settle,
    wait_for_change,
    wait_for_live_chart,
)
from ui.i18n import tr

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

TRAIN = ".st-key-mnist-train"
CHARTS = ("mnist-loss", "mnist-accuracy", "mnist-grad-flow", "mnist-first-layer-weights")
SAME_NODE = """([name, node]) => node === document.querySelector(
    `.live-chart-plot[data-chart="${name}"]`) && node.isConnected"""


def wait_for_epoch(page, lang: str, epoch: int) -> int:
    """Wait until the page shows `epoch` epochs done or more; the epoch it shows then."""
    label = tr(lang, "mnist.s7.epoch")
    page.wait_for_function(
        """([label, want]) => [...document.querySelectorAll('[data-testid=stMetric]')].some(
            (m) => m.innerText.includes(label)
                && parseInt(m.innerText.split(label)[1]) >= want)""",
        arg=[label, epoch], timeout=90_000)
    return int(metric_value(page, label).split("/")[0])


def test_charts_update_in_place_while_training(app_url, page):
    """Between two epoch ends no chart is drawn again from scratch: the loss chart's node
    stays the same node, and its curves grow by new points."""
    open_idle(page, f"{app_url}/mnist?lang=en&epochs=20")
    settle(page)
    page.locator(f"{TRAIN}-start button").first.click()
    done = wait_for_epoch(page, "en", 1)
    wait_for_live_chart(page, "mnist-accuracy")
    live_chart(page, "mnist-loss").scroll_into_view_if_needed()  # redrawn while on the screen
    node = live_chart(page, "mnist-loss").element_handle()
    first = {name: live_chart_state(page, name) for name in CHARTS}
    # the weight pictures go again once they visibly moved, at most once a second
    page.wait_for_function(f"""() => ({LIVE_CHART_STATE})("mnist-first-layer-weights")
        .restyles > {first["mnist-first-layer-weights"]["restyles"]}""", timeout=60_000)
    wait_for_epoch(page, "en", done + 2)
    later = {name: live_chart_state(page, name) for name in CHARTS}
    assert page.evaluate(SAME_NODE, ["mnist-loss", node]), "the loss chart was replaced"
    for name in CHARTS:
        assert later[name]["draws"] == first[name]["draws"] == 1, (name, first[name], later[name])
    loss_before, loss_after = first["mnist-loss"], later["mnist-loss"]
    assert loss_after["extends"] > loss_before["extends"]  # new points, not new figures
    # the curves reach further (their point count may fall: the history thins past 2,000)
    assert min(loss_after["last"]) > max(loss_before["last"])
    assert loss_after["redraws"] > loss_before["redraws"]  # and shown
    assert page.locator("[data-testid=stException]").count() == 0


@pytest.mark.parametrize(("slides", "fmt"), [(False, "png"), (True, "svg")])
def test_the_camera_button_exports_the_live_chart(app_url, page, slides, fmt):
    """The export name is <figure>-<lang>; slide mode and the sidebar's format carry over."""
    open_idle(page, f"{app_url}/mnist?lang=ko&epochs=1" + ("&slides=1" if slides else ""))
    settle(page)
    if fmt != "png":
        page.get_by_text(fmt.upper(), exact=True).first.click()
        settle(page)
    page.locator(f"{TRAIN}-step button").first.click()
    chart = live_chart(page, "mnist-loss")
    wait_for_live_chart(page, "mnist-loss")
    chart.scroll_into_view_if_needed()
    chart.hover()
    button = chart.locator(".modebar-btn[data-title^='Download plot']")
    with page.expect_download(timeout=IDLE_TIMEOUT_MS) as download:
        button.click()
    assert download.value.suggested_filename == f"mnist-loss-ko.{fmt}"
    assert page.locator("[data-testid=stException]").count() == 0


def test_start_pause_reset_cycles_leave_nothing_behind(app_url, page):
    """Ten Start / Pause / Reset cycles: the number of charts and Plotly nodes stays put and
    the page's JavaScript heap does not grow cycle after cycle."""
    open_idle(page, f"{app_url}/mnist?lang=en&epochs=20")  # no run ends within a cycle
    settle(page)
    cdp = page.context.new_cdp_session(page)
    counts, heaps = [], []
    for _ in range(10):
        page.locator(f"{TRAIN}-start button").first.click()
        page.locator(f"{TRAIN}-pause button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
        live_chart(page, "mnist-loss").wait_for(timeout=IDLE_TIMEOUT_MS)
        page.wait_for_timeout(800)
        page.locator(f"{TRAIN}-pause button").first.click()
        page.locator(f"{TRAIN}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
        settle(page)
        counts.append(page.evaluate("""() => [
            document.querySelectorAll('.live-chart').length,
            document.querySelectorAll('.js-plotly-plot').length,
            document.querySelectorAll('svg.main-svg').length]"""))
        step = tr("en", "mnist.s7.step")
        trained = metric_value(page, step)
        page.locator(f"{TRAIN}-reset button").first.click()
        assert wait_for_change(page, step, trained, seconds=30) == "0"
        settle(page)
        cdp.send("HeapProfiler.collectGarbage")
        heaps.append(cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20)
    print("nodes per cycle", counts, "heap MiB per cycle", [round(h, 1) for h in heaps])
    # each live chart is one Plotly chart of 3 layers (4 live charts, or 6 once an epoch
    # ended within the cycle: the test-set analysis); the page's other charts stay as many,
    # give or take one that Streamlit is replacing at that moment: a leak would add one or
    # more every cycle
    assert all(live in (4, 6) and svgs == 3 * plots for live, plots, svgs in counts), counts
    others = [plots - live for live, plots, _ in counts]
    assert max(others) <= min(others) + 1, counts
    # no growth cycle after cycle: the last cycles sit within a few MiB of the early ones
    assert statistics.median(heaps[-3:]) < statistics.median(heaps[1:4]) + 10, heaps
    assert page.locator("[data-testid=stException]").count() == 0
