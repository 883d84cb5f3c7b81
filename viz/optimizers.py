"""Figures for the optimizers lesson: paths over a contour map, and loss curves side by side.

Pure functions from what the engine computed (paths, losses) and translated labels to
go.Figure. Each optimizer keeps one colour everywhere (color_of), so a learner can follow
Adam from the map to the loss chart to the MNIST race.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from viz.theme import COLORS

INK = "#222222"
ORDER = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")


def color_of(name: str) -> str:
    """The fixed colour of an optimizer, by its place in ORDER (any other name: grey)."""
    return COLORS[ORDER.index(name)] if name in ORDER else "#7f7f7f"


def smooth(values: Sequence[float], alpha: float = 0.1) -> np.ndarray:
    """Exponential moving average, s_k = (1 − α)·s_{k−1} + α·y_k, s_0 = y_0, for noisy
    mini-batch losses; NaN-free input gives NaN-free output."""
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha!r}")
    y = np.asarray(values, dtype=float)
    out = np.empty_like(y)
    acc = None
    for i, v in enumerate(y):
        acc = v if acc is None else (1 - alpha) * acc + alpha * v
        out[i] = acc
    return out


def race_figure(xs, ys, z, paths: Mapping[str, tuple[Sequence[float], Sequence[float], bool]],
                start: tuple[float, float], minimum: tuple[float, float],
                labels: Mapping[str, str], *, log_scale: bool = False) -> go.Figure:
    """Contours of f over the window, the start, the minimum and one path per optimizer.

    xs (nx,), ys (ny,), z (ny, nx) = f on the grid; paths: name -> (px, py, diverged),
    the points revealed so far. A diverged path ends with a cross where it was last seen.
    With log_scale the contours are of log(1 + f) (f ≥ 0), so a steep valley stays visible.
    labels: x, y, z (colour bar), start, minimum, flew_off.
    """
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    z = np.asarray(z, dtype=float)
    shown = np.log1p(np.maximum(z, 0)) if log_scale else z
    fig = go.Figure()
    fig.add_trace(go.Contour(
        x=xs, y=ys, z=shown.astype(np.float32), ncontours=25, colorscale="Greys",
        reversescale=True, opacity=0.55, line=dict(width=0.6),
        colorbar=dict(title=dict(text=labels["z"], side="right"), thickness=12),
        hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>%{z:.3g}<extra></extra>", showlegend=False))
    for name, (px, py, diverged) in paths.items():
        color = color_of(name)
        px, py = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
        fig.add_trace(go.Scatter(
            x=px, y=py, mode="lines+markers", name=name, legendgroup=name,
            line=dict(color=color, width=2.5), marker=dict(size=5, color=color),
            hovertemplate=f"{name}<br>x=%{{x:.3f}}<br>y=%{{y:.3f}}<extra></extra>"))
        if len(px):
            fig.add_trace(go.Scatter(
                x=px[-1:], y=py[-1:], mode="markers", legendgroup=name, showlegend=False,
                marker=dict(size=16 if diverged else 11, color=color,
                            symbol="x" if diverged else "circle",
                            line=dict(color="white", width=1.5)),
                hovertemplate=(f"{name}: {labels['flew_off']}" if diverged else name)
                + "<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=[start[0]], y=[start[1]], mode="markers", name=labels["start"],
        marker=dict(size=14, color="white", symbol="square", line=dict(color=INK, width=2)),
        hovertemplate=labels["start"] + "<extra></extra>"))
    if all(math.isfinite(v) for v in minimum):
        fig.add_trace(go.Scatter(
            x=[minimum[0]], y=[minimum[1]], mode="markers", name=labels["minimum"],
            marker=dict(size=18, color="gold", symbol="star", line=dict(color=INK, width=1)),
            hovertemplate=labels["minimum"] + "<extra></extra>"))
    fig.update_xaxes(title=labels["x"], range=[xs[0], xs[-1]], showgrid=False, zeroline=False)
    fig.update_yaxes(title=labels["y"], range=[ys[0], ys[-1]], showgrid=False, zeroline=False)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    return fig


def curves_figure(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
                  labels: Mapping[str, str], *, log_y: bool = True,
                  ends: Mapping[str, bool] | None = None, log_x: bool = False,
                  colors: Mapping[str, str] | None = None) -> go.Figure:
    """One line per name: curves name -> (x, y). labels: x, y.

    ends: names whose last point gets a cross (an optimizer that flew off there);
    colors: name -> colour, else the optimizer's own (color_of).
    """
    fig = go.Figure()
    for name, (x, y) in curves.items():
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        color = (colors or {}).get(name) or color_of(name)
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name, legendgroup=name,
                                 line=dict(color=color, width=2)))
        if ends and ends.get(name) and len(x):
            fig.add_trace(go.Scatter(x=x[-1:], y=y[-1:], mode="markers", legendgroup=name,
                                     showlegend=False, hoverinfo="skip",
                                     marker=dict(symbol="x", size=14, color=color)))
    fig.update_xaxes(title=labels["x"], type="log" if log_x else "linear")
    fig.update_yaxes(title=labels["y"])
    if log_y:
        fig.update_yaxes(type="log", exponentformat="power")
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    return fig
