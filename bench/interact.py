"""How fast a page answers a control, against a whole-page rerun, in a real browser.

    python -m bench.interact [--app-dir DIR] [--repeats 5] [--port N] [--pages mnist ...]

It starts `streamlit run streamlit_app.py` in --app-dir (default: this repository), opens
every lesson (?lang=en) in Debian's Chromium, and for one control in each section (CONTROLS
below: the section's heading and the control's English label) measures the time from
touching the control (the keydown or pointerdown event, in the page) to the page being idle
again: the page has sent its rerun request and got the answer, Streamlit's script state is
`notRunning` (the signal tests/e2e/helpers.py waits for), nothing arrived on the websocket and
the state did not change for QUIET_MS, and two animation frames were drawn after the last of
it (so what the script sent is on screen). In the same run, on the same page, it measures a
whole-page rerun ('r', Streamlit's rerun shortcut, with nothing focused: the same widget
values, so whatever the page caches answers from its cache, while a control reruns its part
with a new value: the ratio errs on the strict side).
Each is the median of --repeats touches after one warm-up touch; controls and whole-page
reruns alternate round by round, so both see the same machine load. It prints a table:
page | section | control | control ms | whole-page rerun ms | ratio (control / whole); a control
that cannot be found, or whose touch starts no rerun, shows n/a. A second table gives the
same times from the browser's first websocket message after the touch (what the server and
the drawing take, without the widget's own delay before it sends).

The labels are those of ui/locales/en.json (and a few literal ones: "x", "N", "a1"), which
the pages keep unchanged; tests/unit/test_bench_interact.py checks that they still exist.
Needs Chromium at /usr/bin/chromium and playwright (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LESSON_PAGES = ("perceptron", "graph", "layers", "optimizers", "mnist")
QUIET_MS = 150  # the script state must stay `notRunning` this long (a page may st.rerun())
TOUCH_TIMEOUT_MS = 60_000
SILENT_MS = 5_000  # a touch after which the page sends nothing this long started no rerun
FIND_TIMEOUT_S = 10
SETTLE_MS = 250  # pause between touches, after the page is idle


@dataclass(frozen=True)
class Control:
    """One control of one section: found as the first widget of `kind` labelled `label`
    after the heading that starts with `heading` (None: anywhere on the page), after
    opening the tab `tab` when it sits in one. A button may name a second button (`back`)
    pressed on every other touch, so that the page goes back and forth."""

    page: str
    section: str
    heading: str | None
    kind: str  # slider (also select_slider), number, radio, segmented, selectbox, button
    label: str
    tab: str | None = None
    back: str | None = None


CONTROLS = (
    Control("perceptron", "1. perceptron", "1. A perceptron", "slider", "w1 (weight of x1)"),
    Control("perceptron", "4. XOR by backprop", "4. Learning XOR", "slider", "learning rate lr"),
    Control("perceptron", "5. spiral", "5. Beyond XOR", "slider", "hidden units"),
    Control("graph", "1. café", "1. Opening a café", "number", "count"),
    Control("graph", "2. add and multiply nodes", "2. The add node", "number", "x"),
    Control("graph", "3. chain rule", "3. The chain rule", "slider", "x"),
    Control("graph", "4. backward, node by node", "4. Backward", "button", "Next node",
            back="Previous"),
    Control("graph", "5. sigmoid graph", "5. The sigmoid", "slider", "x"),
    Control("graph", "6. softmax + cross-entropy", "6. Softmax with", "number", "a1"),
    Control("graph", "7. branch/repeat/sum/matmul", "7. Branch", "slider", "N", tab="Repeat"),
    Control("graph", "8. own expression", "8. Try your own", "number", "x"),
    Control("layers", "example sizes", None, "slider", "N (samples in a batch)"),
    Control("layers", "matrix chain", "Three layers, one matrix", "segmented",
            "Activation between the layers", tab="Matrix chain"),
    Control("layers", "activations", "Activations: curve", "segmented", "Activation",
            tab="Activations"),
    Control("layers", "softmax & loss", "Softmax, cross-entropy", "slider", "Logit a1",
            tab="Softmax & loss"),
    Control("layers", "broadcasting", "Broadcasting and", "segmented", "Operation",
            tab="Broadcasting"),
    Control("layers", "gradient check", "Gradient check", "selectbox", "Layer",
            tab="Gradient check"),
    Control("optimizers", "1. batch/SGD/mini-batch", "1. Batch, stochastic", "slider",
            "Learning rate η (all three)"),
    Control("optimizers", "3. race on surfaces", "3. The race", "slider", "Steps"),
    Control("mnist", "1. numerical vs backprop", "STEP 1.", "slider", "Hidden units"),
    Control("mnist", "2. the data", "STEP 2.", "radio", "Which samples?", tab="Samples"),
    Control("mnist", "6. settings", "STEP 6.", "button", "Build this network"),
)

# --- in the page ---------------------------------------------------------------------------

# Installed before the app's own scripts: when the script state changes, when the page
# sends on its websocket, when a key or pointer goes down, and two frames after each
# return to `notRunning`.
INSTRUMENT = """(() => {
  const B = window.__bench = {states: [], sends: [], received: [], inputs: [], painted: []};
  const drawn = () => requestAnimationFrame(() => requestAnimationFrame(
    () => B.painted.push(performance.now())));
  const watched = new WeakSet();
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    B.sends.push(performance.now());
    if (!watched.has(this)) {
      watched.add(this);
      this.addEventListener("message", () => { B.received.push(performance.now()); drawn(); });
    }
    return send.call(this, data);
  };
  for (const type of ["keydown", "pointerdown"]) {
    window.addEventListener(type, () => B.inputs.push(performance.now()), true);
  }
  const ATTR = "data-test-script-state";
  new MutationObserver((records) => {
    const now = performance.now();
    records.forEach((r, i) => {
      const next = records.slice(i + 1).find((s) => s.target === r.target);
      B.states.push([now, next ? next.oldValue : r.target.getAttribute(ATTR)]);
    });
    drawn();
  }).observe(document, {attributes: true, attributeOldValue: true, subtree: true,
                        attributeFilter: [ATTR]});
})();"""

ARM = "() => performance.now()"

# Resolves when the rerun asked for after `armed` has ended: the page sent a message, got
# answers, its script state is `notRunning`, nothing arrived or changed for `quiet` ms, and
# two frames were drawn after the last of it. (A run of a few ms can start and finish in
# one batch of messages: then the script state never visibly leaves `notRunning`.)
WAIT = """async ({armed, quiet, timeout, silent}) => {
  const B = window.__bench;
  const after = (list, t) => list.filter((x) => x >= t);
  const began = performance.now();
  while (performance.now() - began < timeout) {
    const sent = after(B.sends, armed)[0];
    if (sent === undefined && performance.now() - began > silent) return null;
    const app = document.querySelector("[data-testid=stApp]");
    const state = app && app.getAttribute("data-test-script-state");
    const events = [...after(B.received, sent ?? Infinity),
                    ...B.states.map((s) => s[0]).filter((t) => t >= armed)];
    if (sent !== undefined && events.length && state === "notRunning") {
      const last = Math.max(...events);
      const painted = after(B.painted, last);
      if (painted.length && performance.now() - last >= quiet) {
        return {touch: after(B.inputs, armed)[0] ?? armed, sent, done: painted[0]};
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}"""

# Marks the control with data-bench=<mark>; answers "ok", "heading" or "control".
FIND = """({selector, heading, label, mark}) => {
  document.querySelectorAll("[data-bench]").forEach((e) => e.removeAttribute("data-bench"));
  const root = document.querySelector("[data-testid=stMain]") || document;
  let start = null;
  if (heading) {
    start = [...root.querySelectorAll("h1, h2, h3, h4")]
      .find((h) => h.textContent.trim().startsWith(heading));
    if (!start) return "heading";
  }
  const text = (el) => {
    const l = el.querySelector("[data-testid=stWidgetLabel]")
      || el.querySelector("[data-testid=stMarkdownContainer]") || el;
    return l.textContent.trim();
  };
  const found = [...root.querySelectorAll(selector)].find((el) =>
    (!start || (start.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING))
    && text(el) === label);
  if (!found) return "control";
  found.setAttribute("data-bench", mark);
  return "ok";
}"""

SELECTORS = {
    "slider": "[data-testid=stSlider]",
    "number": "[data-testid=stNumberInput]",
    "radio": "[data-testid=stRadio]",
    "segmented": "[data-testid=stButtonGroup]",
    "selectbox": "[data-testid=stSelectbox]",
    "button": "[data-testid=stButton], [data-testid=stFormSubmitButton]",
}


# --- pure parts (tests/unit/test_bench_interact.py) ----------------------------------------

def median(values: list[float]) -> float | None:
    """The median of `values`, None when there are none."""
    return statistics.median(values) if values else None


def ratio(part: float | None, whole: float | None) -> float | None:
    """part / whole, None when either is missing or whole is not positive."""
    if part is None or whole is None or whole <= 0:
        return None
    return part / whole


def cell(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def table(rows: list[dict], part: str = "ms", whole: str = "whole") -> str:
    """A Markdown table: page | section | control | control ms | whole-page rerun ms | ratio.
    Each row holds page, section, control (its description) and the lists of milliseconds
    under the keys `part` (the control's) and `whole` (the whole page's)."""
    lines = ["| page | section | control | control ms | whole-page rerun ms "
             "| ratio (control/whole) |", "|---|---|---|---:|---:|---:|"]
    for row in rows:
        c, w = median(row[part]), median(row[whole])
        lines.append(f"| {row['page']} | {row['section']} | {row['control']} | {cell(c)} "
                     f"| {cell(w)} | {cell(ratio(c, w), 2)} |")
    return "\n".join(lines)


def load(averages: tuple[float, float, float]) -> str:
    return "/".join(f"{a:.1f}" for a in averages)


def describe(control: Control) -> str:
    where = f" (tab {control.tab})" if control.tab else ""
    return f"{control.kind} '{control.label}'{where}"


# --- driving the browser -------------------------------------------------------------------

class Missing(Exception):
    """The control is not on the page, or touching it started no rerun."""


def wait_idle(page) -> None:
    from tests.e2e.helpers import IDLE, IDLE_TIMEOUT_MS

    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached",
                           timeout=IDLE_TIMEOUT_MS)
    page.wait_for_timeout(SETTLE_MS)


def find(page, control: Control):
    """The control's locator (the tab opened first); Missing when it is not there."""
    main = page.locator("[data-testid=stMain]")
    if control.tab:
        tab = main.get_by_role("tab", name=control.tab, exact=True).first
        if tab.count() == 0:
            raise Missing(f"no tab {control.tab!r}")
        if tab.get_attribute("aria-selected") != "true":
            tab.click()
            page.wait_for_timeout(300)
    query = {"selector": SELECTORS[control.kind], "heading": control.heading,
             "label": control.label, "mark": "target"}
    deadline = time.monotonic() + FIND_TIMEOUT_S
    while (answer := page.evaluate(FIND, query)) != "ok" and time.monotonic() < deadline:
        page.wait_for_timeout(250)  # a page still drawing after a rerun
    if answer != "ok":
        raise Missing(f"no {answer} for {describe(control)}")
    return page.locator("[data-bench=target]").first


def touch(page, control: Control, turn: int) -> float:
    """Touch the control (back and forth on alternate turns); the page's clock at arming."""
    target = find(page, control)
    target.scroll_into_view_if_needed()
    if control.kind == "slider":
        thumb = target.locator("input[type=range]").first
        value, lo, hi = (float(thumb.get_attribute(a)) for a in ("value", "min", "max"))
        key = "ArrowLeft" if value >= hi or (turn % 2 and value > lo) else "ArrowRight"
        thumb.focus()
        armed = page.evaluate(ARM)
        page.keyboard.press(key)
        return armed
    if control.kind == "number":
        up = target.locator("[data-testid=stNumberInputStepUp]")
        down = target.locator("[data-testid=stNumberInputStepDown]")
        first, second = (down, up) if turn % 2 else (up, down)
        button = second if first.is_disabled() else first
        armed = page.evaluate(ARM)
        button.click()
        return armed
    if control.kind in ("radio", "segmented"):
        options = target.locator("[data-testid=stRadioOption]" if control.kind == "radio"
                                 else "button[data-variant]")  # not the help button
        chosen = options.evaluate_all(
            "els => els.findIndex(e => e.getAttribute('data-selected') === 'true'"
            " || e.getAttribute('aria-checked') === 'true'"
            " || e.getAttribute('aria-pressed') === 'true'"
            " || (e.getAttribute('data-testid') || '').endsWith('Active'))")
        option = options.nth((max(chosen, 0) + 1) % options.count())
        armed = page.evaluate(ARM)
        option.click()
        return armed
    if control.kind == "selectbox":
        target.locator("input").first.click()
        listbox = page.locator("[role=option]")
        listbox.first.wait_for(timeout=5_000)
        chosen = listbox.evaluate_all(
            "els => els.findIndex(e => e.getAttribute('aria-selected') === 'true')")
        option = listbox.nth((max(chosen, 0) + 1) % listbox.count())
        armed = page.evaluate(ARM)
        option.click()
        return armed
    if control.kind == "button":
        button = target.locator("button").first
        if control.back and turn % 2:
            back = find(page, Control(control.page, control.section, control.heading,
                                      "button", control.back))
            button = back.locator("button").first
        if button.is_disabled() and control.back:
            other = control.label if turn % 2 else control.back
            button = find(page, Control(control.page, control.section, control.heading,
                                        "button", other)).locator("button").first
        armed = page.evaluate(ARM)
        button.click()
        return armed
    raise ValueError(f"unknown kind {control.kind!r}")


def rerun_page(page, control: Control | None, turn: int) -> float:
    """Streamlit's rerun shortcut, with nothing focused."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    armed = page.evaluate(ARM)
    page.keyboard.press("r")
    return armed


def measure(page, act, control: Control | None, turn: int) -> tuple[float, float | None]:
    """(touch to idle, first websocket message to idle) in ms; Missing when no rerun ran."""
    wait_idle(page)
    armed = act(page, control, turn)
    seen = page.evaluate(WAIT, {"armed": armed, "quiet": QUIET_MS, "timeout": TOUCH_TIMEOUT_MS,
                                 "silent": SILENT_MS})
    if seen is None:
        raise Missing("the touch started no rerun")
    return seen["done"] - seen["touch"], seen["done"] - seen["sent"]


def attempt(page, act, control: Control | None, turn: int, row: dict) -> None:
    """One measurement into row["ms"] and row["sent"] (not on turn 0, the warm-up); a
    failure is noted in row["note"], and one on the warm-up stops the row."""
    try:
        ms, sent = measure(page, act, control, turn)
    except Exception as err:  # a control that is missing or misbehaves is reported, not fatal
        why = str(err).splitlines()[0] if isinstance(err, Missing) else (
            f"{type(err).__name__}: {str(err).splitlines()[0]}")
        row["failed"] += 1
        row["note"] = why if turn == 0 else f"{row['failed']} touch(es) failed: {why}"
        row["dead"] = turn == 0
        return
    if turn:
        row["ms"].append(ms)
        row["sent"].append(sent)


def bench_page(browser, url: str, name: str, repeats: int) -> list[dict]:
    """One row per control of the page, each with the page's whole-page reruns."""
    from tests.e2e.helpers import open_idle, settle

    def blank(section: str, control: str, spec: Control | None) -> dict:
        return {"page": name, "section": section, "control": control, "spec": spec,
                "ms": [], "sent": [], "note": "", "failed": 0, "dead": False}

    rows = [blank(c.section, describe(c), c) for c in CONTROLS if c.page == name]
    whole = blank("", "", None)
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc).splitlines()[0]))
    try:
        open_idle(page, f"{url}/{name}?lang=en")
        settle(page)
    except Exception as err:
        errors.append(f"the page did not load: {type(err).__name__}")
        whole["dead"] = True
    for turn in range(repeats + 1):  # turn 0 warms up
        if whole["dead"]:
            break
        for row in rows:
            if not row["dead"]:
                attempt(page, touch, row["spec"], turn, row)
        attempt(page, rerun_page, None, turn, whole)
    if not whole["dead"] and page.locator("[data-testid=stException]").count():
        errors.append("the page shows an exception")
    if whole["note"]:
        errors.append(f"whole-page rerun: {whole['note']}")
    context.close()
    for row in rows:
        if row["dead"] or whole["dead"]:
            row["ms"], row["sent"] = [], []
        row["whole"], row["whole_sent"] = whole["ms"], whole["sent"]
        row["errors"] = errors
    return rows


def start_server(app_dir: Path, port: int, log_path: Path) -> subprocess.Popen:
    from tests.e2e.server import STARTUP_TIMEOUT_S, ServerError, healthy, stop

    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=app_dir, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise ServerError(f"streamlit did not start; its log:\n"
                              f"{log_path.read_text(errors='replace')}")
        time.sleep(0.25)
    return proc


def commit(app_dir: Path) -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=app_dir,
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--pages", nargs="+", choices=LESSON_PAGES, default=list(LESSON_PAGES))
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    app_dir = args.app_dir.resolve()
    if not (app_dir / "streamlit_app.py").exists():
        parser.error(f"{app_dir} has no streamlit_app.py")
    from playwright.sync_api import sync_playwright

    from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, free_port, stop

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    port = args.port or free_port()
    rows: list[dict] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(app_dir, port, Path(tmp) / "server.log")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
                version = browser.version
                for name in args.pages:
                    print(f"measuring {name} ...", file=sys.stderr, flush=True)
                    rows.extend(bench_page(browser, f"http://127.0.0.1:{port}", name,
                                           args.repeats))
                browser.close()
        finally:
            stop(proc)
    print(f"bench.interact: commit {commit(app_dir)} ({app_dir}), {os.cpu_count()} cores "
          f"({len(os.sched_getaffinity(0))} usable), Chromium {version}, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}; load average "
          f"(1/5/15 min) {load(load_before)} at the start, {load(os.getloadavg())} at the end")
    print(f"median of {args.repeats} touches after one warm-up; touch (keydown/pointerdown) "
          f"to idle (script state notRunning for {QUIET_MS} ms, two frames drawn); "
          f"whole-page rerun: Streamlit's 'r' shortcut (the same widget values, so the page's "
          f"caches answer)\n")
    print(table(rows, "ms", "whole"))
    print("\nthe same, from the browser's first websocket message after the touch to idle:\n")
    print(table(rows, "sent", "whole_sent"))
    notes = [f"- {r['page']} / {r['section']}: {'n/a: ' if r['dead'] else ''}{r['note']}"
             for r in rows if r["note"]]
    errors = sorted({f"- {r['page']}: {e}" for r in rows for e in r["errors"]})
    if notes or errors:
        print("\n" + "\n".join(notes + errors))


if __name__ == "__main__":
    main()
