"""What every figure module shares: the palette (viz.palette's), the legend on top, numbers
as text, smoothing.

One copy of each, so a colour or a format changes in one place for every lesson.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.palette import (  # noqa: F401  (re-exported: the modules' and tests' names)
    BLUE,
    DIVERGING,
    GREEN,
    GREY,
    INK,
    MUTED,
    ORANGE,
    PURPLE,
    SERIES,
)
from viz.palette import VERMILLION as RED  # noqa: F401  (class 1, wrong answers)

# Series k gets COLORS[k]: Okabe and Ito's colours, in the order the lessons use them
# (viz.palette). DIVERGING is the app's one sign convention: negative blue, zero white,
# positive red, centred at 0 by the colour axis; a figure coloured by sign says so once
# (sign_key).
COLORS = SERIES

LEGEND_TOP = dict(orientation="h", yanchor="bottom", y=1.02, x=0)
LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.15, x=0)


def legend_on_top(fig: go.Figure) -> go.Figure:
    """One row of legend entries above the plot, left-aligned, out of the data's way."""
    return fig.update_layout(legend=LEGEND_TOP)


def sign_key(fig: go.Figure, label: str) -> go.Figure:
    """State the sign convention once on a figure coloured by DIVERGING: `label` (the
    catalog's viz.sign_key, "red +, blue −", in the learner's language) above its top right
    corner, in small muted text."""
    return fig.add_annotation(text=label, xref="paper", yref="paper", x=1, y=1,
                              xanchor="right", yanchor="bottom", showarrow=False,
                              font=dict(size=12, color=MUTED), name="sign_key")


def rgba(color: str, alpha: float) -> str:
    """'#0072B2', 0.3 -> 'rgba(0,114,178,0.3)'."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def format_number(v: float) -> str:
    """A number as a person writes it: 3190000 -> '3,190,000', 0.19661193 -> '0.1966'.

    Whole numbers get thousands separators; others four significant digits;
    very large or very small ones scientific notation.
    """
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    size = abs(v)
    if size < 1e15 and abs(v - round(v)) <= 1e-9 * max(1.0, size):
        return f"{round(v):,}"
    if size >= 1e15 or size < 1e-4:
        return f"{v:.3e}"
    if size >= 1000:
        return f"{v:,.2f}"
    return f"{v:.4g}"


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
