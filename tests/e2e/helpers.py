"""Waiting for a Streamlit page to settle, and full-page screenshots."""

from __future__ import annotations

import time

from ui.lessons import LESSONS

VIEWPORT = {"width": 1280, "height": 800}
IDLE_TIMEOUT_MS = 30_000
# the app is connected and its script has run to the end
IDLE = ("[data-testid=stApp][data-test-connection-state=CONNECTED]"
        "[data-test-script-state=notRunning]")


def open_idle(page, url: str) -> None:
    """Load `url` and wait until the script has run to the end and the page is quiet."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector(
        "[data-testid=stStatusWidget]", state="detached", timeout=IDLE_TIMEOUT_MS
    )
    page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)


def settle(page) -> None:
    """Wait until no chart or table still shows its grey loading skeleton."""
    page.locator("[data-testid=stSkeleton]").first.wait_for(state="detached",
                                                             timeout=IDLE_TIMEOUT_MS)


def assert_paused(page, start_key: str, label: str) -> None:
    """After Pause: Start is back and the metric `label` no longer changes. The last tick's
    view can land just after the buttons show the pause (they sit in another fragment), so
    the reading starts once the page is idle and a moment has passed."""
    page.locator(f".st-key-{start_key.replace('.', '-')} button:not([disabled])").wait_for(
        timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)
    page.wait_for_timeout(1000)  # a tick that was already on its way lands here
    paused = metric_value(page, label)
    page.wait_for_timeout(1500)
    assert metric_value(page, label) == paused, f"{label} still changes after Pause"
    assert page.locator("[data-testid=stException]").count() == 0


def full_page_screenshot(page, path) -> None:
    """Streamlit scrolls inside its main section, so grow the viewport to the content first."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stSidebarContent]')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    page.wait_for_timeout(300)  # let the layout settle at the new size
    # tables and charts show grey skeletons for a moment after the script is idle
    page.wait_for_selector("[data-testid=stSkeleton]", state="detached", timeout=IDLE_TIMEOUT_MS)
    page.screenshot(path=str(path), full_page=True)


def docs_screenshot(page, path, heading: str | None = None) -> None:
    """One screen (the viewport) for the README, starting at `heading` (None: the top)."""
    page.set_viewport_size(VIEWPORT)
    if heading is not None:
        main = page.locator("[data-testid=stMain]")
        main.get_by_role("heading", name=heading).first.evaluate(
            "e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)  # charts that came into view draw themselves
    page.wait_for_selector("[data-testid=stSkeleton]", state="detached", timeout=IDLE_TIMEOUT_MS)
    page.screenshot(path=str(path))


def metric_value(page, label: str) -> str:
    """The value shown by the st.metric whose label is `label`."""
    found = page.locator("[data-testid=stMetric]").filter(has=page.get_by_text(label, exact=True))
    return found.locator("[data-testid=stMetricValue]").first.inner_text()


def wait_for_change(page, label: str, old: str, seconds: float) -> str:
    """Poll the metric `label` until it shows something other than `old`; return it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = metric_value(page, label)
        if value != old:
            return value
        page.wait_for_timeout(200)
    raise AssertionError(f"{label} stayed {old} for {seconds} s")


def is_known_deep_link_probe(url: str) -> bool:
    """Opening a lesson's URL directly (/perceptron), Streamlit's frontend first asks for
    /perceptron/_stcore/health and /perceptron/_stcore/host-config, gets 404, and then uses
    the root: streamlit/streamlit issue #7074 (open). Only those two probes are forgiven.
    """
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    parts = path.split("/")
    return (len(parts) == 3 and parts[0] in LESSONS and parts[1] == "_stcore"
            and parts[2] in ("health", "host-config"))


def collect_errors(page, errors: list[str]) -> None:
    """Append to `errors` what a learner would count as the app failing: a console error, a
    failed HTTP request, an uncaught script error. Forgiven: the two deep-link probes above,
    and fetches the browser itself aborted because the page was left before they ended."""
    forgiven: list[str] = []

    def on_response(response) -> None:
        if response.status < 400:
            return
        if response.status == 404 and is_known_deep_link_probe(response.url):
            forgiven.append(response.url)
        else:
            errors.append(f"HTTP {response.status}: {response.url}")

    def on_console(msg) -> None:
        if msg.type != "error":
            return
        if "status of 404" in msg.text and forgiven:
            forgiven.pop()  # the browser's own log line for a probe counted above
            return
        errors.append(f"console: {msg.text}")

    def on_failed(request) -> None:
        if request.failure != "net::ERR_ABORTED":
            errors.append(f"request failed: {request.url} {request.failure}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("requestfailed", on_failed)


# An init script: window.__sent counts the messages the page sends on its websocket, so a
# test can tell that a paused loop's timer is gone (nothing is sent any more).
COUNT_SENDS = """(() => { window.__sent = 0; const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) { window.__sent += 1; return send.call(this, data); };
})();"""


def record_script_runs(page) -> list[str]:
    """A list that fills, as the page runs, with the status of each script run the server
    reports finished: FINISHED_SUCCESSFULLY after a whole-page run,
    FINISHED_FRAGMENT_RUN_SUCCESSFULLY after a run of fragments alone. Call before opening."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    statuses: list[str] = []

    def received(payload) -> None:
        if isinstance(payload, (bytes, bytearray)) and len(payload) < 1024:  # not a delta
            try:
                msg = ForwardMsg.FromString(bytes(payload))
            except Exception:
                return
            if msg.HasField("script_finished"):
                statuses.append(ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))

    page.on("websocket", lambda ws: ws.on("framereceived", received))
    return statuses


LIVE_CHART_STATE = """(name) => {
  const gd = document.querySelector(`.live-chart-plot[data-chart="${name}"]`);
  if (!gd) return null;
  const n = (v) => Number(v || 0);
  return {draws: n(gd.dataset.draws), reacts: n(gd.dataset.reacts),
          extends: n(gd.dataset.extends), restyles: n(gd.dataset.restyles),
          redraws: n(gd.dataset.redraws),
          frames: n(gd.dataset.frames), merged: n(gd.dataset.merged),
          clicks: gd._ev ? gd._ev.listeners("plotly_click").length : 0,
          messages: n(gd.dataset.messages), traces: (gd.data || []).length,
          points: (gd.data || []).map((d) => (d.x ? d.x.length : 0)),
          last: (gd.data || []).map((d) => (d.x && d.x.length ? Number(d.x[d.x.length - 1])
                                                                : null))};
}"""


def live_chart(page, name: str):
    """The plot of the live chart (ui.live_chart) drawn under `name` (its export name without
    the language, e.g. 'mnist-loss')."""
    return page.locator(f'.live-chart-plot[data-chart="{name}"]')


def live_chart_state(page, name: str) -> dict | None:
    """What the live chart `name` did so far in the browser: how often it was drawn from
    scratch (draws), updated as a whole (reacts), given new points (extends) or new arrays
    (restyles), redrawn to show them (redraws: only while on the screen), how many messages
    it took, its traces' point counts and last x. None when the page has no such chart.
    Frames (live_chart's `frames`): the redraws that showed one (frames, a part of redraws),
    and those put in at once, without a redraw of their own, because the next message came
    first (merged); clicks: its plotly_click listeners (1 with on_click, else 0)."""
    return page.evaluate(LIVE_CHART_STATE, name)


def wait_for_live_chart(page, name: str, timeout_ms: int = IDLE_TIMEOUT_MS) -> None:
    """Wait until the live chart `name` is drawn (it has traces)."""
    page.wait_for_function("""(name) => { const gd = document.querySelector(
        `.live-chart-plot[data-chart="${name}"]`); return !!(gd && gd.data && gd.data.length); }""",
                           arg=name, timeout=timeout_ms)
