"""Figures for the perceptron lesson: decision lines, the XOR network, live heatmaps.

Pure functions from arrays and translated labels to go.Figure; the page passes
in what the lesson computed. Regions a line cuts out of the square are drawn as
polygons, so they stay crisp in an SVG export.

The live figures (the XOR network's output, loss and hidden space, the spiral's regions and
loss) each have a *_data function beside them: the arrays of their traces, in order, which
the builder puts in the figure and ui.live_chart sends again when they change. Their traces
never come and go (a boundary that does not exist is hidden, a missing line has no points),
so a redraw can update them in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from viz import palette
from viz.common import BLUE, COLORS, INK, RED, legend_on_top, rgba

CLASS_COLORS = palette.CLASSES  # the two gate classes, the spiral's three arms
CLASS_SYMBOLS = palette.CLASS_SYMBOLS  # shape as well as colour
# class 1 filled, class 0 open (white inside): (class, outline, fill, symbol)
_GATE_CLASSES = ((1, RED, RED, CLASS_SYMBOLS[1]), (0, BLUE, "white", CLASS_SYMBOLS[0]))


# ---------------------------------------------------------------- geometry


def square(lo: float, hi: float) -> list[tuple[float, float]]:
    """The corners of [lo, hi]², counter-clockwise."""
    return [(lo, lo), (hi, lo), (hi, hi), (lo, hi)]


def clip_half_plane(polygon: Sequence[tuple[float, float]], w1: float, w2: float, b: float,
                    positive: bool = True) -> list[tuple[float, float]]:
    """The part of a convex polygon where a = w1·x1 + w2·x2 + b > 0 (positive) or ≤ 0.

    One pass of Sutherland–Hodgman clipping against the line a = 0. Returns [] when
    nothing is left; with w1 = w2 = 0 the whole polygon or nothing, by step(b).
    """

    def inside(p) -> bool:
        a = w1 * p[0] + w2 * p[1] + b
        return a > 0 if positive else a <= 0

    out: list[tuple[float, float]] = []
    n = len(polygon)
    for i in range(n):
        p, q = polygon[i], polygon[(i + 1) % n]
        if inside(p):
            out.append((float(p[0]), float(p[1])))
        if inside(p) != inside(q):  # the edge crosses the line: add the crossing point
            ap = w1 * p[0] + w2 * p[1] + b
            aq = w1 * q[0] + w2 * q[1] + b
            s = ap / (ap - aq)
            out.append((float(p[0] + s * (q[0] - p[0])), float(p[1] + s * (q[1] - p[1]))))
    # a region of zero area (only touching the line) is nothing
    return out if len(out) >= 3 and _area(out) > 1e-12 else []


def _area(poly: Sequence[tuple[float, float]]) -> float:
    x = np.array([p[0] for p in poly])
    y = np.array([p[1] for p in poly])
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def _polygon_data(poly) -> dict:
    """A polygon's corners, closed (the first again at the end); no points for []."""
    corners = [*poly, poly[0]] if poly else []
    return dict(x=np.array([p[0] for p in corners], dtype=float),
                y=np.array([p[1] for p in corners], dtype=float))


def _segment_data(segment) -> dict:
    """A line segment (the engine's (x1 pair, x2 pair)) as a trace's x and y; no points for
    None, so that the trace stays (Plotly hides a trace without points, legend entry too)."""
    if segment is None:
        return dict(x=np.zeros(0), y=np.zeros(0))
    return dict(x=np.asarray(segment[0], dtype=float), y=np.asarray(segment[1], dtype=float))


def _region_trace(poly, color: str, alpha: float, name: str) -> go.Scatter:
    return go.Scatter(**_polygon_data(poly), mode="lines", fill="toself",
                      fillcolor=rgba(color, alpha), line=dict(width=0), name=name,
                      hoverinfo="skip")


def _square_axes(fig: go.Figure, lo: float, hi: float, x_title: str, y_title: str,
                 ticks: Sequence[float] = (0, 0.5, 1)) -> None:
    """Equal scales on both axes over [lo, hi]; ticks only at `ticks` (no clash at the corner)."""
    fig.update_xaxes(range=[lo, hi], title=x_title, zeroline=False, constrain="domain",
                     tickvals=list(ticks))
    fig.update_yaxes(range=[lo, hi], title=y_title, zeroline=False, scaleanchor="x",
                     scaleratio=1, constrain="domain", tickvals=list(ticks))


def _class_points_data(points, targets, texts: Sequence[str] | None = None) -> list[dict]:
    """The points of class 1, then of class 0: x, y and (with texts) each point's text."""
    points = np.asarray(points, dtype=float)
    data = []
    for cls in (1, 0):
        mask = np.asarray(targets) == cls
        trace = dict(x=points[mask, 0], y=points[mask, 1])
        if texts:
            trace["text"] = [texts[i] for i in np.flatnonzero(mask)]
        data.append(trace)
    return data


def _class_points(points: np.ndarray, targets: np.ndarray, names: Sequence[str],
                  texts: Sequence[str] | None = None, size: int = 16) -> list[go.Scatter]:
    """One trace per class: class 1 a filled red square, class 0 an open blue circle (their
    legend names)."""
    traces = []
    for data, (cls, color, fill, symbol) in zip(
            _class_points_data(points, targets, texts), _GATE_CLASSES, strict=True):
        traces.append(go.Scatter(
            **data, mode="markers+text" if texts else "markers", textposition="top center",
            marker=dict(size=size, color=fill, symbol=symbol, line=dict(width=3, color=color)),
            name=names[cls]))
    return traces


# ---------------------------------------------------------------- the perceptron


def decision_line_figure(w1: float, w2: float, b: float, points, targets, outputs,
                         segment, labels: Mapping[str, str], lo: float = -0.5,
                         hi: float = 1.5) -> go.Figure:
    """The four inputs, the line w1·x1 + w2·x2 + b = 0 and its two shaded sides.

    points (4, 2), targets (4,) and outputs (4,) of 0/1; segment is the engine's
    Perceptron.decision_line (x1 pair, x2 pair) or None when no line crosses the
    square. Each point is marked ✓ when the output equals its target, ✗ otherwise.
    labels: x1, x2, side1 (y = 1), side0 (y = 0), line, target0, target1.
    """
    points = np.asarray(points, dtype=float)
    box = square(lo, hi)
    fig = go.Figure()
    fig.add_trace(_region_trace(clip_half_plane(box, w1, w2, b, True), RED, 0.14,
                                labels["side1"]))
    fig.add_trace(_region_trace(clip_half_plane(box, w1, w2, b, False), BLUE, 0.08,
                                labels["side0"]))
    if segment is not None:
        fig.add_trace(go.Scatter(x=list(segment[0]), y=list(segment[1]), mode="lines",
                                 line=dict(color=INK, width=3), name=labels["line"]))
    marks = ["✓" if o == t else "✗" for o, t in zip(outputs, targets, strict=True)]
    texts = [f"({int(p[0])}, {int(p[1])}) {m}" for p, m in zip(points, marks, strict=True)]
    for trace in _class_points(points, np.asarray(targets), [labels["target0"],
                                                             labels["target1"]], texts):
        fig.add_trace(trace)
    _square_axes(fig, lo, hi, labels["x1"], labels["x2"])
    return legend_on_top(fig)  # a side legend would squeeze the square on a phone


def errors_figure(errors: Mapping[str, np.ndarray], labels: Mapping[str, str]) -> go.Figure:
    """Misclassified samples per epoch of the perceptron learning rule, one line per gate.

    labels: x (epoch), y (errors).
    """
    fig = go.Figure()
    for i, (name, err) in enumerate(errors.items()):
        err = np.asarray(err)
        k = i % len(palette.SERIES_DASHES)
        fig.add_trace(go.Scatter(x=np.arange(1, len(err) + 1), y=err, mode="lines+markers",
                                 name=name, line=dict(color=COLORS[i % len(COLORS)], width=2,
                                                      dash=palette.SERIES_DASHES[k]),
                                 marker=dict(symbol=palette.SERIES_SYMBOLS[k], size=8)))
    fig.update_xaxes(title=labels["x"], rangemode="tozero")
    fig.update_yaxes(title=labels["y"], range=[-0.2, 4.2], dtick=1)
    return fig


# ---------------------------------------------------------------- XOR from gates


def _gate_line(name: str, i: int) -> str:
    """The colour of gate `name`'s line (its unit's fill, lighter), the i-th drawn."""
    lines = palette.GATE_LINES
    return lines.get(name) or tuple(lines.values())[i % len(lines)]


def gates_diagram_figure(weights: Mapping[str, tuple[float, float, float]],
                         labels: Mapping[str, str]) -> go.Figure:
    """x1, x2 → s1 = NAND, s2 = OR → y = AND: nodes, edges and every weight and bias.

    weights: {'NAND': (w1, w2, b), 'OR': ..., 'AND': ...}. labels: x1, x2, s1, s2, y (the
    units), layer0, layer1, layer2 (column headings). Each gate's name and bias sit under it.
    """
    pos = {"x1": (0, 1), "x2": (0, 0), "s1": (1, 1), "s2": (1, 0), "y": (2, 0.5)}
    edges = [("x1", "s1", weights["NAND"][0]), ("x2", "s1", weights["NAND"][1]),
             ("x1", "s2", weights["OR"][0]), ("x2", "s2", weights["OR"][1]),
             ("s1", "y", weights["AND"][0]), ("s2", "y", weights["AND"][1])]
    gate_of = {"s1": "NAND", "s2": "OR", "y": "AND"}
    fig = go.Figure()
    for a, c, w in edges:
        (x0, y0), (x1, y1) = pos[a], pos[c]
        fig.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip",
                                 line=dict(color=palette.EDGE, width=2), showlegend=False))
        # the weight sits a third of the way along its edge, where edges do not cross
        fig.add_annotation(x=x0 + (x1 - x0) / 3, y=y0 + (y1 - y0) / 3, text=f"{w:g}",
                           showarrow=False, bgcolor="white", font=dict(color=INK))
    fills = palette.GATE_FILLS
    colors = {"x1": fills["input"], "x2": fills["input"], "s1": fills["NAND"],
              "s2": fills["OR"], "y": fills["AND"]}
    names = list(pos)
    fig.add_trace(go.Scatter(
        x=[pos[n][0] for n in names], y=[pos[n][1] for n in names], mode="markers+text",
        text=[labels[n] for n in names], textposition="middle center",
        marker=dict(size=70, color=[colors[n] for n in names], line=dict(color=INK, width=2)),
        hoverinfo="skip", showlegend=False))
    for n, gate in gate_of.items():  # under each unit: which gate it is, and its bias
        fig.add_annotation(x=pos[n][0], y=pos[n][1] - 0.3, text=f"<b>{gate}</b><br>"
                           f"b = {weights[gate][2]:g}", showarrow=False, yanchor="top",
                           font=dict(color=INK))
    for col, key in enumerate(("layer0", "layer1", "layer2")):
        fig.add_annotation(x=col, y=1.45, text=f"<b>{labels[key]}</b>", showarrow=False)
    fig.update_xaxes(visible=False, range=[-0.45, 2.45])
    fig.update_yaxes(visible=False, range=[-0.75, 1.6])
    return fig


def xor_input_space_figure(points, targets, lines: Mapping[str, tuple[float, float, float]],
                           segments: Mapping[str, object], labels: Mapping[str, str],
                           lo: float = -0.5, hi: float = 1.5) -> go.Figure:
    """The input square with NAND's and OR's lines; the band where both say 1 is XOR = 1.

    lines: {'NAND': (w1, w2, b), 'OR': ...}; segments: the engine's decision_line for each.
    labels: x1, x2, band, target0, target1 and one per line name.
    """
    points = np.asarray(points, dtype=float)
    band = square(lo, hi)
    for w1, w2, b in lines.values():
        band = clip_half_plane(band, w1, w2, b, True) if band else []
    fig = go.Figure()
    if band:
        fig.add_trace(_region_trace(band, RED, 0.14, labels["band"]))
    for i, (name, seg) in enumerate(segments.items()):
        if seg is not None:
            fig.add_trace(go.Scatter(x=list(seg[0]), y=list(seg[1]), mode="lines",
                                     line=dict(color=_gate_line(name, i), width=3,
                                               dash=("solid", "dash")[i % 2]),
                                     name=labels[name]))
    texts = [f"({int(p[0])}, {int(p[1])})" for p in points]
    for trace in _class_points(points, np.asarray(targets), [labels["target0"],
                                                             labels["target1"]], texts):
        fig.add_trace(trace)
    _square_axes(fig, lo, hi, labels["x1"], labels["x2"])
    return legend_on_top(fig)  # a side legend would squeeze the square on a phone


def _hidden_texts(h: np.ndarray, inputs: np.ndarray, lo: float, hi: float) -> list[str]:
    """Each hidden point's text: the input it came from; points that (nearly) coincide share
    one label, written at the first of them."""
    texts = [f"x = ({int(x[0])}, {int(x[1])})" for x in inputs]
    for i in range(len(h)):
        for j in range(i):
            if texts[j] and np.hypot(*(h[i] - h[j])) < 0.1 * (hi - lo):
                texts[j], texts[i] = f"{texts[j]}<br>{texts[i]}", ""
                break
    return texts


def hidden_space_data(h, targets, inputs, line: tuple[float, float, float], segment,
                      lo: float = -0.5, hi: float = 1.5) -> list[dict]:
    """hidden_space_figure's four traces: the line's 1 side (a polygon), the line (no points
    when segment is None), the points of class 1 and of class 0 with their texts."""
    h = np.asarray(h, dtype=float)
    w1, w2, b = line
    side = _polygon_data(clip_half_plane(square(lo, hi), w1, w2, b, True))
    texts = _hidden_texts(h, np.asarray(inputs), lo, hi)
    return [side, _segment_data(segment), *_class_points_data(h, targets, texts)]


def hidden_space_figure(h, targets, inputs, line: tuple[float, float, float], segment,
                        labels: Mapping[str, str], lo: float = -0.5,
                        hi: float = 1.5) -> go.Figure:
    """The four inputs mapped to (s1, s2), and the one line (AND's) that now splits them.

    h (4, 2) hidden points, targets (4,), inputs (4, 2) the original points (named in
    each point's text; inputs that land on or near the same hidden point share one label).
    segment: the line's part inside the square, or None (the line's trace has no points).
    labels: s1, s2, side1, line, target0, target1. Live: hidden_space_data(...).
    """
    side, seg, ones, zeros = hidden_space_data(h, targets, inputs, line, segment, lo, hi)
    fig = go.Figure()
    fig.add_trace(go.Scatter(**side, mode="lines", fill="toself", fillcolor=rgba(RED, 0.14),
                             line=dict(width=0), name=labels["side1"], hoverinfo="skip"))
    fig.add_trace(go.Scatter(**seg, mode="lines", line=dict(color=INK, width=3),
                             name=labels["line"]))
    for data, (cls, color, fill, symbol) in zip((ones, zeros), _GATE_CLASSES, strict=True):
        fig.add_trace(go.Scatter(
            **data, mode="markers+text", textposition="bottom center",
            marker=dict(size=16, color=fill, symbol=symbol, line=dict(width=3, color=color)),
            name=labels[f"target{cls}"]))
    _square_axes(fig, lo, hi, labels["s1"], labels["s2"])
    return legend_on_top(fig)  # a side legend would squeeze the square on a phone


# ---------------------------------------------------------------- live training


def epoch_loss_data(steps, losses) -> list[dict]:
    """epoch_loss_figure's one trace: the steps (int32 when whole numbers: 4 bytes a point)
    and the losses, every point as given (a curve that grows keeps its points)."""
    x = np.asarray(steps)
    x = x.astype(np.int32) if x.dtype.kind in "iu" else x.astype(float)
    y = np.asarray(losses, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"{x.size} steps but {y.size} losses")
    return [dict(x=x, y=y)]


def epoch_loss_figure(steps, losses, labels: Mapping[str, str],
                      log_y: bool = True) -> go.Figure:
    """The training loss per epoch or step (the trainer's bounded history, or its epoch
    records), one line. labels: x, y. Live: epoch_loss_data(...)."""
    fig = go.Figure(go.Scatter(**epoch_loss_data(steps, losses)[0], mode="lines",
                               line=dict(color=BLUE, width=2), name=labels["y"]))
    fig.update_xaxes(title=labels["x"], rangemode="tozero")
    if log_y:  # label 1, 2 and 5 of each decade, not every digit
        fig.update_yaxes(type="log", dtick="D2")
    fig.update_yaxes(title=labels["y"])
    fig.update_layout(showlegend=False)
    return fig


def probability_map_data(z, points, targets) -> list[dict]:
    """probability_map_figure's traces: the heatmap's z (float32: half the bytes, plenty for
    a colour), the 0.5 contour's z and whether it is shown (only where y crosses 0.5), the
    points of class 1 and of class 0."""
    z = np.asarray(z, dtype=np.float32)
    crosses = bool(z.size and float(z.min()) < 0.5 < float(z.max()))
    return [dict(z=z), dict(z=z, visible=crosses), *_class_points_data(points, targets)]


def probability_map_figure(xs, ys, z, points, targets, labels: Mapping[str, str]) -> go.Figure:
    """A network's output y over a grid (a heatmap from 0 to 1), its 0.5 contour, and the data.

    xs (nx,), ys (ny,), z (ny, nx) in [0, 1]; points (N, 2), targets (N,) of 0/1.
    labels: x1, x2, z (the colour bar), boundary, target0, target1.
    The contour is hidden (legend entry too) where y does not cross 0.5.
    Live: probability_map_data(z, points, targets).
    """
    heat, contour, ones, zeros = probability_map_data(z, points, targets)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        x=xs, y=ys, **heat, zmin=0, zmax=1,
        colorscale=[[0, rgba(BLUE, palette.REGION_ALPHA)], [0.5, "white"],
                    [1, rgba(RED, palette.REGION_ALPHA)]],
        colorbar=dict(title=dict(text=labels["z"], side="right"), thickness=14),
        hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>y=%{z:.3f}<extra></extra>"))
    fig.add_trace(go.Contour(
        x=xs, y=ys, **contour, contours=dict(start=0.5, end=0.5, size=1, coloring="none"),
        line=dict(color=INK, width=2), showscale=False, name=labels["boundary"],
        showlegend=True, hoverinfo="skip"))
    for data, (cls, color, fill, symbol) in zip((ones, zeros), _GATE_CLASSES, strict=True):
        fig.add_trace(go.Scatter(
            **data, mode="markers", name=labels[f"target{cls}"],
            marker=dict(size=14, color=fill, symbol=symbol, line=dict(width=3, color=color))))
    _square_axes(fig, float(xs[0]), float(xs[-1]), labels["x1"], labels["x2"])
    # the colour bar takes the right side: the legend goes on top
    return legend_on_top(fig)


def class_regions_data(regions, points, classes, k: int) -> list[dict]:
    """class_regions_figure's traces: the regions' z (int8 class indices: one byte a cell),
    then the points of each of the k classes."""
    regions = np.asarray(regions)
    if regions.size and not (regions.min() >= 0 and regions.max() < k <= 127):
        raise ValueError(f"regions must be class indices in 0..{k - 1}")
    points, classes = np.asarray(points, dtype=float), np.asarray(classes)
    return [dict(z=regions.astype(np.int8)),
            *(dict(x=points[classes == i, 0], y=points[classes == i, 1]) for i in range(k))]


def class_regions_figure(xs, ys, regions, points, classes, labels: Mapping[str, str],
                         class_names: Sequence[str]) -> go.Figure:
    """Decision regions (the argmax class over a grid) with the data points on top.

    xs (nx,), ys (ny,), regions (ny, nx) of class indices; points (N, 2), classes (N,).
    labels: x1, x2. class_names: one legend name per class.
    Live: class_regions_data(regions, points, classes, len(class_names)).
    """
    k = len(class_names)
    heat, *groups = class_regions_data(regions, points, classes, k)
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(k)]
    # a stepwise colour scale: class i gets its own light colour over [i, i + 1) / k
    scale = []
    for i, c in enumerate(colors):
        scale += [[i / k, rgba(c, 0.22)], [(i + 1) / k, rgba(c, 0.22)]]
    fig = go.Figure(go.Heatmap(x=np.asarray(xs, dtype=float), y=np.asarray(ys, dtype=float),
                               **heat, zmin=-0.5, zmax=k - 0.5, colorscale=scale,
                               showscale=False, hoverinfo="skip"))
    for i, (c, name, data) in enumerate(zip(colors, class_names, groups, strict=True)):
        fig.add_trace(go.Scatter(**data, mode="markers",
                                 marker=dict(color=c, size=7,
                                             symbol=CLASS_SYMBOLS[i % len(CLASS_SYMBOLS)],
                                             line=dict(width=0.5, color="white")),
                                 name=name))
    fig.update_xaxes(title=labels["x1"], range=[float(xs[0]), float(xs[-1])],
                     constrain="domain", zeroline=False)
    fig.update_yaxes(title=labels["x2"], range=[float(ys[0]), float(ys[-1])], scaleanchor="x",
                     scaleratio=1, constrain="domain", zeroline=False)
    return legend_on_top(fig)  # a side legend would squeeze the square on a phone
