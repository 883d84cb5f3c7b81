"""How fast a page answers a control in its fragment, against the same control rerunning the
whole page, in a real browser.

    python -m bench.interact [--app-dir DIR] [--repeats 5] [--pages mnist ...]

It starts two servers of the app in --app-dir (default: this repository): the app as it is,
and the same app with fragments switched off (`without_fragments`: before `streamlit run`,
the server's process makes `st.fragment` return a plain section unchanged, so every control
reruns the whole page; the app's files are not touched). It opens every lesson (?lang=en) on
both in Debian's Chromium and, for one control in each section (CONTROLS below: the
section's heading and the control's English label), measures the time from touching the
control (the keydown or pointerdown event, in the page) to the page being idle again: the
page has sent its rerun request and got the answer, Streamlit's script state is `notRunning`
(the signal tests/e2e/helpers.py waits for), nothing arrived on the websocket and the state
did not change for QUIET_MS, and two animation frames were drawn after the last of it (so
what the script sent is on screen). The same touch, on the same page, alternates between
the two servers (fragments on, off, off, on, ...) so both see the same machine load; the
ratio of the two is what the fragment saves. Each is the median of --repeats touches after
one warm-up touch. A third column, a gauge of the machine's load, is Streamlit's rerun
shortcut 'r' on the page with fragments (the same widget values: the page's caches answer
and unchanged figures are not redrawn, so it is cheaper than a control's whole-page rerun).

The table: page | section | control | reruns | in its fragment ms | whole page ms (same
control, fragments off) | ratio | 'r' rerun ms. `reruns` is what the touch ran on the
server with fragments, read from its websocket (Streamlit's script-finished message):
`fragment`, or `page` for a control outside a fragment (or one whose fragment calls
st.rerun()), whose ratio is about 1 by design. A control that cannot be found, or whose
touch starts no rerun, shows n/a. A second table gives the same times from the browser's
first websocket message after the touch (what the server and the drawing take, without the
widget's own delay before it sends). Both servers run without a file watcher, so a file
edited during the run changes neither.

The labels are those of the English catalog, ui/locales/en/ (and a few literal ones: "x",
"N", "a1"), which the pages keep unchanged; tests/unit/test_bench_interact.py checks
that they still exist.
Needs Chromium at /usr/bin/chromium and playwright (requirements-dev.txt).

    python -m bench.interact --serve-without-fragments [streamlit run options]

serves the app of the current directory with fragments switched off, to try by hand.
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
    Control("layers", "softmax & loss", "Softmax and the losses", "slider", "Logit a1",
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


def what_ran(finished: list[str]) -> str | None:
    """What one touch ran, from the statuses of the script-finished messages that followed
    it: "page" when a whole run of the page finished, else "fragment" when a fragment's run
    did, else None (nothing finished)."""
    if "FINISHED_SUCCESSFULLY" in finished:
        return "page"
    if "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" in finished:
        return "fragment"
    return None


def reruns(kinds: list[str | None]) -> str:
    """What a control's touches ran: one kind, "mixed", or "n/a" when none was seen."""
    seen = sorted({k for k in kinds if k})
    return "n/a" if not seen else seen[0] if len(seen) == 1 else "mixed"


HEADER = ("| page | section | control | reruns | in its fragment ms "
          "| whole page ms (same control, fragments off) | ratio (fragment/whole) "
          "| 'r' rerun ms |")


def table(rows: list[dict], part: str = "on", whole: str = "off", gauge: str = "r") -> str:
    """A Markdown table: page | section | control | reruns | in its fragment ms | whole page
    ms | ratio | 'r' rerun ms. Each row holds page, section, control (its description),
    reruns (a list of what each touch ran, see what_ran) and lists of milliseconds under the
    keys `part` (the control, fragments on), `whole` (the same control, fragments off) and
    `gauge` (the rerun shortcut)."""
    lines = [HEADER, "|---|---|---|---|---:|---:|---:|---:|"]
    for row in rows:
        c, w = median(row[part]), median(row[whole])
        lines.append(f"| {row['page']} | {row['section']} | {row['control']} "
                     f"| {reruns(row.get('reruns', []))} | {cell(c)} | {cell(w)} "
                     f"| {cell(ratio(c, w), 2)} | {cell(median(row.get(gauge, [])))} |")
    return "\n".join(lines)


def load(averages: tuple[float, float, float]) -> str:
    return "/".join(f"{a:.1f}" for a in averages)


def describe(control: Control) -> str:
    where = f" (tab {control.tab})" if control.tab else ""
    return f"{control.kind} '{control.label}'{where}"


# --- fragments switched off ----------------------------------------------------------------

def whole_page_scope(scope, in_fragment_run: bool):
    """The st.rerun scope a server without fragments uses for `scope`: a rerun of named
    fragments (a key or a list of keys; their sections are plain functions there) or of
    "fragment" outside a timed fragment's own run becomes the whole page ("app"); "app"
    stays, and so does "fragment" inside a timed fragment's run (those keep their timer)."""
    if scope == "fragment" and in_fragment_run:
        return "fragment"
    return "app"


def without_fragments() -> None:
    """Switch Streamlit's fragments off in this process, before the app runs: st.fragment
    (Streamlit 1.67's signature: func=None, *, run_every=None, parallel=False, key=None)
    returns a plain section's function unchanged, so a control in it reruns the whole page;
    a timed fragment (run_every set, e.g. a LiveLoop's view while it runs) stays a real one,
    so its ticks still rerun it alone. st.rerun maps its scope with whole_page_scope (a
    callback's st.rerun(keys) becomes the whole-page rerun the control runs anyway).
    ctx.fragment_ids_this_run stays empty except in a timed fragment's runs."""
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    fragment, rerun = st.fragment, st.rerun

    def plain(func=None, *, run_every=None, parallel=False, key=None):
        if run_every is not None:
            return fragment(func, run_every=run_every, parallel=parallel, key=key)
        return func if func is not None else (lambda f: f)

    def whole_page_rerun(scope="app"):
        ctx = get_script_run_ctx(suppress_warning=True)
        return rerun(whole_page_scope(scope, bool(ctx and ctx.fragment_ids_this_run)))

    plain.__doc__ = f"st.fragment switched off by bench.interact.\n\n{fragment.__doc__}"
    st.fragment, st.rerun = plain, whole_page_rerun


def serve_without_fragments(args: list[str]) -> None:
    """`streamlit run <args>` in this process, with fragments switched off."""
    without_fragments()
    from streamlit.web.cli import main as streamlit_main

    streamlit_main(args=["run", *args], prog_name="streamlit")


# Runs serve_without_fragments from this file, whatever the server's working directory (an
# --app-dir with its own bench/ or none): argv[1] is this file, the rest streamlit's.
LAUNCH = ("import runpy, sys; "
          "runpy.run_path(sys.argv[1])['serve_without_fragments'](sys.argv[2:])")


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


class Tab:
    """One browser page on one server: its script-finished statuses, as they arrive on the
    websocket (what_ran reads them), and the page's errors."""

    def __init__(self, browser, url: str, name: str) -> None:
        from tests.e2e.helpers import open_idle, settle

        self.name, self.finished, self.errors, self.dead = name, [], [], False
        self.context = browser.new_context(viewport={"width": 1280, "height": 900},
                                           locale="en-US")
        self.context.add_init_script(INSTRUMENT)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc).splitlines()[0]))
        self.page.on("websocket", lambda ws: ws.on("framereceived", self.received))
        try:
            open_idle(self.page, url)
            settle(self.page)
        except Exception as err:
            self.errors.append(f"the page did not load: {type(err).__name__}")
            self.dead = True

    def received(self, payload) -> None:
        if isinstance(payload, (bytes, bytearray)) and len(payload) < 1024:  # not a delta
            from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

            try:
                msg = ForwardMsg.FromString(bytes(payload))
            except Exception:  # not a ForwardMsg: nothing to read
                return
            if msg.HasField("script_finished"):
                self.finished.append(ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))

    def close(self) -> list[str]:
        """Close the page; its errors, named after its server."""
        if not self.dead and self.page.locator("[data-testid=stException]").count():
            self.errors.append("the page shows an exception")
        self.context.close()
        return [f"{self.name}: {e}" for e in self.errors]


def measure(tab: Tab, act, control: Control | None, turn: int
            ) -> tuple[float, float, str | None]:
    """(touch to idle, first websocket message to idle) in ms and what the touch ran (see
    what_ran); Missing when no rerun ran."""
    wait_idle(tab.page)
    mark = len(tab.finished)
    armed = act(tab.page, control, turn)
    seen = tab.page.evaluate(WAIT, {"armed": armed, "quiet": QUIET_MS,
                                     "timeout": TOUCH_TIMEOUT_MS, "silent": SILENT_MS})
    if seen is None:
        raise Missing("the touch started no rerun")
    return seen["done"] - seen["touch"], seen["done"] - seen["sent"], what_ran(
        tab.finished[mark:])


def attempt(tab: Tab, act, control: Control | None, turn: int, row: dict, key: str) -> None:
    """One measurement into row[key] and row[key + "_sent"] (not on turn 0, the warm-up),
    and what it ran into row["reruns"] (key "on") or row["off_reruns"] (key "off"); a
    failure is noted in row["note"], and one on the warm-up stops the row."""
    try:
        ms, sent, ran = measure(tab, act, control, turn)
    except Exception as err:  # a control that is missing or misbehaves is reported, not fatal
        why = str(err).splitlines()[0] if isinstance(err, Missing) else (
            f"{type(err).__name__}: {str(err).splitlines()[0]}")
        row["failed"] += 1
        why = f"{tab.name}: {why}"
        row["note"] = why if turn == 0 else f"{row['failed']} touch(es) failed: {why}"
        row["dead"] = row["dead"] or turn == 0
        return
    if turn:
        row[key].append(ms)
        row[f"{key}_sent"].append(sent)
        if key in ("on", "off"):
            row["reruns" if key == "on" else "off_reruns"].append(ran)


def blank(page: str, section: str, control: str, spec: Control | None) -> dict:
    return {"page": page, "section": section, "control": control, "spec": spec,
            "on": [], "on_sent": [], "off": [], "off_sent": [], "r": [], "r_sent": [],
            "reruns": [], "off_reruns": [], "note": "", "failed": 0, "dead": False}


def bench_page(browser, on_url: str, off_url: str, name: str, repeats: int) -> list[dict]:
    """One row per control of the page: the control with fragments on and off, touched in
    turn, and the page's 'r' reruns (fragments on)."""
    rows = [blank(name, c.section, describe(c), c) for c in CONTROLS if c.page == name]
    gauge = blank(name, "", "", None)
    on = Tab(browser, f"{on_url}/{name}?lang=en", "fragments on")
    off = Tab(browser, f"{off_url}/{name}?lang=en", "fragments off")
    for turn in range(repeats + 1):  # turn 0 warms up
        if on.dead or off.dead:
            break
        for row in rows:
            for tab in ((on, off) if turn % 2 == 0 else (off, on)):
                if not row["dead"]:
                    attempt(tab, touch, row["spec"], turn, row, "on" if tab is on else "off")
        if not gauge["dead"]:
            attempt(on, rerun_page, None, turn, gauge, "r")
    errors = on.close() + off.close()
    if gauge["note"]:
        errors.append(f"'r' rerun: {gauge['note']}")
    for row in rows:
        if row["dead"] or on.dead or off.dead:
            for key in ("on", "on_sent", "off", "off_sent"):
                row[key] = []
        row["r"], row["r_sent"] = gauge["r"], gauge["r_sent"]
        row["errors"] = errors
    return rows


def start_server(app_dir: Path, port: int, log_path: Path, fragments: bool = True
                 ) -> subprocess.Popen:
    """The app on `port`, fragments on (`streamlit run`) or off (serve_without_fragments),
    without a file watcher."""
    from tests.e2e.server import STARTUP_TIMEOUT_S, ServerError, healthy, stop

    url = f"http://127.0.0.1:{port}"
    run = ([sys.executable, "-m", "streamlit", "run"] if fragments else
           [sys.executable, "-c", LAUNCH, str(Path(__file__).resolve())])
    cmd = [*run, "streamlit_app.py", "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
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


def report(rows: list[dict]) -> list[str]:
    """Notes under the tables: controls that rerun the page even with fragments on, and
    failures."""
    notes = [f"- {r['page']} / {r['section']}: reruns the whole page even with fragments on "
             f"(not in a fragment, or its fragment calls st.rerun()): its ratio is about 1 "
             f"by design" for r in rows if reruns(r["reruns"]) in ("page", "mixed")]
    notes += [f"- {r['page']} / {r['section']}: {'n/a: ' if r['dead'] else ''}{r['note']}"
              for r in rows if r["note"]]
    notes += [f"- {r['page']} / {r['section']}: with fragments off the touch still ran a "
              f"fragment alone: the whole-page column is not a whole page"
              for r in rows if reruns(r["off_reruns"]) in ("fragment", "mixed")]
    return notes + sorted({f"- {r['page']}: {e}" for r in rows for e in r["errors"]})


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve-without-fragments"]:
        serve_without_fragments(argv[1:] or ["streamlit_app.py"])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--port", type=int, default=None,
                        help="the port of the server with fragments (the other: a free one)")
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
    off_port = free_port()
    rows: list[dict] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        on_proc = start_server(app_dir, port, Path(tmp) / "on.log")
        try:
            off_proc = start_server(app_dir, off_port, Path(tmp) / "off.log", fragments=False)
            try:
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=CHROMIUM_ARGS)
                    version = browser.version
                    for name in args.pages:
                        print(f"measuring {name} ...", file=sys.stderr, flush=True)
                        rows.extend(bench_page(browser, f"http://127.0.0.1:{port}",
                                               f"http://127.0.0.1:{off_port}", name,
                                               args.repeats))
                    browser.close()
            finally:
                stop(off_proc)
        finally:
            stop(on_proc)
    print(f"bench.interact: commit {commit(app_dir)} ({app_dir}), {os.cpu_count()} cores "
          f"({len(os.sched_getaffinity(0))} usable), Chromium {version}, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}; load average "
          f"(1/5/15 min) {load(load_before)} at the start, {load(os.getloadavg())} at the end")
    print(f"median of {args.repeats} touches after one warm-up; touch (keydown/pointerdown) "
          f"to idle (script state notRunning for {QUIET_MS} ms, two frames drawn). Whole page: "
          f"the same touch on a second server of the same app with st.fragment switched off, "
          f"touches alternating between the two. 'r': Streamlit's rerun shortcut with "
          f"fragments on (same widget values, caches answer: a load gauge)\n")
    print(table(rows))
    print("\nthe same, from the browser's first websocket message after the touch to idle:\n")
    print(table(rows, "on_sent", "off_sent", "r_sent"))
    notes = report(rows)
    if notes:
        print("\n" + "\n".join(notes))


if __name__ == "__main__":
    main()
