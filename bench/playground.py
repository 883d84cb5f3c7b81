"""The playground lesson's live view in a real browser: how often its pictures move while it
trains, and how fast a click on a neuron opens it.

    python -m bench.playground [--rounds 3] [--seconds 10] [--warmup 2] [--layers 6]
                               [--neurons 8] [--clicks 6] [--data circle] [--profile]

Each round opens /playground?lang=en in a fresh tab of Debian's Chromium with `layers`
hidden layers of `neurons` neurons and all seven input features (the page's URL parameters:
data, layers, n1..n6, x1, x2, x1sq, ...), presses Start and lets it train `warmup` s (the
loss chart comes with the first epoch and moves the diagram down); then fits the viewport's
height to the decision regions and the network diagram, both whole (a live chart redraws
only while on screen), scrolls them into view, and over `seconds` s measures:

- redraws/s of the regions (playground-regions) and of the diagram (playground-network), read
  from the live charts' counters (static/live_chart.js, tests/e2e/helpers.py
  live_chart_state) at both ends of the window, over the browser's clock. A redraw happens
  only after new data went into the chart (a restyle whose largest change passed the page's
  min_change, or new points): each one counted changed the picture. frames/s: those of them
  that showed one of a tick's frames; merged/s: frames put in at once, without a redraw of
  their own, because the next tick's message came first; sent/s: the frames the server sent
  (each live chart message's `frames`, or 1 for a plain update), read off the websocket;
- epochs/s: the Epoch metric the page shows, at both ends;
- ticks/s (runs of the view's fragment: Streamlit's script-finished messages on the
  websocket) and KB per tick (all bytes received / ticks), as bench/live_page.py reads them;
  a tick's run on the server (from the new_session message Streamlit sends as a run begins to
  its end) and the gap before the next run begins, medians, and the share of the window the
  server spent running the page (near 100 % with no gaps: the browser's timer asks every
  0.3 s and a request that comes during a run waits in line, so the server sets the pace);
- where the time goes: Chromium's renderer main thread busy over wall time (CDP
  Performance.getMetrics: TaskDuration, and its script, layout and style parts), animation
  frames/s (and gaps over 50 ms), each live chart's Plotly.redraw / react / newPlot calls per
  second and their median JS ms (Plotly wrapped by an init script), and the CPU seconds per
  wall second of Chromium (all its processes) and of the server. With --profile, a CPU
  profile of the page's JavaScript over the window (CDP Profiler) gives the functions with
  the most self time.

Then `clicks` neuron clicks while it trains (a mouse click on a neuron's tile in the diagram,
the point of its click trace whose customdata is [column, unit]), Pause, and `clicks` more
while paused, each on another neuron: the ms from the press (pointerdown, browser's clock)
until the "Neuron" selectbox of "4. One neuron up close" shows that neuron, and until its
large heatmap is drawn anew after that. A click that shows nothing within CLICK_TIMEOUT_MS
counts as failed.

It prints a row per round, the median and the smallest over the rounds, and a one-line
verdict against the targets of issue 15: regions and diagram at least 8 redraws/s (median of
the rounds), a click shown within 300 ms (median of the paused clicks). Needs Chromium at
/usr/bin/chromium and playwright (requirements-dev.txt). The machine's load changes every
number here: run it on a quiet one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.live_page import READ_METRIC, chart_frames, chromium_cpu, cpu_seconds
from tests.e2e.helpers import IDLE, LIVE_CHART_STATE, wait_for_live_chart
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "ui" / "locales" / "en" / "playground.json"
FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")  # lessons.playground's
MAX_LAYERS, MAX_NEURONS = 6, 8
REGIONS, NETWORK, NEURON = "playground-regions", "playground-network", "playground-neuron"
CHARTS = (REGIONS, NETWORK)
CHART_KEYS = {REGIONS: "playground.live.regions", NETWORK: "playground.live.network"}
START = ".st-key-playground-train-start button"
PAUSE = ".st-key-playground-train-pause button"
SELECT = ".st-key-playground-selected"
EPOCH_LABEL = "Epoch"
WIDTH = 1280
MIN_HEIGHT = 900
FPS_TARGET = 8.0
CLICK_TARGET_MS = 300.0
CLICK_TIMEOUT_MS = 10_000
SETTLE_MS = 400  # after a click was shown, before the next one
FRAGMENT_DONE = "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"

# Installed before the page's scripts: Plotly.redraw, react and newPlot timed, by chart (the
# live charts call them on the Plotly they load, which sets window.Plotly when nothing else
# did), and every animation frame counted, with the gaps over 50 ms (the main thread was busy).
INSTRUMENT = """(() => {
  const B = window.__pg = {calls: [], frames: 0, long: 0, last: 0};
  let held;
  Object.defineProperty(window, "Plotly", {configurable: true, enumerable: true,
    get() { return held; },
    set(v) {
      held = v;
      if (!v || v.__timed) return;
      v.__timed = true;
      for (const name of ["redraw", "react", "newPlot"]) {
        const call = v[name];
        if (typeof call !== "function") continue;
        v[name] = function (gd) {
          const t0 = performance.now();
          const out = call.apply(this, arguments);
          const done = () => B.calls.push([(gd && gd.dataset && gd.dataset.chart) || "", name,
                                           t0, performance.now()]);
          Promise.resolve(out).then(done, done);
          return out;
        };
      }
    }});
  const tick = (now) => {
    if (B.last && now - B.last > 50) B.long += 1;
    B.frames += 1;
    B.last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""

SNAPSHOT = f"""([charts, epochLabel]) => {{
  const state = {LIVE_CHART_STATE};
  const out = {{now: performance.now(), charts: {{}}, epoch: ({READ_METRIC})(epochLabel),
               frames: window.__pg.frames, long: window.__pg.long,
               calls: window.__pg.calls.length}};
  out.visible = {{}};
  for (const name of charts) {{
    out.charts[name] = state(name);
    const gd = document.querySelector(`.live-chart-plot[data-chart="${{name}}"]`);
    out.visible[name] = !!(gd && gd.parentElement.visible);
  }}
  return out;
}}"""

# The neurons of the diagram (its click trace's customdata) and where each one's centre is on
# the screen, in CSS pixels of the viewport.
NEURONS = """(chart) => {
  const gd = document.querySelector(`.live-chart-plot[data-chart="${chart}"]`);
  const full = gd && gd._fullLayout;
  const trace = gd && (gd.data || []).find((d) => d.name === "click");
  if (!full || !trace) return null;
  const rect = gd.getBoundingClientRect(), xa = full.xaxis, ya = full.yaxis;
  return Array.from(trace.customdata, (cd, i) => ({
    column: Number(cd[0]), unit: Number(cd[1]),
    x: rect.left + xa._offset + xa.l2p(Number(trace.x[i])),
    y: rect.top + ya._offset + ya.l2p(Number(trace.y[i]))}));
}"""

# Before a click on a neuron: the press on the diagram, the first moment the selectbox shows
# `expected`, and the first moment after that the large heatmap was drawn anew (its draws
# counter grew: while training the page also draws it anew now and then, not only for a new
# neuron), by performance.now(); check() is also polled on every animation frame.
WATCH_CLICK = """([chart, select, expected, neuron]) => {
  const old = window.__click;
  if (old) {
    old.observer.disconnect();
    document.removeEventListener("pointerdown", old.down_, true);
  }
  const plot = (name) => document.querySelector(`.live-chart-plot[data-chart="${name}"]`);
  const draws = () => { const n = plot(neuron); return n ? Number(n.dataset.draws || 0) : 0; };
  const w = window.__click = {down: null, shown: null, drawn: null, draws: draws()};
  w.check = () => {
    if (w.down === null) return false;
    const now = performance.now();
    if (w.shown === null) {
      const input = document.querySelector(`${select} input`);
      if (input && input.value === expected) {
        w.shown = now;
        w.draws = draws(); // the heatmap is drawn after the selectbox (its message comes later)
      }
    }
    if (w.shown !== null && w.drawn === null && draws() > w.draws) w.drawn = now;
    return w.shown !== null && w.drawn !== null;
  };
  w.down_ = (e) => {
    const gd = plot(chart);
    if (w.down === null && gd && gd.contains(e.target)) w.down = performance.now();
  };
  document.addEventListener("pointerdown", w.down_, true);
  w.observer = new MutationObserver(w.check);
  w.observer.observe(document.body, {subtree: true, childList: true, characterData: true,
                                     attributes: true, attributeFilter: ["data-draws", "value"]});
}"""
CLICK_DONE = "() => window.__click.check()"
CLICK_TIMES = """([select]) => { const w = window.__click;
  const input = document.querySelector(`${select} input`);
  return {down: w.down, shown: w.shown, drawn: w.drawn, value: input ? input.value : null}; }"""


# --- pure parts (tests/unit/test_bench_playground.py) ---------------------------------------

def query(layers: int, neurons: int, data: str = "circle") -> str:
    """The playground's URL parameters for `layers` hidden layers of `neurons` neurons each
    and every input feature on (ui params: layers, n1..n6, one 0/1 per feature)."""
    if not 0 <= layers <= MAX_LAYERS or not 1 <= neurons <= MAX_NEURONS:
        raise ValueError(f"layers 0..{MAX_LAYERS}, neurons 1..{MAX_NEURONS}: "
                         f"got {layers}, {neurons}")
    parts = [f"data={data}", f"layers={layers}"]
    parts += [f"n{i}={neurons}" for i in range(1, layers + 1)]
    parts += [f"{f}=1" for f in FEATURES]
    return "&".join(parts)


def neuron_label(column: int, unit: int, layers: int, catalog: dict) -> str:
    """What the selectbox shows for the neuron at `column` (1..layers: a hidden layer,
    layers + 1: the output) and `unit` (from 0), in the English catalog's words."""
    if column == layers + 1:
        name = catalog["playground.net.output"]
    elif 1 <= column <= layers:
        name = catalog["playground.net.column"].format(i=column)
    else:
        raise ValueError(f"column {column} is not a neuron's: 1..{layers + 1}")
    return catalog["playground.inspect.option"].format(column=name, unit=unit + 1)


def click_targets(neurons: list[tuple[int, int]], count: int,
                  selected: tuple[int, int] | None = (1, 0)) -> list[tuple[int, int]]:
    """`count` neurons to click in turn, (column, unit) from `neurons` (the diagram's, the
    inputs' column 0 left out: they cannot be opened), spread over the columns and units,
    each different from the one before it (the first from `selected`)."""
    columns: dict[int, list[int]] = {}
    for c, u in neurons:
        if c >= 1:
            columns.setdefault(c, []).append(u)
    order = sorted(columns)
    if sum(len(v) for v in columns.values()) < 2:
        raise ValueError("fewer than two neurons to click")
    out, prev, k = [], selected, 0
    while len(out) < count:
        c = order[(k + 1) % len(order)]
        units = sorted(columns[c])
        pick = (c, units[(3 * k) % len(units)])
        k += 1
        if pick == prev:
            continue
        out.append(pick)
        prev = pick
    return out


def parse_ws(received: list[tuple[float, bytes]], start: float, end: float) -> dict:
    """What the websocket brought from `start` to `end` (seconds, this script's clock): the
    fragment runs that ended (ticks), the bytes, the frames each live chart of CHART_KEYS was
    sent (a message's `frames`, or 1 for one with a plain update or a whole figure), and the
    median seconds of a tick's run on the server (from its start, the new_session message
    Streamlit sends as a run begins, to its end), of the gap from a run's end to the next
    one's start (about 0 when the browser's next tick waited in line on the server), and the
    share of the window the server spent running the page (ticks and any other run)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ticks, bytes_in, began, ended = 0, 0, None, None
    runs, busy, gaps = [], 0.0, []
    frames = dict.fromkeys(CHART_KEYS, 0)
    for when, data in received:
        if not start <= when <= end:
            continue
        bytes_in += len(data)
        msg = ForwardMsg()
        try:
            msg.ParseFromString(data)
        except Exception:  # not a ForwardMsg: its bytes still count
            continue
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            began = when
            if ended is not None:
                gaps.append(when - ended)
                ended = None
        elif kind == "script_finished":
            tick = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished) == FRAGMENT_DONE
            ticks += tick
            if began is not None:
                busy += when - began
                if tick:
                    runs.append(when - began)
            began, ended = None, when
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element" \
                and msg.delta.new_element.WhichOneof("type") == "bidi_component":
            element = msg.delta.new_element.bidi_component
            for name, key in CHART_KEYS.items():
                if key in element.id:
                    frames[name] += chart_frames(element.json)
    return {"ticks": ticks, "bytes": bytes_in, "sent_frames": frames,
            "run_s": statistics.median(runs) if runs else None,
            "gap_s": statistics.median(gaps) if gaps else None,
            "server_busy": busy / (end - start) if end > start else None}


def epochs_of(text: str | None) -> int | None:
    """The Epoch metric's text ("1,234") as a number; None when it is not one."""
    if text is None:
        return None
    text = text.replace(",", "").strip()
    return int(text) if text.isdigit() else None


def rates(before: dict, after: dict) -> dict:
    """Per second of the browser's clock, between two SNAPSHOTs: each chart's redraws, frames
    and merged frames, epochs, and animation frames (with those over 50 ms)."""
    seconds = (after["now"] - before["now"]) / 1000
    out = {"seconds": seconds}
    for name in CHARTS:
        a, b = before["charts"].get(name) or {}, after["charts"].get(name) or {}
        for key in ("redraws", "frames", "merged"):
            out[f"{name}.{key}"] = (b.get(key, 0) - a.get(key, 0)) / seconds
    e0, e1 = epochs_of(before["epoch"]), epochs_of(after["epoch"])
    out["epochs"] = None if e0 is None or e1 is None else (e1 - e0) / seconds
    out["raf"] = (after["frames"] - before["frames"]) / seconds
    out["long"] = (after["long"] - before["long"]) / seconds
    return out


def plotly_calls(log: list[list], start_ms: float, end_ms: float) -> dict:
    """From INSTRUMENT's log ([chart, call, began, ended] by performance.now()), the calls
    that began within the window: for each (chart, call) how many and their median ms."""
    times: dict[tuple[str, str], list[float]] = {}
    for chart, call, began, ended in log:
        if start_ms <= began <= end_ms:
            times.setdefault((chart, call), []).append(ended - began)
    return {key: (len(v), statistics.median(v)) for key, v in sorted(times.items())}


def top_functions(profiles: list[dict | None], n: int) -> list[tuple[tuple[str, str], float]]:
    """The `n` functions with the most self time in CPU profiles (CDP Profiler.stop's), in ms
    per second of the profiles' time together, each as (name, file and line)."""
    total: dict[tuple[str, str], float] = {}
    span = 0.0
    for profile in profiles:
        if not profile:
            continue
        nodes = {node["id"]: node for node in profile["nodes"]}
        span += (profile["endTime"] - profile["startTime"]) / 1e6
        for sample, delta in zip(profile.get("samples", []), profile.get("timeDeltas", []),
                                 strict=False):
            frame = nodes[sample]["callFrame"]
            where = frame.get("url", "").rsplit("/", 1)[-1].split("?")[0]
            if where:
                where += f":{frame.get('lineNumber', -1) + 1}"
            key = (frame.get("functionName") or "(anonymous)", where)
            total[key] = total.get(key, 0.0) + delta / 1000
    if span <= 0:
        return []
    ranked = sorted(total.items(), key=lambda item: -item[1])[:n]
    return [(key, ms / span) for key, ms in ranked]


def summary(values: list[float | None]) -> tuple[float | None, float | None]:
    """The median and the smallest of the values measured (None: not measured)."""
    got = [v for v in values if v is not None]
    return (statistics.median(got), min(got)) if got else (None, None)


def verdict(regions: float | None, network: float | None, click_ms: float | None) -> str:
    """One line: the medians over the rounds against the targets of issue 15."""
    def fps(name, v):
        if v is None:
            return f"{name} not measured"
        return f"{name} {v:.1f}/s {'≥' if v >= FPS_TARGET else '<'} {FPS_TARGET:g} " \
               f"{'PASS' if v >= FPS_TARGET else 'FAIL'}"
    if click_ms is None:
        click = "click not measured"
    else:
        ok = click_ms <= CLICK_TARGET_MS
        click = (f"click {click_ms:.0f} ms {'≤' if ok else '>'} {CLICK_TARGET_MS:g} "
                 f"{'PASS' if ok else 'FAIL'}")
    return f"verdict: {fps('regions', regions)}; {fps('diagram', network)}; {click}"


def cell(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def ms_cell(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


# --- in the browser -------------------------------------------------------------------------

def open_playground(page, url: str, layers: int, neurons: int, data: str) -> None:
    """Open the page with the network asked for and wait until its charts are drawn."""
    page.goto(f"{url}/playground?lang=en&{query(layers, neurons, data)}",
              wait_until="domcontentloaded")
    page.wait_for_selector(IDLE, timeout=60_000)
    page.locator(START).first.wait_for(timeout=60_000)
    for name in (*CHARTS, NEURON):
        wait_for_live_chart(page, name, timeout_ms=60_000)
    page.wait_for_timeout(500)


def fit_view(page) -> int:
    """Fit the viewport's height to the regions and the diagram (the loss chart between them
    comes with the first epoch) and scroll them into view. Returns the viewport's height."""
    box = {name: page.locator(f'.live-chart-plot[data-chart="{name}"]').bounding_box()
           for name in CHARTS}
    top, low = box[REGIONS], box[NETWORK]
    height = max(MIN_HEIGHT, round(low["y"] + low["height"] - top["y"]) + 40)
    if height != page.viewport_size["height"]:
        page.set_viewport_size({"width": WIDTH, "height": height})
        page.wait_for_timeout(300)
    page.locator(f'.live-chart-plot[data-chart="{REGIONS}"]').evaluate(
        "e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)  # the charts' IntersectionObservers see it
    return height


BUSY = {"task": "TaskDuration", "script": "ScriptDuration", "layout": "LayoutDuration",
        "style": "RecalcStyleDuration"}


def cdp_busy(cdp) -> dict:
    """Chromium's main-thread seconds so far (Performance.getMetrics): all its work (task),
    and the JavaScript, layout and style parts of it."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {key: metrics.get(name, 0.0) for key, name in BUSY.items()}


def one_click(page, target: tuple[int, int], label: str) -> dict:
    """Click the neuron `target` in the diagram; ms until the selectbox shows `label` and
    until its large heatmap is drawn anew (None: not within CLICK_TIMEOUT_MS)."""
    from playwright.sync_api import Error as PlaywrightError

    where = {(n["column"], n["unit"]): n for n in page.evaluate(NEURONS, NETWORK)}
    spot = where[target]
    page.evaluate(WATCH_CLICK, [NETWORK, SELECT, label, NEURON])
    page.mouse.move(spot["x"], spot["y"])
    page.wait_for_timeout(80)  # Plotly's hover (what its click reports) follows the mouse
    page.mouse.click(spot["x"], spot["y"])
    with contextlib.suppress(PlaywrightError):  # a click that showed nothing: failed
        page.wait_for_function(CLICK_DONE, polling="raf", timeout=CLICK_TIMEOUT_MS)
    t = page.evaluate(CLICK_TIMES, [SELECT])
    if t["down"] is None:
        return {"target": target, "shown_ms": None, "drawn_ms": None, "error": "no press"}
    page.wait_for_timeout(SETTLE_MS)
    out = {"target": target,
           "shown_ms": None if t["shown"] is None else t["shown"] - t["down"],
           "drawn_ms": None if t["drawn"] is None else t["drawn"] - t["down"]}
    if t["shown"] is None:
        out["error"] = f"shows {t['value']!r}"
    return out


def clicks(page, layers: int, count: int, selected: tuple[int, int] | None) -> list[dict]:
    """`count` clicks on neurons, each another one."""
    catalog = json.loads(CATALOG.read_text())
    fit_view(page)
    neurons = [(n["column"], n["unit"]) for n in page.evaluate(NEURONS, NETWORK)]
    return [one_click(page, target, neuron_label(*target, layers, catalog))
            for target in click_targets(neurons, count, selected)]


def one_round(browser, url: str, args, server_pid: int) -> dict:
    """One fresh tab: the training window, clicks while training, Pause, clicks paused."""
    received: list[tuple[float, bytes]] = []  # parsed after the window

    def on_ws(ws) -> None:
        ws.on("framereceived", lambda p: received.append(
            (time.perf_counter(), p if isinstance(p, bytes) else p.encode())))

    context = browser.new_context(viewport={"width": WIDTH, "height": MIN_HEIGHT},
                                  locale="en-US")
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    page.on("websocket", on_ws)
    open_playground(page, url, args.layers, args.neurons, args.data)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.locator(START).first.click()
    page.locator(f"{START}[disabled]").first.wait_for(timeout=30_000)
    page.wait_for_timeout(round(args.warmup * 1000))
    height = fit_view(page)
    me = os.getpid()
    t0, busy0 = time.perf_counter(), cdp_busy(cdp)
    cpu0 = (chromium_cpu(me), cpu_seconds(server_pid))
    if args.profile:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.start")
    before = page.evaluate(SNAPSHOT, [list(CHARTS), EPOCH_LABEL])
    page.wait_for_timeout(round(args.seconds * 1000))  # the websocket's events come meanwhile
    after = page.evaluate(SNAPSHOT, [list(CHARTS), EPOCH_LABEL])
    t1, busy1 = time.perf_counter(), cdp_busy(cdp)
    cpu1 = (chromium_cpu(me), cpu_seconds(server_pid))
    wall = t1 - t0
    profile = cdp.send("Profiler.stop")["profile"] if args.profile else None
    log = page.evaluate("() => window.__pg.calls")
    row = {"height": height, **rates(before, after),
           **parse_ws(received, t0, t1),
           "calls": plotly_calls(log, before["now"], after["now"]),
           **{f"main_{k}": (busy1[k] - busy0[k]) / wall for k in BUSY},
           "browser_cpu": (cpu1[0] - cpu0[0]) / wall, "server_cpu": (cpu1[1] - cpu0[1]) / wall}
    row["redraw_ms"] = {name: row["calls"][(name, "redraw")][1] for name in CHARTS
                        if (name, "redraw") in row["calls"]}
    row["profile"] = profile
    row["in_view"] = all(before["visible"].values()) and all(after["visible"].values())
    row["ticks_per_s"] = row["ticks"] / wall
    row["kb_per_tick"] = row["bytes"] / 1024 / row["ticks"] if row["ticks"] else None
    for name in CHARTS:
        row[f"{name}.sent"] = row["sent_frames"][name] / wall
    row["clicks_training"] = clicks(page, args.layers, args.clicks, (1, 0))
    last = row["clicks_training"][-1]["target"] if row["clicks_training"] else (1, 0)
    page.locator(PAUSE).first.click()
    page.locator(f"{PAUSE}[disabled]").first.wait_for(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.wait_for_timeout(500)
    row["clicks_paused"] = clicks(page, args.layers, args.clicks, last)
    context.close()
    return row


def click_cell(results: list[dict], key: str = "shown_ms") -> str:
    """The median of the clicks' times, how many failed when some did ('-': none)."""
    if not results:
        return "-"
    got = [r[key] for r in results if r.get(key) is not None]
    text = "failed" if not got else f"{statistics.median(got):.0f}"
    failed = len(results) - len(got)
    return text if not failed else f"{text} ({failed} failed)"


def pair(row: dict, key: str, spec: str = ".1f") -> str:
    """`key` of the regions and of the diagram, as 'regions|diagram'."""
    return "|".join(cell(row.get(f"{name}.{key}"), spec) for name in CHARTS)


def aggregate(rows: list[dict], pick: int) -> dict:
    """The median (pick 0) or the smallest (pick 1) over the rounds of every number of a row;
    the clicks of all rounds together (for the median row only)."""
    keys = {k for r in rows for k, v in r.items() if isinstance(v, (int, float))
            and not isinstance(v, bool)} | {k for r in rows for k, v in r.items() if v is None}
    out = {k: summary([r.get(k) for r in rows])[pick] for k in keys}
    out["redraw_ms"] = {n: summary([r["redraw_ms"].get(n) for r in rows])[pick] for n in CHARTS}
    for way in ("clicks_training", "clicks_paused"):
        out[way] = [c for r in rows for c in r[way]] if pick == 0 else []
    out["in_view"] = all(r["in_view"] for r in rows)
    return out


def print_rows(rows: list[dict]) -> None:
    """The two tables: what the learner sees, and where the time goes."""
    print(f"{'':<7}{'redraws/s':>12}{'frames/s':>12}{'merged/s':>12}{'sent/s':>12}"
          f"{'epochs/s':>10}{'ticks/s':>9}{'KB/tick':>9}{'click ms paused':>18}"
          f"{'click ms training':>20}")
    print(f"{'round':<7}" + f"{'reg|diagram':>12}" * 4)
    table = [(str(i + 1), r) for i, r in enumerate(rows)]
    table += [("median", aggregate(rows, 0)), ("min", aggregate(rows, 1))]
    for label, r in table:
        paused = f"{click_cell(r['clicks_paused'])}|{click_cell(r['clicks_paused'], 'drawn_ms')}"
        training = (f"{click_cell(r['clicks_training'])}|"
                    f"{click_cell(r['clicks_training'], 'drawn_ms')}")
        print(f"{label:<7}{pair(r, 'redraws'):>12}{pair(r, 'frames'):>12}{pair(r, 'merged'):>12}"
              f"{pair(r, 'sent'):>12}{cell(r.get('epochs')):>10}"
              f"{cell(r.get('ticks_per_s'), '.2f'):>9}"
              f"{cell(r.get('kb_per_tick')):>9}{paused:>18}{training:>20}"
              f"{'' if r['in_view'] else '  (a chart left the view)'}")
    print(f"\n{'':<7}{'ms/redraw':>11}{'main thread busy':>30}{'anim frames/s':>15}"
          f"{'CPU s/s':>12}{'tick run|gap ms':>17}{'server':>8}")
    print(f"{'round':<7}{'reg|diagram':>11}{'all (js layout style)':>30}{'(> 50 ms)':>15}"
          f"{'chrome|srv':>12}{'':>17}{'busy':>8}")
    for label, r in table[:-1]:
        ms = r["redraw_ms"]
        busy = (f"{cell(r.get('main_task'), '.0%')} ({cell(r.get('main_script'), '.0%')} "
                f"{cell(r.get('main_layout'), '.0%')} {cell(r.get('main_style'), '.0%')})")
        tick = f"{ms_cell(r.get('run_s'))}|{ms_cell(r.get('gap_s'))}"
        print(f"{label:<7}{cell(ms.get(REGIONS), '.0f') + '|' + cell(ms.get(NETWORK), '.0f'):>11}"
              f"{busy:>30}{cell(r.get('raf'), '.0f') + ' (' + cell(r.get('long'), '.0f') + ')':>15}"
              f"{cell(r.get('browser_cpu'), '.2f') + '|' + cell(r.get('server_cpu'), '.2f'):>12}"
              f"{tick:>17}{cell(r.get('server_busy'), '.0%'):>8}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="the measured window")
    parser.add_argument("--warmup", type=float, default=2.0, help="training before it")
    parser.add_argument("--layers", type=int, default=MAX_LAYERS)
    parser.add_argument("--neurons", type=int, default=MAX_NEURONS)
    parser.add_argument("--clicks", type=int, default=6, help="neuron clicks, each way")
    parser.add_argument("--data", default="circle", help="the dataset (the page's `data`)")
    parser.add_argument("--profile", action="store_true",
                        help="sample the browser's JavaScript during each window and print the "
                             "functions that took the most (slows the page a little)")
    args = parser.parse_args(argv)
    query(args.layers, args.neurons)  # checks the sizes
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    print(f"playground, {args.data}, {args.layers} hidden layers × {args.neurons} neurons, all "
          f"{len(FEATURES)} features; {args.rounds} rounds: {args.warmup:g} s of training, "
          f"{args.seconds:g} s measured, {args.clicks} neuron clicks while training, Pause, "
          f"{args.clicks} clicks paused.{' Profiled (slower).' if args.profile else ''}\n"
          f"reg|diagram: the decision regions | the network diagram. redraws/s: redraws after "
          f"new data went into the chart (each changed the picture); frames/s: those that "
          f"showed one of a tick's frames; merged/s: frames put in without a redraw of their "
          f"own (the next tick came first); sent/s: frames the server sent.\n"
          f"click ms: press on a neuron → the selectbox shows it | → its large heatmap is "
          f"drawn anew; median per round (median row: of all clicks).\n"
          f"ms/redraw: median JS time of one Plotly.redraw. main thread busy: Chromium's "
          f"renderer main thread, share of wall time, and its JavaScript, layout and style "
          f"parts. anim frames/s: requestAnimationFrame callbacks (gaps over 50 ms). CPU s/s: "
          f"all of Chromium | the server. tick run|gap: a tick's run on the server and the "
          f"wait before the next, median; server busy: share of the window running the page.",
          flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, \
            streamlit_server(Path(tmp) / "server.log") as (url, server), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        for r in range(args.rounds):
            rows.append(one_round(browser, url, args, server.pid))
            print(f"round {r + 1}: done", flush=True)
        browser.close()
    print(f"viewport {WIDTH}×{rows[0]['height']} (the regions and the diagram whole, in view)\n")
    print_rows(rows)
    for way, name in (("clicks_training", "training"), ("clicks_paused", "paused")):
        print(f"clicks {name}, ms (column.unit shown|drawn): " + "; ".join(
            ", ".join(f"{c['target'][0]}.{c['target'][1]} {cell(c['shown_ms'], '.0f')}|"
                      f"{cell(c['drawn_ms'], '.0f')}"
                      + (f" ({c['error']})" if c.get("error") else "") for c in r[way])
            for r in rows))
    print("Plotly calls in the window, per chart: calls/s × median ms (round 1 ... n):")
    for key in sorted({k for r in rows for k in r["calls"]}):
        print(f"  {key[0]:<28}{key[1]:<8}" + "  ".join(
            f"{r['calls'][key][0] / r['seconds']:.1f} × {r['calls'][key][1]:.0f}"
            if key in r["calls"] else "-" for r in rows))
    if args.profile:
        print("browser JavaScript, self time per second of the window, all rounds (function, "
              "file):")
        for (function, where), ms in top_functions([r["profile"] for r in rows], 15):
            print(f"  {ms:7.1f} ms/s  {function}  {where}")
    shown = [c["shown_ms"] for r in rows for c in r["clicks_paused"]
             if c["shown_ms"] is not None]
    print(verdict(summary([r[f"{REGIONS}.redraws"] for r in rows])[0],
                  summary([r[f"{NETWORK}.redraws"] for r in rows])[0],
                  statistics.median(shown) if shown else None)
          + " (redraws/s: median of the rounds; click: median of the paused clicks)")


if __name__ == "__main__":
    main()
