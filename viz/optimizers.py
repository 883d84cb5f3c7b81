"""Figures for the optimizers lesson: paths over a contour map, and loss curves side by side.

Pure functions from what the engine computed (paths, losses) and translated labels to
go.Figure. Each optimizer keeps one colour, dash and marker symbol everywhere (color_of,
dash_of, symbol_of), so a learner can follow Adam from the map to the loss chart to the MNIST
race, and tell the lines apart without their colours.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from viz import palette
from viz.common import GREY, INK, legend_on_top

ORDER = palette.OPTIMIZER_NAMES
# Batch (B = N), stochastic (B = 1) and mini-batch descent, by lessons.optimizers.BATCH_SIZES
BATCH_COLORS = palette.BATCHES
BATCH_DASHES = palette.BATCH_DASHES


def color_of(name: str) -> str:
    """The fixed colour of an optimizer, by its place in ORDER (any other name: grey)."""
    return palette.OPTIMIZERS.get(name, GREY)


def dash_of(name: str) -> str:
    """The fixed line dash of an optimizer (any other name: solid)."""
    return palette.OPTIMIZER_DASHES.get(name, "solid")


def symbol_of(name: str) -> str:
    """The fixed marker symbol of an optimizer (any other name: a circle)."""
    return palette.OPTIMIZER_SYMBOLS.get(name, "circle")


def _xs(values) -> np.ndarray:
    """Steps as int32 (whole numbers, 4 bytes a point), anything else as float64."""
    a = np.asarray(values)
    return a.astype(np.int32) if a.dtype.kind in "iu" else a.astype(np.float64)


def race_data(xs, ys, z, paths: Mapping[str, tuple[Sequence[float], Sequence[float], bool]],
              start: tuple[float, float], minimum: tuple[float, float],
              labels: Mapping[str, str], *, log_scale: bool = False) -> list[dict]:
    """The data of race_figure's traces, in its order (same arguments): the contours (x, y,
    z); per optimizer its path (x, y: the points revealed so far, so a later call's arrays
    start with an earlier call's); where each optimizer is now, all in one trace (x, y, and
    per point its colour, its look, a cross once it flew off, and its hover text), so that
    a tick moves them all at once; then the start and the minimum."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    z = np.asarray(z, dtype=float)
    shown = np.log1p(np.maximum(z, 0)) if log_scale else z
    data = [dict(x=xs, y=ys, z=shown.astype(np.float32))]
    now = []  # (name, x, y, flew off) of each optimizer with a point
    for name, (px, py, diverged) in paths.items():
        px, py = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
        data.append(dict(x=px, y=py))
        if len(px):
            now.append((name, px[-1], py[-1], bool(diverged)))
    data.append({"x": np.array([p[1] for p in now], dtype=float),
                 "y": np.array([p[2] for p in now], dtype=float),
                 "marker.color": [color_of(p[0]) for p in now],
                 "marker.symbol": ["x" if p[3] else "circle" for p in now],
                 "marker.size": [16 if p[3] else 11 for p in now],
                 "text": [f"{p[0]}: {labels['flew_off']}" if p[3] else p[0] for p in now]})
    data.append(dict(x=[float(start[0])], y=[float(start[1])]))
    if all(math.isfinite(v) for v in minimum):
        data.append(dict(x=[float(minimum[0])], y=[float(minimum[1])]))
    return data


def _trace(data: Mapping, **style) -> go.Scatter:
    """A scatter trace of `style` holding `data` (whose keys may be paths: 'marker.size')."""
    trace = go.Scatter(**style)
    trace.update(data)
    return trace


def race_figure(xs, ys, z, paths: Mapping[str, tuple[Sequence[float], Sequence[float], bool]],
                start: tuple[float, float], minimum: tuple[float, float],
                labels: Mapping[str, str], *, log_scale: bool = False) -> go.Figure:
    """Contours of f over the window, the start, the minimum and one path per optimizer,
    with a dot where each is now (on top of every path).

    xs (nx,), ys (ny,), z (ny, nx) = f on the grid; paths: name -> (px, py, diverged),
    the points revealed so far. A diverged path ends with a cross where it was last seen.
    With log_scale the contours are of log(1 + f) (f ≥ 0), so a steep valley stays visible.
    labels: x, y, z (colour bar), start, minimum, flew_off. Live: race_data(...), the same
    arguments.
    """
    data = iter(race_data(xs, ys, z, paths, start, minimum, labels, log_scale=log_scale))
    fig = go.Figure()
    fig.add_trace(go.Contour(
        **next(data), ncontours=25, colorscale="Greys",
        reversescale=True, opacity=0.55, line=dict(width=0.6),
        colorbar=dict(title=dict(text=labels["z"], side="right"), thickness=12),
        hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>%{z:.3g}<extra></extra>", showlegend=False))
    for name in paths:
        color = color_of(name)
        fig.add_trace(_trace(
            next(data), mode="lines+markers", name=name, legendgroup=name,
            line=dict(color=color, width=2.5, dash=dash_of(name)),
            marker=dict(size=6, color=color, symbol=symbol_of(name)),
            hovertemplate=f"{name}<br>x=%{{x:.3f}}<br>y=%{{y:.3f}}<extra></extra>"))
    fig.add_trace(_trace(next(data), mode="markers", showlegend=False,
                         marker=dict(line=dict(color="white", width=1.5)),
                         hovertemplate="%{text}<extra></extra>"))
    fig.add_trace(_trace(
        next(data), mode="markers", name=labels["start"],
        marker=dict(size=14, color="white", symbol="square", line=dict(color=INK, width=2)),
        hovertemplate=labels["start"] + "<extra></extra>"))
    if all(math.isfinite(v) for v in minimum):
        fig.add_trace(_trace(
            next(data), mode="markers", name=labels["minimum"],
            marker=dict(size=18, color=palette.MINIMUM, symbol="star",
                        line=dict(color=INK, width=1)),
            hovertemplate=labels["minimum"] + "<extra></extra>"))
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    fig.update_xaxes(title=labels["x"], range=[xs[0], xs[-1]], showgrid=False, zeroline=False)
    fig.update_yaxes(title=labels["y"], range=[ys[0], ys[-1]], showgrid=False, zeroline=False)
    return legend_on_top(fig)


def curves_data(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                ends: Mapping[str, bool] | None = None) -> list[dict]:
    """The data of curves_figure's traces, in its order: per name its line (x, y as given,
    whole steps as int32), then, for a name in `ends`, its cross: the last point when
    ends[name] is true, else empty (so that the traces stay the same while a race runs)."""
    data = []
    for name, (x, y) in curves.items():
        x, y = _xs(x), np.asarray(y, dtype=float)
        data.append(dict(x=x, y=y))
        if ends is not None and name in ends:
            last = slice(-1, None) if ends[name] and len(x) else slice(0, 0)
            data.append(dict(x=x[last], y=y[last]))
    return data


def curves_figure(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
                  labels: Mapping[str, str], *, log_y: bool = True,
                  ends: Mapping[str, bool] | None = None, log_x: bool = False,
                  colors: Mapping[str, str] | None = None,
                  dashes: Mapping[str, str] | None = None) -> go.Figure:
    """One line per name: curves name -> (x, y). labels: x, y.

    ends: names whose last point gets a cross when true (an optimizer that flew off there);
    colors, dashes: name -> colour, line dash; else the optimizer's own (color_of, dash_of).
    Live: curves_data(curves, ends=ends).
    """
    data = iter(curves_data(curves, ends=ends))
    fig = go.Figure()
    for name in curves:
        color = (colors or {}).get(name) or color_of(name)
        dash = (dashes or {}).get(name) or dash_of(name)
        fig.add_trace(go.Scatter(**next(data), mode="lines", name=name, legendgroup=name,
                                 line=dict(color=color, width=2, dash=dash)))
        if ends is not None and name in ends:
            fig.add_trace(go.Scatter(**next(data), mode="markers", legendgroup=name,
                                     showlegend=False, hoverinfo="skip",
                                     marker=dict(symbol="x", size=14, color=color)))
    fig.update_xaxes(title=labels["x"], type="log" if log_x else "linear")
    fig.update_yaxes(title=labels["y"])
    if log_y:
        fig.update_yaxes(type="log", exponentformat="power")
    return legend_on_top(fig)


def batch_figures(runs: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float]]],
                  labels: Mapping[str, str]) -> tuple[go.Figure, go.Figure]:
    """Batch, stochastic and mini-batch descent: the loss against the samples seen, and
    against the updates made (log axis, the start drawn at 1 update).

    runs: kind ('full', 'sgd', 'mini') -> (samples, updates, loss), one point per epoch;
    labels: full, sgd, mini (the legend), samples, updates, loss (the axes).
    """
    colors = {labels[k]: BATCH_COLORS[k] for k in runs}
    dashes = {labels[k]: BATCH_DASHES[k] for k in runs}
    by_samples = {labels[k]: (samples, loss) for k, (samples, _, loss) in runs.items()}
    by_updates = {labels[k]: (np.maximum(np.asarray(updates, dtype=float), 1), loss)
                  for k, (_, updates, loss) in runs.items()}
    return (curves_figure(by_samples, {"x": labels["samples"], "y": labels["loss"]},
                          colors=colors, dashes=dashes),
            curves_figure(by_updates, {"x": labels["updates"], "y": labels["loss"]},
                          colors=colors, dashes=dashes, log_x=True))
