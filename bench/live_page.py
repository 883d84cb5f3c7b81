"""The MNIST lesson's live training in a real browser, against the engine headless.

    python -m bench.live_page [--rounds 3] [--epochs 15] [--pin]

15 epochs rather than the page's 5: five now take about 4 s, most of them the page's own
runs at Start and at the end, and the live view's measures below need a steady stretch.
The test accuracy reaches 97 % at the 5th epoch either way.

Each round, side by side on the same machine:
- headless: the page's default network (784-100-10, ReLU, He, Adam 0.001, batch 100,
  seed 0) trained by engine.trainer.Trainer for `epochs` epochs, with the same epoch-end
  scoring the page does (10,000 training samples and the 10,000 test digits), with numpy's
  default BLAS threads and with one (as the app's server runs it, ui/runtime.py);
- in the page: `streamlit run`, Debian's Chromium opens /mnist with the same settings,
  presses Start and waits for the run to finish, reading the websocket: every ForwardMsg the
  server sends is parsed. A redraw is a new picture of the loss chart (key
  `mnist.live.loss`) in the browser, counted by the live chart itself (static/live_chart.js:
  a Plotly.redraw that shows new data); redraws per second: from the first to the last,
  by the browser's clock. A redraw's bytes: the bytes of the view's
  run (a tick) that brought it over the pictures of the loss chart that run brought (its
  frames, or 1), with the bytes of runs that brought none carried to the next; the page's
  own runs (after Start, and the whole page once the run ends) are not redraws. Meanwhile
  the CPU seconds of Chromium (the browser and all its processes) and of the server are
  read from /proc;
- pause: in a fresh tab (20 epochs, so that the run is still going when Pause is clicked),
  5 times: Start, 1.5 s of training, a click on Pause, and the seconds until the buttons
  show it paused (Pause disabled and Start, or "Resume", enabled), by the browser's clock
  (performance.now() at the click's event and at the first DOM state that shows it
  paused); then whether training stopped (the step metric the page shows is the same 1 s
  later); then Reset. A try that times out (e.g. the tab lost its connection) is printed
  as failed, and the tab is loaded again.

It prints, per round and as medians: samples/s in the page and headless and their ratio
(issue 14's target: at least 0.85), redraws per second (at least 8) and the median time
between two runs of the view (tick s), bytes per redraw (median, at most 10 KB; largest,
at most 60 KB), the seconds from the click on Start until the page shows a test accuracy
of 97% or more (at most 2.5 s), the median pause latency (at most 0.3 s) and whether every
pause stopped the training, and the browser's and the server's CPU seconds per wall second
over the training run (1.00: one core busy all along).
With --pin the server gets CPU 0 and everything else CPU 1, as if the learner's browser
ran on their own computer; without it the browser's rendering competes with the training
for the same two cores. Needs Chromium at /usr/bin/chromium and playwright
(requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from engine.datasets import load_mnist
from engine.network import MultiLayerNet
from engine.optimizers import Adam
from engine.trainer import Trainer
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

START = ".st-key-mnist-train-start button"  # reads "Resume" after a pause; the key stays
PAUSE = ".st-key-mnist-train-pause button"
RESET = ".st-key-mnist-train-reset button"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
CONNECTED_IDLE = f"{IDLE}[data-test-connection-state=CONNECTED]"
TEST_ACC_LABEL = "Test accuracy"
RATE_LABEL = "Samples / s"
STEP_LABEL = "Step"  # the step metric's label starts so ("Steps (mini-batches)")
BATCH = 100
PINNED = "pinned: the server on CPU 0; the browser, this script and the headless runs on CPU 1"
SHARED = "shared: the server, the browser and the headless runs on both cores"
LOSS_CHART = "mnist.live.loss"  # in the id of the live view's loss chart
LOSS_NAME = "mnist-loss"  # its name in the page (the live chart's data-chart)
EVAL_TRAIN = 10_000
TRIES = 5  # pauses per round
PAUSE_EPOCHS = 20  # the pause tab's run: long enough that it never ends before Pause
TRAIN_BEFORE_PAUSE_MS = 1_500
STOPPED_AFTER_MS = 1_000
CHROMIUM_DIR = "/usr/lib/chromium/"  # /usr/bin/chromium is a script that runs what is here


def headless(epochs: int, threads: int | None) -> float:
    """Samples per second of the page's default run, without a page, with `threads` BLAS
    threads (None: numpy's default, one per core)."""
    (x, t), (xt, tt) = load_mnist(keep_uint8=True)
    net = MultiLayerNet(784, [100], 10, activation="relu", weight_init_std="he", seed=0)
    trainer = Trainer(net, Adam(lr=0.001), x, t, xt, tt, batch_size=BATCH, seed=0,
                      eval_samples=EVAL_TRAIN)
    with threadpool_limits(threads, user_api="blas"):
        start = time.perf_counter()
        trainer.run(until_epoch=epochs)
        return epochs * len(x) / (time.perf_counter() - start)


def is_loss_redraw(element) -> bool:
    """Whether a new element (a streamlit Element proto) is the live view's loss chart: a
    plotly_chart (the key carries a version, a new chart each redraw) or a Components v2
    bidi_component (one element, updated in place) whose id holds LOSS_CHART."""
    kind = element.WhichOneof("type")
    if kind == "plotly_chart":
        return LOSS_CHART in element.plotly_chart.id
    if kind == "bidi_component":
        return LOSS_CHART in element.bidi_component.id
    return False


def chart_frames(text: str) -> int:
    """The pictures one live chart message brings: its frames, 1 for a plain update (extend,
    restyle) or a whole figure, 0 for nothing (or what cannot be read)."""
    try:
        message = json.loads(text)
    except ValueError:
        return 0
    if not isinstance(message, dict):
        return 0
    if message.get("frames"):
        return len(message["frames"])
    return int(bool(message.get("figure") or message.get("extend") or message.get("restyle")))


def loss_pictures(element) -> int:
    """The pictures of the loss chart one element brings: a plotly_chart 1; a live chart's
    message its frames, or 1 for a plain update or a whole figure (0 for one that brings
    nothing new)."""
    if not is_loss_redraw(element):
        return 0
    if element.WhichOneof("type") == "plotly_chart":
        return 1
    return chart_frames(element.bidi_component.json)


def parse(received: list[tuple[float, bytes]]):
    """The server's runs while it trained, each as (bytes, pictures of the loss chart it
    brought, a fragment's run, when it ended), the samples per second the page showed
    (measured by the server's clock over its last 3 s), and the test accuracies it showed,
    with when. A run's bytes are every websocket frame from the end of the run before to
    its own end."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    runs, rates, accuracies = [], [], []
    size = pictures = 0
    whole = False  # a delta outside every fragment: the whole page ran
    for when, data in received:
        msg = ForwardMsg()
        size += len(data)
        try:
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
        except Exception:  # a frame that is not a ForwardMsg still counts as bytes
            continue
        if kind == "script_finished":  # a fragment's run may end early for the next one
            runs.append((size, pictures, not whole, when))
            size = pictures = 0
            whole = False
        if kind == "delta" and not msg.delta.fragment_id:
            whole = True
        if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
            continue
        element = msg.delta.new_element
        pictures += loss_pictures(element)
        if element.WhichOneof("type") == "metric" and element.metric.label == RATE_LABEL:
            body = element.metric.body.replace(",", "")
            if body.isdigit():
                rates.append(int(body))
        elif element.WhichOneof("type") == "metric" and element.metric.label == TEST_ACC_LABEL:
            accuracies.append((when, element.metric.body))
    return runs, rates, accuracies


def tick_gap(runs: list[tuple[int, int, bool, float]]) -> float | None:
    """The median time between the ends of two runs of the live view in a row (ticks)."""
    ends = [when for _, _, fragment, when in runs if fragment]
    gaps = [b - a for a, b in itertools.pairwise(ends)]
    return statistics.median(gaps) if gaps else None


def redraw_sizes(runs: list[tuple[int, int, bool, float]]) -> list[float]:
    """Bytes per picture of the loss chart, one value per picture-bringing run of the live
    view (a fragment's run, a tick): its bytes, with those of the runs before it that
    brought none, over the pictures it brought. The page's own runs (Start, and the whole
    page drawn again when the run ends) are not redraws and are left out."""
    sizes, carried = [], 0
    for size, pictures, fragment, _ in runs:
        if not fragment:
            carried = 0
            continue
        carried += size
        if pictures:
            sizes.extend([carried / pictures] * pictures)
            carried = 0
    return sizes


# --- CPU seconds, read from /proc ------------------------------------------------------------

def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command's name (state is [0], ppid [1])."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid`, and of its children that have ended and
    that it has waited for (cutime, cstime)."""
    fields = _stat(pid)
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def chromium_pids(ancestor: int) -> list[int]:
    """The Chromium processes below process `ancestor` (this script: Playwright's driver
    starts the browser, which starts the zygote, renderers, GPU and network processes)."""
    parent = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):  # ended meanwhile
                parent[int(entry.name)] = int(_stat(int(entry.name))[1])
    found = []
    for pid in parent:
        up = parent.get(pid)
        while up not in (None, 0, 1, ancestor):
            up = parent.get(up)
        if up == ancestor:
            try:
                if os.readlink(f"/proc/{pid}/exe").startswith(CHROMIUM_DIR):
                    found.append(pid)
            except OSError:
                pass
    return found


def chromium_cpu(ancestor: int) -> float:
    """CPU seconds of all Chromium processes below `ancestor` so far. A process that ended
    and was waited for by another Chromium process is counted in that one's cutime/cstime;
    one that ended and was reaped by a process outside (e.g. reparented to init) is lost,
    so the browser's CPU may be slightly undercounted. Chromium's crash handlers
    (chrome_crashpad_handler) are reparented to init at once and not counted (idle)."""
    total = 0.0
    for pid in chromium_pids(ancestor):
        with contextlib.suppress(OSError, IndexError, ValueError):  # ended meanwhile: lost
            total += cpu_seconds(pid)
    return total


def in_page(browser, url: str, epochs: int, server_pid: int) -> dict:
    """One run of the page's Start button; what the browser saw."""
    received: list[tuple[float, bytes]] = []  # parsed after the run, not while it trains

    def on_frame(payload) -> None:
        received.append((time.perf_counter(),
                         payload if isinstance(payload, bytes) else payload.encode()))

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    open_mnist(page, url, epochs)
    received.clear()
    me = os.getpid()
    browser_cpu, server_cpu = chromium_cpu(me), cpu_seconds(server_pid)
    page.evaluate(WATCH_REDRAWS, LOSS_NAME)
    clicked = time.perf_counter()
    page.locator(START).first.click()
    page.locator(f"{START}[disabled]").first.wait_for(timeout=30_000)
    # no polling of the page while it trains: what it shows is read off the websocket
    page.locator(f"{START}:not([disabled])").first.wait_for(timeout=120_000)
    finished = time.perf_counter()
    browser_cpu, server_cpu = chromium_cpu(me) - browser_cpu, cpu_seconds(server_pid) - server_cpu
    redraws = page.evaluate("() => window.__redraws")
    context.close()
    runs, rates, accuracies = parse(received)
    reached = next((when - clicked for when, text in accuracies
                    if text.endswith("%") and float(text.rstrip("%")) >= 97.0), None)
    sizes = redraw_sizes(runs)
    seconds = finished - clicked
    return {"samples_per_s": epochs * 60_000 / seconds, "seconds": seconds,
            "steady_per_s": statistics.median(rates) if rates else 0.0,
            "redraws_per_s": ((len(redraws) - 1) / (redraws[-1] - redraws[0]) * 1000
                              if len(redraws) > 1 and redraws[-1] > redraws[0] else 0.0),
            "tick_s": tick_gap(runs) or 0.0,
            "redraw_kb_median": statistics.median(sizes) / 1024 if sizes else 0.0,
            "redraw_kb_max": max(sizes, default=0) / 1024,
            "reached_97_s": reached,
            "browser_cpu": browser_cpu / seconds, "server_cpu": server_cpu / seconds}


# Run in the page before the click on Pause: the click's time (the capturing listener runs
# before the app's own), and the first moment the DOM shows it paused (a MutationObserver,
# and PAUSED_NOW below, which Playwright also polls on every animation frame), both by
# performance.now().
WATCH_PAUSE = """([pause, start]) => {
  const b = window.__pause = {click: null, done: null};
  const paused = () => {
    const p = document.querySelector(pause), s = document.querySelector(start);
    return p !== null && s !== null && p.disabled && !s.disabled;
  };
  b.check = () => {
    if (b.click !== null && b.done === null && paused()) b.done = performance.now();
    return b.done !== null;
  };
  document.addEventListener("click", e => {
    if (b.click === null && e.target.closest && e.target.closest(pause)) {
      b.click = performance.now();
    }
  }, true);
  new MutationObserver(b.check).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["disabled"]});
}"""
PAUSED_NOW = "() => window.__pause.check()"
READ_METRIC = """(label) => {
  for (const m of document.querySelectorAll("[data-testid=stMetric]")) {
    const l = m.querySelector("[data-testid=stMetricLabel]");
    if (l && l.innerText.trim().startsWith(label)) {
      const v = m.querySelector("[data-testid=stMetricValue]");
      return v ? v.innerText.trim() : null;
    }
  }
  return null;
}"""
RESET_DONE = f"""([start, pause, label]) => {{
  const s = document.querySelector(start), p = document.querySelector(pause);
  return s !== null && p !== null && !s.disabled && p.disabled && ({READ_METRIC})(label) === "0";
}}"""


# Run in the page before the click on Start: when each redraw of the loss chart happened
# (the live chart counts them in its plot's data-redraws), by performance.now().
WATCH_REDRAWS = """(name) => {
  const times = window.__redraws = [];
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target.dataset && r.target.dataset.chart === name) times.push(performance.now());
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["data-redraws"]});
}"""


def open_mnist(page, url: str, epochs: int) -> None:
    """Open the MNIST lesson and wait until its Start button can be clicked."""
    page.goto(f"{url}/mnist?lang=en&epochs={epochs}", wait_until="domcontentloaded")
    page.wait_for_selector(CONNECTED_IDLE, timeout=60_000)
    page.locator(START).first.wait_for(timeout=60_000)
    page.locator(START).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)


def one_pause(page, reset: bool) -> dict:
    """Reset (if `reset`), Start, TRAIN_BEFORE_PAUSE_MS of training, Pause: the seconds from
    the click until the buttons show it paused (browser's clock), whether the step count
    then stayed the same for STOPPED_AFTER_MS, and the step counts read (when the buttons
    showed it paused, STOPPED_AFTER_MS later and twice that: tells a chunk that ended just
    after the buttons changed from training that went on)."""
    if reset:
        page.locator(RESET).first.click()
        page.wait_for_function(RESET_DONE, arg=[START, PAUSE, STEP_LABEL], timeout=30_000)
        page.wait_for_selector(CONNECTED_IDLE, timeout=30_000)
        page.wait_for_timeout(300)
    page.locator(START).first.click()
    page.locator(f"{START}[disabled]").first.wait_for(timeout=30_000)
    page.wait_for_timeout(TRAIN_BEFORE_PAUSE_MS)
    page.evaluate(WATCH_PAUSE, [PAUSE, START])
    page.locator(PAUSE).first.click()
    page.wait_for_function(PAUSED_NOW, polling="raf", timeout=30_000)
    seconds = page.evaluate("() => (window.__pause.done - window.__pause.click) / 1000")
    steps = [page.evaluate(READ_METRIC, STEP_LABEL)]
    for _ in range(2):
        page.wait_for_timeout(STOPPED_AFTER_MS)
        steps.append(page.evaluate(READ_METRIC, STEP_LABEL))
    return {"s": seconds, "stopped": steps[0] is not None and steps[0] == steps[1],
            "steps": steps}


def pauses(browser, url: str, epochs: int = PAUSE_EPOCHS, tries: int = TRIES) -> list[dict]:
    """one_pause() `tries` times in one tab, with Reset between tries. `epochs`: the run's
    length, long enough that it is still training when Pause is clicked. A try that times
    out is kept as {"error": what the page showed} and the tab is loaded again."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    open_mnist(page, url, epochs)
    results, fresh = [], True
    for _ in range(tries):
        try:
            results.append(one_pause(page, reset=not fresh))
            fresh = False
        except PlaywrightError as e:
            app = page.evaluate("() => { const a = document.querySelector('[data-testid=stApp]');"
                                " return a ? a.dataset.testConnectionState + ' '"
                                " + a.dataset.testScriptState : 'no app'; }")
            results.append({"error": f"{str(e).splitlines()[0][:80]} (app: {app})"})
            open_mnist(page, url, epochs)
            fresh = True
    context.close()
    return results


def stopped(flags: list[bool]) -> str:
    """'yes' when every pause measured stopped the training, else 'no' and how many did."""
    if not flags:
        return "-"
    return "yes" if all(flags) else f"no {sum(flags)}/{len(flags)}"


def pause_cell(seconds: list[float]) -> str:
    """The median pause; how many it is of, when a try failed."""
    if not seconds:
        return "failed"
    cell = f"{statistics.median(seconds):.2f}"
    return cell if len(seconds) % TRIES == 0 else f"{cell} ({len(seconds)})"


def pause_text(result: dict) -> str:
    """One try of pauses(), for the line under the table."""
    if "error" in result:
        return f"failed: {result['error']}"
    went_on = "" if result["stopped"] else f" (went on: {' → '.join(map(str, result['steps']))})"
    return f"{result['s']:.2f}{went_on}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--pin", action="store_true",
                        help="server on CPU 0; this script, the headless runs and the browser "
                             "on CPU 1: as if the learner's browser ran on their own machine")
    args = parser.parse_args(argv)
    if args.pin:
        if len(os.sched_getaffinity(0)) < 2:
            raise SystemExit("--pin needs two CPU cores")
        os.sched_setaffinity(0, {1})  # inherited by Playwright's driver and Chromium
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    load_mnist(keep_uint8=True)
    headless(1, None)  # warm up BLAS and the caches
    print(f"MNIST lesson, default network 784-100-10 Adam 0.001 batch {BATCH}, {args.epochs} "
          f"epochs; {args.rounds} rounds, headless and in the page alternating.\n"
          f"headless 1t: one BLAS thread, as the app's server runs (ui/runtime.py); "
          f"headless: numpy's default threads.\n"
          f"{PINNED if args.pin else SHARED}.\n"
          f"page: samples/s from the click on Start to the end of the run (browser's clock); "
          f"page steady: the median of the samples/s the page showed while it trained "
          f"(server's clock, over its last 3 s); ratio: page steady / headless 1t.\n"
          f"pause s: the median of {TRIES} pauses (click on Pause until Pause is disabled and "
          f"Start enabled, browser's clock; the median line: of all pauses); stopped: the "
          f"step count then stayed the same for {STOPPED_AFTER_MS / 1000:g} s, every time.\n"
          f"browser CPU, server CPU: CPU seconds / wall seconds from the click on Start to the "
          f"end of the run (Chromium: all its processes)")
    head = (f"{'round':<7}{'headless':>10}{'headless 1t':>13}{'page':>9}{'page steady':>13}"
            f"{'ratio':>7}{'redraws/s':>11}{'tick s':>8}{'KB/redraw':>11}{'KB max':>8}"
            f"{'97% after s':>13}"
            f"{'pause s':>11}{'stopped':>9}{'browser CPU':>13}{'server CPU':>12}")
    print(head)
    rows = []

    def line(label, row):
        reached = row["reached_97_s"]
        default = "-" if row["headless"] is None else f"{row['headless']:,.0f}"
        print(f"{label:<7}{default:>10}{row['headless_1t']:>13,.0f}"
              f"{row['samples_per_s']:>9,.0f}{row['steady_per_s']:>13,.0f}{row['ratio']:>7.2f}"
              f"{row['redraws_per_s']:>11.2f}{row['tick_s']:>8.2f}"
              f"{row['redraw_kb_median']:>11.1f}"
              f"{row['redraw_kb_max']:>8.1f}"
              f"{'never' if reached is None else f'{reached:.1f}':>13}"
              f"{pause_cell(row['pause_s']):>11}{stopped(row['stopped']):>9}"
              f"{row['browser_cpu']:>13.2f}{row['server_cpu']:>12.2f}", flush=True)

    with tempfile.TemporaryDirectory() as tmp, \
            streamlit_server(Path(tmp) / "server.log",
                             cpus={0} if args.pin else None) as (url, server), \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        in_page(browser, url, 1, server.pid)  # warm up the server's caches (MNIST, statistics)
        for r in range(args.rounds):
            # pinned to one core, numpy's default two BLAS threads fight over it (40× slower)
            row = {"headless": None if args.pin else headless(args.epochs, None),
                   "headless_1t": headless(args.epochs, 1),
                   **in_page(browser, url, args.epochs, server.pid)}
            row["ratio"] = row["steady_per_s"] / row["headless_1t"]
            row["pauses"] = pauses(browser, url)
            row["pause_s"] = [t["s"] for t in row["pauses"] if "s" in t]
            row["stopped"] = [t["stopped"] for t in row["pauses"] if "s" in t]
            rows.append(row)
            line(str(r + 1), row)
        browser.close()
    median = {key: statistics.median(r[key] for r in rows) for key in rows[0]
              if key not in ("reached_97_s", "headless", "pauses", "stopped", "pause_s")}
    median["headless"] = None if args.pin else statistics.median(r["headless"] for r in rows)
    median["redraw_kb_max"] = max(r["redraw_kb_max"] for r in rows)
    reached = [r["reached_97_s"] for r in rows if r["reached_97_s"] is not None]
    median["reached_97_s"] = statistics.median(reached) if reached else None
    median["pause_s"] = [s for r in rows for s in r["pause_s"]]
    median["stopped"] = [ok for r in rows for ok in r["stopped"]]
    line("median", median)
    print("pauses, s (went on: the steps shown then, 1 s and 2 s later): " + "; ".join(
        f"round {i + 1}: " + ", ".join(map(pause_text, r["pauses"]))
        for i, r in enumerate(rows)))


if __name__ == "__main__":
    main()
