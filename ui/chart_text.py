"""Every chart in words: a one-line summary of what it shows now, and its data as a table.

    info = chart_info(fig)                  # what the figure is: title, traces, their kinds
    arrays = trace_arrays(fig)              # each trace's x, y, z (or a live chart's data())
    summary(info, arrays, lang)             # 'Loss — raw: 0.21 at step 300, falling'
    data_table(info, arrays, lang)          # a DataFrame of the numbers, or None

The info is read once from a figure; a live chart keeps it and summarises each redraw from
the arrays it already has (data() gives them in the figure's trace order), so a redraw
builds no figure. Each trace is read by its kind:

- a curve (lines): its last value, at which x, and its trend over its last few points;
  on a plane (a chart with points on it) a path is where it is now, and a bare line of two
  points (a decision boundary) its two ends;
- points (markers only): how many;
- bars: the highest bar and where it is;
- a heatmap or contour: its size and the range of its values (only its size when its
  values are bytes that stand for the chart's own scale, as a live chart's int8 weights);
- an image: its captions (the figure's annotations), or that it is an image.

The title is the figure's, else its y axis' for curves and bars, else its axes' ('the
x1–x2 plane', 'true class by predicted class'); a drawing with nothing named (a network
diagram) is named by its words. Unnamed helpers (a region's fill, a line without a legend
entry) are left out when named traces are there to speak for the chart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.i18n import tr

TREND_POINTS = 10  # a curve's trend is read over at most this many last points
FLAT = 0.02  # a change below this share of the curve's scale is flat
MAX_PARTS = 4  # traces described in one summary; the rest counted
MAX_ROWS = 100  # a table's rows: evenly spaced points, the first and the last among them
MAX_CELLS = 400  # a heatmap with more cells than this gets no table
MAX_CAPTIONS = 6  # an image's captions named in its summary
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


@dataclass(frozen=True)
class TraceInfo:
    """One trace as the summary reads it."""

    kind: str  # 'line', 'points', 'bars', 'heatmap', 'image' or 'other'
    name: str
    x_title: str
    y_title: str
    helper: bool  # unnamed and out of the legend: a fill, a guide line
    across: bool = False  # horizontal bars: their values are on x, their names on y
    bare: bool = False  # a line alone (no markers): two points of it are a segment


@dataclass(frozen=True)
class ChartInfo:
    title: str  # the figure's title, or its first y-axis title
    traces: tuple[TraceInfo, ...]
    captions: tuple[str, ...]  # an image figure's annotations (a digit grid's captions)
    labels: tuple[str, ...] = ()  # a diagram's words (its traces' text), when nothing is named
    plane: tuple[str, str] = ("", "")  # a picture of a plane, untitled: its x and y titles
    planar: bool = False  # points on a plane: its curves are paths on it
    grid: bool = False  # grids of values only (a confusion matrix): its axes say what by what


def _text(value) -> str:
    """A Plotly label as plain text on one line: line breaks as spaces, tags dropped."""
    return " ".join(_TAG.sub("", _BREAK.sub(" ", str(value or ""))).split())


def _axis_title(layout, axis: str) -> str:
    """The title of axis 'x', 'x2', 'y3' … of the layout."""
    obj = layout[axis[0] + "axis" + axis[1:]] if axis[1:] else layout[axis[0] + "axis"]
    return _text(obj.title.text) if obj is not None and obj.title is not None else ""


def _kind(trace) -> str:
    if isinstance(trace, go.Scatter | go.Scattergl):
        if trace.fill not in (None, "none"):
            return "other"
        mode = trace.mode or "lines"
        return "line" if "lines" in mode else "points" if "markers" in mode else "other"
    if isinstance(trace, go.Bar):
        return "bars"
    if isinstance(trace, go.Heatmap | go.Contour):
        return "heatmap"
    if isinstance(trace, go.Image):
        return "image"
    return "other"


def chart_info(fig: go.Figure) -> ChartInfo:
    """What `fig` shows, read from its layout and traces (not their data)."""
    layout = fig.layout
    traces = []
    for tr_ in fig.data:
        kind = "other" if tr_.visible in (False, "legendonly") else _kind(tr_)
        name = _text(getattr(tr_, "name", ""))
        if kind in ("heatmap", "image") and getattr(tr_, "showlegend", None) is not True:
            name = ""  # a grid's name is the code's, not one the learner sees in a legend
        xaxis = getattr(tr_, "xaxis", None) or "x"
        yaxis = getattr(tr_, "yaxis", None) or "y"
        helper = kind not in ("heatmap", "image") and (
            not name or getattr(tr_, "showlegend", None) is False)
        x_title, y_title = _axis_title(layout, xaxis), _axis_title(layout, yaxis)
        across = kind == "bars" and tr_.orientation == "h"
        if across:  # read as upright bars: names along, values up
            x_title, y_title = y_title, x_title
        bare = kind == "line" and tr_.mode == "lines"
        traces.append(TraceInfo(kind, name, x_title, y_title, helper, across, bare))
    title = _text(layout.title.text)
    # untitled: points on a plane, or a grid of values, are named by their axes; a chart of
    # curves or bars by its y axis
    real = [t for t in traces if not t.helper] or traces
    planar = any(t.kind == "points" for t in real) and all(t.kind != "bars" for t in real)
    grid = bool(real) and all(t.kind == "heatmap" for t in real)
    if not title and not planar and not grid and traces:
        title = traces[0].y_title if traces[0].across else _axis_title(layout, "y")
    plane = (_axis_title(layout, "x"), _axis_title(layout, "y")) \
        if not title and (planar or grid) else ("", "")
    captions = tuple(_text(a.text) for a in layout.annotations or () if _text(a.text)) \
        if any(t.kind == "image" for t in traces) else ()
    labels = ()
    if not title and all(t.helper or t.kind == "other" for t in traces):
        words = [_text(w) for tr_ in fig.data if isinstance(tr_, go.Scatter | go.Scattergl)
                 and "text" in (tr_.mode or "") for w in (tr_.text or ())]
        labels = tuple(dict.fromkeys(w for w in words if w))
    return ChartInfo(title, tuple(traces), captions, labels, plane, planar, grid)


def trace_arrays(fig: go.Figure) -> list[dict]:
    """Each trace's x, y and z, as the figure holds them (None where it has none)."""
    return [{k: getattr(tr_, k, None) for k in ("x", "y", "z")} for tr_ in fig.data]


def fmt(value) -> str:
    """A number in at most 3 significant digits ('0.214', '1,234', '3.2e-05'); whole numbers
    in full; anything else as text."""
    if isinstance(value, str):
        return _text(value)
    try:
        v = float(value)
    except (TypeError, ValueError):
        return _text(value)
    if not math.isfinite(v):
        return str(v)
    if v == round(v) and abs(v) < 1e9:
        return f"{round(v):,}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) < 1e-3:
        return f"{v:.2e}"
    return f"{v:.3g}"


def _numbers(values) -> np.ndarray | None:
    """`values` as a float array, or None when they are not numbers."""
    try:
        a = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return a


def trend(y) -> str | None:
    """'falling', 'rising' or 'flat' over the curve's last few points (a least-squares line
    through them); None with fewer than two finite points."""
    tail = _numbers(y[-TREND_POINTS:] if y is not None else ())
    if tail is None:
        return None
    tail = tail[np.isfinite(tail)] if tail.ndim == 1 else np.array([])
    if len(tail) < 2:
        return None
    slope = np.polyfit(np.arange(len(tail), dtype=np.float64), tail, 1)[0]
    change = slope * (len(tail) - 1)
    scale = max(abs(float(tail[-1])), float(np.ptp(tail)), 1e-12)
    if abs(change) < FLAT * scale:
        return "flat"
    return "rising" if change > 0 else "falling"


def _trend_text(lang: str, kind: str | None) -> str:
    return {"falling": tr(lang, "chart.trend.falling"), "rising": tr(lang, "chart.trend.rising"),
            "flat": tr(lang, "chart.trend.flat")}.get(kind or "", "")


def _length(values) -> int:
    try:
        return len(values) if values is not None else 0
    except TypeError:
        return 0


def _last_finite(y) -> tuple[int, float] | None:
    """The index and value of the curve's last finite point."""
    n = _length(y)
    for i in range(n - 1, max(-1, n - 1 - 50), -1):
        v = _numbers(y[i])
        if v is not None and v.ndim == 0 and math.isfinite(float(v)):
            return i, float(v)
    return None


def _xy(info: TraceInfo, arrays: Mapping) -> tuple:
    """The trace's x and y, read upright (horizontal bars swapped)."""
    x, y = arrays.get("x"), arrays.get("y")
    return (y, x) if info.across else (x, y)


def _segment(x, y) -> tuple[str, str] | None:
    """A line of two points (a boundary, a guide) as its two ends '(x, y)'; None otherwise."""
    if _length(x) != 2 or _length(y) != 2:
        return None
    xs, ys = _numbers(x), _numbers(y)
    if xs is None or ys is None or not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        return None
    return tuple(f"({fmt(a)}, {fmt(b)})" for a, b in zip(xs, ys, strict=True))


def _part(info: TraceInfo, arrays: Mapping, lang: str, captions: Sequence[str],
          planar: bool = False) -> str | None:
    """One trace in words, or None when it has nothing to say. On a plane (`planar`) a curve
    is a path: where it ends."""
    (x, y), z = _xy(info, arrays), arrays.get("z")
    name = info.name
    if info.kind == "line":
        ends = _segment(x, y) if info.bare and planar else None
        if ends is not None:
            text = tr(lang, "chart.segment", start=ends[0], end=ends[1])
            return f"{name}: {text}" if name else text
        last = _last_finite(y)
        if last is None:
            return None
        i, value = last
        at = fmt(x[i]) if _length(x) > i else fmt(i)
        if planar:
            text = tr(lang, "chart.path", at=f"({at}, {fmt(value)})")
            return f"{name}: {text}" if name else text
        text = tr(lang, "chart.curve", value=fmt(value), axis=info.x_title, x=at) \
            if info.x_title else tr(lang, "chart.curve_x", value=fmt(value), x=at)
        direction = _trend_text(lang, trend(y))
        if direction:
            text = f"{text}, {direction}"
        return f"{name}: {text}" if name else text
    if info.kind == "points":
        n = _length(x)
        if not n:
            return None
        text = tr(lang, "chart.point") if n == 1 else tr(lang, "chart.points", n=fmt(n))
        return f"{name}: {text}" if name else text
    if info.kind == "bars":
        values = _numbers(y)
        if values is None or values.ndim != 1 or not np.isfinite(values).any():
            return None
        i = int(np.nanargmax(np.where(np.isfinite(values), values, -np.inf)))
        at = fmt(x[i]) if _length(x) > i else fmt(i)
        text = tr(lang, "chart.bars", value=fmt(values[i]), at=at, n=fmt(len(values)))
        return f"{name}: {text}" if name else text
    if info.kind == "heatmap":
        values = _numbers(z)
        if values is None or values.ndim != 2 or not np.isfinite(values).any():
            return None
        if getattr(z, "dtype", None) is not None and z.dtype.itemsize == 1:
            # bytes that stand for values on the chart's own scale (int8 weights): the size
            text = tr(lang, "chart.grid_size", rows=values.shape[0], cols=values.shape[1])
            return f"{name}: {text}" if name else text
        text = tr(lang, "chart.grid", rows=values.shape[0], cols=values.shape[1],
                  low=fmt(np.nanmin(values)), high=fmt(np.nanmax(values)))
        return f"{name}: {text}" if name else text
    if info.kind == "image":
        if captions:
            shown = ", ".join(captions[:MAX_CAPTIONS])
            more = len(captions) - MAX_CAPTIONS
            if more > 0:
                shown = tr(lang, "chart.and_more", text=shown, n=more)
            return tr(lang, "chart.images", n=len(captions), captions=shown)
        return tr(lang, "chart.image")
    return None


def summary(info: ChartInfo, arrays: Sequence[Mapping], lang: str) -> str:
    """The chart in one line, in `lang`: its title, then what each trace shows now."""
    pairs = list(zip(info.traces, arrays, strict=False))
    named = [(ti, a) for ti, a in pairs if not ti.helper]
    if any(ti.kind != "other" for ti, _ in named):
        pairs = named
    parts = [p for ti, a in pairs if (p := _part(ti, a, lang, info.captions, info.planar))]
    same = f"{info.title}: "
    parts = [p[len(same):] if info.title and p.lower().startswith(same.lower()) else p
             for p in parts]  # 'Loss — Loss: 0.21 …' says it once
    if info.labels:
        shown = ", ".join(info.labels[:MAX_CAPTIONS])
        if len(info.labels) > MAX_CAPTIONS:
            shown = tr(lang, "chart.and_more", text=shown, n=len(info.labels) - MAX_CAPTIONS)
        parts = [tr(lang, "chart.diagram", labels=shown)]
    if len(parts) > MAX_PARTS:
        parts = [*parts[:MAX_PARTS], tr(lang, "chart.more_traces", n=len(parts) - MAX_PARTS)]
    body = "; ".join(parts) if parts else tr(lang, "chart.empty")
    title = info.title
    if not title and all(info.plane):
        x, y = info.plane
        title = tr(lang, "chart.by", x=x, y=y) if info.grid else tr(lang, "chart.plane", x=x, y=y)
    return f"{title} — {body}" if title else body


def figure_summary(fig: go.Figure, lang: str) -> str:
    return summary(chart_info(fig), trace_arrays(fig), lang)


def _rows(n: int) -> np.ndarray:
    """At most MAX_ROWS row indices of n, evenly spaced, the first and the last among them."""
    if n <= MAX_ROWS:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, MAX_ROWS)).astype(int))


def _column(values, rows: np.ndarray) -> list[str]:
    return [fmt(values[i]) if i < _length(values) else "" for i in rows]


def _table_pairs(info: ChartInfo, arrays: Sequence[Mapping]) -> list[tuple[TraceInfo, Mapping]]:
    """The traces a table shows: curves, bars, points and heatmaps with data, the named ones
    when there are any."""
    pairs = [(ti, a) for ti, a in zip(info.traces, arrays, strict=False)
             if ti.kind in ("line", "bars", "points", "heatmap")
             and (_length(a.get("x")) or _length(a.get("z")))]
    return [(ti, a) for ti, a in pairs if not ti.helper] or pairs


def tabular(info: ChartInfo, arrays: Sequence[Mapping]) -> bool:
    """Whether data_table has a table for this chart (cheap: no table is built)."""
    pairs = _table_pairs(info, arrays)
    heat = [a for ti, a in pairs if ti.kind == "heatmap"]
    if heat:
        z = heat[0].get("z")
        return 0 < int(np.size(z)) <= MAX_CELLS if z is not None else False
    return bool(pairs)


def data_table(info: ChartInfo, arrays: Sequence[Mapping], lang: str) -> pd.DataFrame | None:
    """The chart's numbers as text cells: curves and bars side by side on their x (wide when
    they share it, else one row per point), points one row each, a small heatmap as its
    grid; None for images, big heatmaps and charts with no data."""
    pairs = _table_pairs(info, arrays)
    if not pairs:
        return None
    x_name = pairs[0][0].x_title or "x"
    heat = [(ti, a) for ti, a in pairs if ti.kind == "heatmap"]
    if heat:
        ti, a = heat[0]
        z = _numbers(a.get("z"))
        if z is None or z.ndim != 2 or z.size > MAX_CELLS:
            return None
        ys = a.get("y") if _length(a.get("y")) == z.shape[0] else range(z.shape[0])
        xs = a.get("x") if _length(a.get("x")) == z.shape[1] else range(z.shape[1])
        frame = pd.DataFrame([[fmt(v) for v in row] for row in z],
                             index=[fmt(v) for v in ys], columns=[fmt(v) for v in xs])
        frame.index.name = ti.y_title or "y"
        return frame.reset_index()
    xs = [_xy(ti, a)[0] for ti, a in pairs]
    shared = all(_length(x) == _length(xs[0]) for x in xs) and all(
        np.array_equal(np.asarray(x, dtype=object), np.asarray(xs[0], dtype=object))
        for x in xs[1:]) and not any(ti.kind == "points" for ti, _ in pairs)
    if shared:
        total = _length(xs[0])
        rows = _rows(total)
        table = {x_name: _column(xs[0], rows)}
        for k, (ti, a) in enumerate(pairs):
            column = ti.name or ti.y_title or f"y{k + 1}"
            table[column if column not in table else f"{column} ({k + 1})"] = \
                _column(_xy(ti, a)[1], rows)
        frame = pd.DataFrame(table)
        frame.attrs["points"] = total
        return frame
    series, x_col, y_col = (tr(lang, "chart.col.series"), x_name,
                            pairs[0][0].y_title or "y")
    records = []
    for ti, a in pairs:
        x, y = _xy(ti, a)
        for i in range(_length(x)):
            records.append({series: ti.name, x_col: fmt(x[i]),
                            y_col: fmt(y[i]) if i < _length(y) else ""})
    frame = pd.DataFrame([records[i] for i in _rows(len(records))])
    frame.attrs["points"] = len(records)
    return frame
