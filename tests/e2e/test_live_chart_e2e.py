"""The live charts (ui/live_chart.py, static/live_chart.js) in Chromium, on the MNIST lesson:
they update in place while training, export like every chart, and leave nothing behind; and
on a test page of their own (tests/e2e/live_chart_page.py): frames shown one by one, clicks
on a heatmap that say where the mouse was."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.e2e import live_chart_page as lcp
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
from tests.e2e.server import ROOT, STARTUP_TIMEOUT_S, free_port, healthy, stop
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


# --- frames and clicks, on a page of their own (tests/e2e/live_chart_page.py) -------------

@pytest.fixture(scope="module")
def frames_page_url(chromium, tmp_path_factory):
    """`streamlit run` of tests/e2e/live_chart_page.py alone. Streamlit serves /app/static from
    the folder beside the main script, so the main script is a two-line stub in a folder of
    its own, beside a link to the app's static/; the server runs in the repository's root,
    so the app's .streamlit/config.toml holds as for the app."""
    folder = tmp_path_factory.mktemp("live_chart_page")
    (folder / "static").symlink_to(ROOT / "static", target_is_directory=True)
    stub = folder / "page.py"
    stub.write_text("import runpy\n"
                    f"runpy.run_path({str(ROOT / 'tests/e2e/live_chart_page.py')!r}, "
                    "run_name='__main__')\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(stub), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the test page's server did not start:\n{log.read_text()}")
            time.sleep(0.25)
        yield url
    finally:
        stop(proc)


# Wait until the chart `name` has shown `want` frames or more; the times (performance.now,
# ms) at which its frame count rose, one per rise.
FRAME_TIMES = """async ([name, want, timeout]) => {
  const gd = document.querySelector(`.live-chart-plot[data-chart="${name}"]`);
  const times = [], end = performance.now() + timeout;
  let seen = Number(gd.dataset.frames || 0);
  while (seen < want && performance.now() < end) {
    await new Promise((r) => requestAnimationFrame(r));
    const now = Number(gd.dataset.frames || 0);
    if (now > seen) times.push(performance.now());
    seen = now;
  }
  return times;
}"""


@pytest.mark.serial  # it times the browser's frames: alone on the cores (scripts/test.sh)
def test_frames_are_shown_one_by_one_and_end_at_the_last(frames_page_url, page):
    """One fragment run with FRAMES states: the chart is redrawn once per frame, about
    FRAME_S apart, never drawn again from scratch, and ends holding the last state exactly."""
    open_idle(page, f"{frames_page_url}/?lang=en")
    wait_for_live_chart(page, "test-frames")
    chart = live_chart(page, "test-frames")
    chart.scroll_into_view_if_needed()
    for round_ in (1, 2):
        before = live_chart_state(page, "test-frames")
        page.locator(".st-key-advance button").click()
        times = page.evaluate(FRAME_TIMES, ["test-frames", before["frames"] + lcp.FRAMES,
                                            20_000])
        page.wait_for_timeout(int(3 * lcp.FRAME_S * 1000))  # nothing more comes
        after = live_chart_state(page, "test-frames")
        assert after["frames"] == before["frames"] + lcp.FRAMES, (before, after)
        assert after["merged"] == before["merged"] == 0
        assert after["draws"] == 1 and after["messages"] == before["messages"] + 1
        span = (times[-1] - times[0]) / 1000
        print(f"round {round_}: {lcp.FRAMES} frames in {span:.3f} s "
              f"({(lcp.FRAMES - 1) / span:.1f} redraws/s)")
        assert span >= 0.7 * (lcp.FRAMES - 1) * lcp.FRAME_S  # one per FRAME_S, not at once
        z, x, y = page.evaluate("""() => { const gd = document.querySelector(
            '.live-chart-plot[data-chart="test-frames"]');
            return [Array.from(gd.data[0].z, (row) => Array.from(row)),
                    Array.from(gd.data[1].x), Array.from(gd.data[1].y)]; }""")
        last = lcp.state(round_ * lcp.FRAMES)
        assert np.array_equal(np.asarray(z, dtype=np.float32), last[0]["z"])
        assert x == last[1]["x"].tolist()
        assert np.array_equal(np.asarray(y, dtype=np.float32), last[1]["y"])
    assert page.locator("[data-testid=stException]").count() == 0


@pytest.mark.serial  # its second click must come while frames wait: alone on the cores
def test_a_message_that_comes_while_frames_wait_takes_them_at_once(frames_page_url, page):
    """Two advances in quick succession: what is left of the first one's frames, but its
    last, goes into the chart at once when the second comes (merged); the last and the
    second's frames follow one by one, and the chart ends at the last state."""
    open_idle(page, f"{frames_page_url}/?lang=en")
    wait_for_live_chart(page, "test-frames")
    live_chart(page, "test-frames").scroll_into_view_if_needed()
    before = live_chart_state(page, "test-frames")
    button = page.locator(".st-key-advance button")
    button.click()
    page.wait_for_function(f"""() => ({LIVE_CHART_STATE})("test-frames").frames
        > {before["frames"]}""", timeout=IDLE_TIMEOUT_MS)
    button.click()  # while the first advance's frames are still being shown
    page.wait_for_function(f"""() => ({LIVE_CHART_STATE})("test-frames").messages
        >= {before["messages"] + 2}""", timeout=IDLE_TIMEOUT_MS)
    page.wait_for_timeout(int((lcp.FRAMES + 3) * lcp.FRAME_S * 1000))
    after = live_chart_state(page, "test-frames")
    assert after["merged"] > before["merged"], (before, after)
    assert after["messages"] == before["messages"] + 2
    x = page.evaluate("""() => Array.from(document.querySelector(
        '.live-chart-plot[data-chart="test-frames"]').data[1].x)""")
    z = page.evaluate("""() => Array.from(document.querySelector(
        '.live-chart-plot[data-chart="test-frames"]').data[0].z, (r) => Array.from(r))""")
    last = lcp.state(2 * lcp.FRAMES)
    assert x == last[1]["x"].tolist()
    assert np.array_equal(np.asarray(z, dtype=np.float32), last[0]["z"])
    assert page.locator("[data-testid=stException]").count() == 0


def clicked(page) -> dict:
    return json.loads(page.locator(".st-key-clicked").inner_text())


def click_at(page, name: str, x: float, y: float) -> None:
    """A mouse click on the chart `name` where its axes put the data point (x, y)."""
    px, py = page.evaluate("""([name, x, y]) => {
        const gd = document.querySelector(`.live-chart-plot[data-chart="${name}"]`);
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const rect = gd.getBoundingClientRect();
        return [rect.left + xa._offset + xa.l2p(x), rect.top + ya._offset + ya.l2p(y)]; }""",
                           [name, x, y])
    # Plotly reports the point it last hovered, and hovering is throttled (50 ms): the mouse
    # rests first, as a hand's does (the mouse's own position is read from the click itself)
    page.mouse.move(px, py)
    page.wait_for_timeout(150)
    page.mouse.click(px, py)


def test_a_click_on_a_heatmap_says_where_the_mouse_was(frames_page_url, page):
    """A click anywhere in a heatmap's cell calls on_click with the mouse's data coordinates
    (within a pixel) and the cell's [row, col]; one listener, across reacts and a newPlot."""
    open_idle(page, f"{frames_page_url}/?lang=en")
    wait_for_live_chart(page, "test-map")
    chart = live_chart(page, "test-map")
    chart.scroll_into_view_if_needed()
    assert live_chart_state(page, "test-frames")["clicks"] == 0  # no on_click, no listener
    targets = [(2.3, -1.7), (-5.1, 4.4), (0.26, 0.24)]
    for n, (x, y) in enumerate(targets, start=1):
        if n == 3:  # drawn afresh: the listener is registered on the new plot, once
            page.locator(".st-key-new-plot button").click()
            page.wait_for_function("""() => Number(document.querySelector(
                '.live-chart-plot[data-chart="test-map"]').dataset.draws) === 2""")
        click_at(page, "test-map", x, y)
        page.wait_for_function("""(n) => document.querySelector('.st-key-clicked')
            .innerText.includes(`"clicks": ${n}`)""", arg=n, timeout=IDLE_TIMEOUT_MS)
        value = clicked(page)["value"]
        per_px = page.evaluate("""() => { const full = document.querySelector(
            '.live-chart-plot[data-chart="test-map"]')._fullLayout;
            return [1 / Math.abs(full.xaxis._m), 1 / Math.abs(full.yaxis._m)]; }""")
        col, row = (int((v + lcp.LIM) // lcp.CELL) for v in (x, y))
        assert value["curve"] == 0 and value["point"] == [row, col], value
        assert value["x"] == pytest.approx(lcp.CENTRES[col])
        assert value["y"] == pytest.approx(lcp.CENTRES[row])
        # where the mouse was, to a pixel (data units per pixel: per_px)
        assert abs(value["mouse"]["x"] - x) <= per_px[0], (value, per_px)
        assert abs(value["mouse"]["y"] - y) <= per_px[1], (value, per_px)
        state = live_chart_state(page, "test-map")
        assert state["clicks"] == 1, state
    assert page.locator("[data-testid=stException]").count() == 0
