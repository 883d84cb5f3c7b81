"""A live chart: one Plotly chart per key that stays in the page and takes only what changed.

    live_chart("mnist.live.loss", "mnist-loss", build, data=data, version=step, height=300)

build() makes the whole figure (a viz/ builder: the one place a figure is made); data() gives
its traces' arrays, as the viz module's *_data functions do, the same arrays build() puts in
the figure. The first draw sends the figure; every later call compares data() with what the
browser holds and sends only the difference (static/live_chart.js applies it):

- a curve that grew (what the browser holds is a prefix of the new x and y): the new points
  only, for Plotly.extendTraces;
- any other changed array (a heatmap's z, the text of its cells, a curve the server thinned):
  the whole array, compact (Plotly's typed-array spec: int8 weights stay 1 byte a value), for
  Plotly.restyle; a numeric array whose largest change is below `min_change` waits until
  the change is visible;
- without data(), a changed `version` sends the whole figure, for Plotly.react.

The chart is drawn afresh (a new figure, Plotly.newPlot) when its `signature` changes (a new
network), with the language, the slide mode or the export format, and when the browser asks
for it (it was mounted anew, or it missed more than it can make up). A whole-page run sends
the whole figure (Plotly.react: the chart stays, and catches up with anything). A redraw of
the same chart never builds it again in the browser. A whole figure that a fragment's run
sends (an epoch's end) is `lazy`: a chart out of view takes it once it comes into view.

Frames: a page that trains in short chunks may pass `frames`, the data states the engine went
through during the chunk (each as data() gives it, the last the current one). A fragment run
then sends one difference per frame, each against the one before, and the browser shows them
one per `frame_s` seconds: more redraws than the page's reruns can come. A whole figure (a
page run, a resync, a new signature) ignores them and draws the last.

Clicks: with `on_click`, a click on the chart (Plotly's plotly_click) comes back as a trigger
value: the curve, the point's index, its x, y and customdata, and the data coordinates of the
mouse itself (so that a click anywhere on a heatmap places a point exactly there). Python
checks it (clean_click: it comes from the browser) and calls on_click(value) as the widget's
callback, before the run.

Words: under the chart, its summary and Data popover (ui.chart.chart_text), made from the
arrays this call already has (data(), the last frame) and what the chart's last whole figure
said about its traces (ui.chart_text.chart_info, kept with what the browser holds): a redraw
builds no figure for them. A call that sends nothing repeats the last summary.

Where the component cannot run (AppTest has no browser), the chart is an st.plotly_chart of
the same figure, so that the app tests read the same content.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
from streamlit import config as st_config

from ui.chart import chart_text, show_chart
from ui.chart_text import ChartInfo, chart_info, trace_arrays
from ui.handout import handout_on
from ui.i18n import current_lang
from ui.live import browser_session as component_available
from ui.live import in_fragment_run
from ui.settings import export_format, slides_on
from viz.theme import export_config, style_figure

STATIC = Path(__file__).resolve().parents[1] / "static"  # served at /app/static
PLOTLY_JS = "plotly.min.js"  # the installed plotly package's plotly.js (tests/app/test_static.py)
MODULE_JS = "live_chart.js"  # the chart's code in the browser
_CSS = ".live-chart { width: 100%; overflow-x: auto; } .live-chart-plot { width: 100%; }"


def static_url(file: str) -> str:
    """Where the page loads one of static/'s files: the app's own static route, under its base
    URL, with a hash of the file's bytes so that a browser never keeps an old copy."""
    base = (st_config.get_option("server.baseUrlPath") or "").strip("/")
    digest = hashlib.sha256((STATIC / file).read_bytes()).hexdigest()[:12]
    return "/" + "/".join(p for p in (base, "app/static", file) if p) + f"?v={digest}"


# The component's own code is this stub, sent with every message of every chart: it loads
# the module once (the browser caches it) and hands each message over. A stub that returns at
# once, with a cleanup that checks the chart really left the page, keeps a message that
# overtakes another from removing the chart (static/live_chart.js: unmount).
_STUB = """const src = new URL("%s", window.location.origin).href;
export default function (component) {
  import(src).then((m) => m.update(component));
  return () => { import(src).then((m) => m.unmount(component.parentElement)); };
}"""
# Plotly puts its own styles (the chart's buttons) in the document's head, so the chart is
# mounted in the page itself, not in a shadow root.
_component = st.components.v2.component("live_chart", js=_STUB % static_url(MODULE_JS), css=_CSS,
                                        isolate_styles=False)
_PLOTLY_SRC = static_url(PLOTLY_JS)
CURVE_KEYS = ("x", "y")
MAX_FRAMES = 30  # more states than this in one message: evenly spaced ones, and the last
CLICK_LIST_MAX = 8  # a point's customdata: at most this many numbers
CLICK_INDEX_MAX = 2**31  # a curve's or a point's index is below this
_TYPES = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4",
          "uint32": "u4", "float32": "f4", "float64": "f8"}


@dataclass
class _Sent:
    """What the browser holds of one chart: the drawing (gen), the last message's number,
    each trace's arrays as sent, and each curve's length at the last two messages (where
    an extend starts)."""

    signature: object
    gen: int = 0
    seq: int = 0
    version: object = None
    sent_at: float = 0.0  # when the last update left (time.monotonic)
    height: int = 450  # the figure's, in px: the page keeps room for it before it is drawn
    template_sent: bool = False  # the figures' shared template went with one of its figures
    traces: list[dict] = field(default_factory=list)
    lengths: list[list[int]] = field(default_factory=list)  # each curve's, at the last 2
    info: ChartInfo | None = None  # the last whole figure's traces, for the chart's words
    shown: list = field(default_factory=list)  # the data the chart's words were made from


def typed(value) -> object:
    """A numpy array as Plotly's typed-array spec (base64 of its bytes, its dtype and shape);
    anything else as it is."""
    if not isinstance(value, np.ndarray) or str(value.dtype) not in _TYPES:
        return value.tolist() if isinstance(value, np.ndarray) else value
    spec = {"dtype": _TYPES[str(value.dtype)],
            "bdata": base64.b64encode(np.ascontiguousarray(value)).decode("ascii")}
    if value.ndim > 1:
        spec["shape"] = ", ".join(map(str, value.shape))
    return spec


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    return a == b


def _grew(old: Mapping, new: Mapping) -> bool:
    """Whether trace `new` is `old` with points added at the end (and nothing else changed)."""
    if not all(k in old and k in new for k in CURVE_KEYS) or old.keys() != new.keys():
        return False
    n = len(old["x"])
    if len(new["x"]) < n or len(new["y"]) != len(new["x"]) or len(old["y"]) != n:
        return False
    if not all(_same(new[k][:n], old[k]) for k in CURVE_KEYS):
        return False
    return all(_same(new[k], old[k]) for k in new if k not in CURVE_KEYS)


def _points(values) -> object:
    """A curve's new points, compact: whole numbers that rise by one step (a curve's steps)
    as {"range": [first, step, count]}, other whole numbers as int32, the rest as float32,
    both as Plotly's typed-array spec (4 bytes a point, in base64)."""
    values = np.asarray(values)
    if values.dtype.kind in "iu" or (values.dtype.kind == "f" and len(values)
                                     and np.array_equal(values, np.round(values))
                                     and np.abs(values).max() < 2**31):
        whole = values.astype(np.int64)
        steps = np.diff(whole)
        if len(whole) >= 2 and (steps == steps[0]).all():
            return {"range": [int(whole[0]), int(steps[0]), len(whole)]}
        if len(whole) and np.abs(whole).max() < 2**31:
            return typed(whole.astype(np.int32))
    return typed(values.astype(np.float32))


def _visible(old, new, min_change: float) -> bool:
    """Whether a changed array is worth sending: always, unless both are numeric arrays of
    one shape whose largest change is below min_change."""
    if min_change <= 0:
        return True
    old, new = np.asarray(old), np.asarray(new)
    if old.shape != new.shape or old.dtype.kind not in "iuf" or new.dtype.kind not in "iuf":
        return True
    return bool(np.abs(new.astype(np.float64) - old).max() >= min_change)


def diff(sent: _Sent, traces: Sequence[Mapping], min_change: float = 0.0) -> dict | None:
    """The message that brings the browser from `sent` to `traces` (updating `sent`), or None
    when the traces cannot be updated in place (their number changed)."""
    if len(traces) != len(sent.traces):
        return None
    extend = {"traces": [], "start": [], "x": [], "y": []}
    restyle = []
    for i, (old, new) in enumerate(zip(sent.traces, traces, strict=True)):
        if _grew(old, new):
            n_old, n_new = len(old["x"]), len(new["x"])
            if n_new > n_old:
                start = min(sent.lengths[i][0], n_old)  # a message back: see the JS
                extend["traces"].append(i)
                extend["start"].append(start)
                extend["x"].append(_points(new["x"][start:]))
                extend["y"].append(_points(new["y"][start:]))
            sent.traces[i] = dict(new)
        else:
            props = {k: v for k, v in new.items()
                     if k not in old or (not _same(old[k], v) and _visible(old[k], v, min_change))}
            if props:
                restyle.append({"trace": i, "props": {k: typed(v) for k, v in props.items()}})
                sent.traces[i] = {**old, **props}
        sent.lengths[i] = [sent.lengths[i][1], len(sent.traces[i].get("x", ()))]
    return {"extend": extend if extend["traces"] else None, "restyle": restyle or None}


def _thinned(states: Sequence[Sequence[Mapping]]) -> list[Sequence[Mapping]]:
    """At most MAX_FRAMES of `states`, evenly spaced, the last always among them. Dropping a
    state loses nothing: the next one's difference is taken against the one before it."""
    n = len(states)
    if n <= MAX_FRAMES:
        return list(states)
    keep = np.unique(np.round(np.linspace(0, n - 1, MAX_FRAMES)).astype(int))
    return [states[i] for i in keep]


def frame_diffs(sent: _Sent, states: Sequence[Sequence[Mapping]],
                min_change: float = 0.0) -> list[dict] | None:
    """One message per state that changed anything, each bringing the browser from the one
    before (from `sent` for the first) to it, and `sent` updated to the last; None when the
    traces cannot be updated in place. The first extend starts a message back (a skipped
    message is made up, as with diff()); the later ones start where the one before ended."""
    before = [list(n) for n in sent.lengths]
    out = []
    for k, traces in enumerate(_thinned(states)):
        if k:  # applied in order within one message: no window needed
            sent.lengths = [[len(tr.get("x", ()))] * 2 for tr in sent.traces]
        message = diff(sent, traces, min_change)
        if message is None:
            return None
        if message["extend"] or message["restyle"]:
            out.append(message)
    sent.lengths = [[n[1], len(tr.get("x", ()))] for n, tr in zip(before, sent.traces,
                                                                    strict=True)]
    return out


def _number(value) -> float | None:
    """`value` as a finite float, or None: bools, strings and the like are not numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:  # an int too large for a float
        return None
    return value if math.isfinite(value) else None


def _index(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) \
        and 0 <= value < CLICK_INDEX_MAX else None


def clean_click(value: object) -> dict | None:
    """What a click sent from the browser says, checked: it may come from anyone. Known keys
    only, each kept only when well-formed, the rest dropped; None when nothing is left.

        curve       the trace's index (int)
        point       the point's index (int), or [row, col] on a heatmap
        x, y        the point's coordinates (finite numbers)
        customdata  the point's customdata: a finite number, or a list of up to
                    CLICK_LIST_MAX finite numbers
        mouse       {"x": float, "y": float}: the mouse's position in data coordinates
    """
    if not isinstance(value, dict):
        return None
    out: dict = {}
    if (curve := _index(value.get("curve"))) is not None:
        out["curve"] = curve
    point = value.get("point")
    if _index(point) is not None:
        out["point"] = point
    elif isinstance(point, list) and len(point) == 2 \
            and all(_index(i) is not None for i in point):
        out["point"] = list(point)
    for name in ("x", "y"):
        if (number := _number(value.get(name))) is not None:
            out[name] = number
    custom = value.get("customdata")
    if _number(custom) is not None:
        out["customdata"] = _number(custom)
    elif isinstance(custom, list) and 0 < len(custom) <= CLICK_LIST_MAX:
        numbers = [_number(v) for v in custom]
        if all(v is not None for v in numbers):
            out["customdata"] = numbers
    mouse = value.get("mouse")
    if isinstance(mouse, dict):
        x, y = _number(mouse.get("x")), _number(mouse.get("y"))
        if x is not None and y is not None:
            out["mouse"] = {"x": x, "y": y}
    return out or None


def _clicked(key: str, on_click: Callable[[dict], None]) -> None:
    """The component's "click" callback: the checked value to on_click (nothing when there is
    nothing left of it)."""
    state = st.session_state.get(key)
    value = clean_click(state.get("click") if isinstance(state, Mapping) else None)
    if value is not None:
        on_click(value)


def _figure_parts(fig: go.Figure, *, with_template: bool) -> dict:
    """The figure's JSON without its template (about 7 KB, the same for every figure of the
    app), the template's id, and the template itself when `with_template`: the browser keeps
    each template it was sent (static/live_chart.js), so a chart's later figures leave it out.
    """
    figure = json.loads(pio.to_json(fig, validate=False))
    template = json.dumps(figure["layout"].pop("template", {}), separators=(",", ":"))
    parts = {"figure": json.dumps(figure, separators=(",", ":")),
             "template_id": hashlib.sha256(template.encode()).hexdigest()[:12]}
    if with_template:
        parts["template"] = template
    return parts


def live_chart(key: str, name: str, build: Callable[[], go.Figure], *,
               data: Callable[[], Sequence[Mapping]] | None = None, version: object = None,
               signature: object = None, height: int | None = None,
               min_change: float = 0.0, every: float = 0.0,
               frames: Sequence[Sequence[Mapping]] | None = None, frame_s: float = 0.1,
               on_click: Callable[[dict], None] | None = None) -> None:
    """Draw the live chart `key`, sending only what changed since its last draw.

    name: what it shows, for the camera button's file (<name>-<lang>.png or .svg).
    build: the whole figure (styled here, as ui.chart.show_chart does).
    data: its traces' data (a list of dicts of arrays, as build() puts them), or None.
    version: when it is the one drawn last, nothing is computed or sent.
    signature: what makes it a different chart (the network it shows): drawn afresh.
    height: in px, as show_chart's.
    min_change: arrays (not curves) whose values all moved less than this wait.
    every: at most one update per this many seconds; what changes meanwhile waits and goes
        with the next one (each update costs the browser a redraw of the chart).
    frames: the data states since the last call, in order, each as data() gives it, the last
        the current one (data() is then not called). A fragment run sends one difference per
        frame and the browser shows one per `frame_s` seconds; a whole figure draws the last.
        The browser then holds the last frame exactly (with min_change, arrays whose change is
        below it wait, as with data()). A call that `version` or `every` holds back sends
        none of them: the next call's first frame starts from what the browser holds. None
        or empty: data() alone, as before.
    frame_s: the time between two frames in the browser, in seconds (0.01 to 2).
    on_click: called, as the widget's callback before the run, with what a click on the
        chart says (clean_click's dict); None: clicks are not listened to at all.
    """
    if not 0.01 <= frame_s <= 2:
        raise ValueError(f"frame_s must be between 0.01 and 2 s, got {frame_s}")
    states = [list(state) for state in frames] if frames else None
    current = (lambda: states[-1]) if states else data
    if not component_available() or handout_on():  # a handout's chart: a static one
        show_chart(build(), name, key=key, height=height)
        return
    ss = st.session_state
    state_key, resync_key = f"{key}.live_chart", f"{key}.resync"
    slides = slides_on()
    signature = (signature, current_lang(), slides, export_format())
    sent: _Sent | None = ss.get(state_key)
    resync = ss.pop(resync_key, False)
    if resync and sent is not None:
        sent.template_sent = False  # the browser may lack it as well
    message = None
    shown = None  # the data the words are made from; None: what they were made from last
    if sent is not None and sent.signature == signature and not resync \
            and in_fragment_run():
        if (version is not None and version == sent.version) \
                or time.monotonic() - sent.sent_at < every:
            message = {"figure": None, "extend": None, "restyle": None}
            version = sent.version  # what the browser holds
        elif states:
            diffs = frame_diffs(sent, states, min_change)
            if diffs is not None:
                message = {"figure": None, "extend": None, "restyle": None,
                           "frames": diffs or None, "frame_ms": round(frame_s * 1000)}
            shown = states[-1]
        elif data is not None:
            shown = list(data())
            message = diff(sent, shown, min_change)
    if message is None:  # the whole figure
        fig = style_figure(build(), slides=slides, height=height)
        if sent is None or sent.signature != signature:
            sent = _Sent(signature, gen=0 if sent is None else sent.gen + 1, seq=sent.seq if sent
                         else 0)
        traces = list(current()) if current is not None else []
        sent.height = int(fig.layout.height or 450)
        sent.traces = [dict(tr) for tr in traces]
        sent.lengths = [[len(tr.get("x", ()))] * 2 for tr in traces]
        sent.info = chart_info(fig)
        shown = traces if current is not None else trace_arrays(fig)
        message = {"figure": None, "extend": None, "restyle": None,
                   **_figure_parts(fig, with_template=not sent.template_sent)}
        sent.template_sent = True
    if shown is not None:
        sent.shown = shown
    if message.get("figure") or message["extend"] or message["restyle"] \
            or message.get("frames"):
        sent.sent_at = time.monotonic()
    sent.version = version
    sent.seq += 1
    ss[state_key] = sent
    message.update(gen=sent.gen, seq=sent.seq, name=name, src=_PLOTLY_SRC, height=sent.height,
                   clicks=on_click is not None)
    if message.get("figure"):  # the camera button's settings go with a whole figure only
        message["config"] = export_config(f"{name}-{current_lang()}", export_format())
        message["lazy"] = in_fragment_run()  # a live view's figure waits for the chart to be seen
    callbacks = {} if on_click is None else {"on_click_change": lambda: _clicked(key, on_click)}
    _component(key=key, data=message, on_resync_change=lambda: ss.update({resync_key: True}),
               width="stretch", height="content", **callbacks)
    chart_text(sent.info, sent.shown, key)
