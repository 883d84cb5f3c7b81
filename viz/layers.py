"""Figures for the layer zoo: matrices drawn at their true shapes, activation curves,
softmax bars, gradient checks. Pure functions of arrays and translated labels.

The central picture is `equation_figure`: every matrix is a heatmap whose cells are
squares, so a block's width and height *are* its shape, and the numbers sit in the
cells. Each edge is coloured by the size it stands for (N, D, H), so in
dX = dY·Wᵀ the eye sees dY's H columns meet Wᵀ's H rows: that is why the
transpose is there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.gradcheck import GradCheckResult
from lessons.layers import (
    CHECK_TOLERANCE,
    ActivationPass,
    AffinePass,
    AxisRule,
    BroadcastDemo,
    ChainRun,
    CheckSummary,
    DxDerivation,
    LossRow,
    MatmulWorked,
    SoftmaxJacobian,
    SoftmaxLoss,
    linear_equations,
    shape_text,
)
from viz import palette
from viz.common import (
    COLORS,
    DIVERGING,
    INK,
    LEGEND_BELOW,
    legend_on_top,
    sign_key,
)

DIM_COLORS = palette.DIMENSIONS
POSITIVE, NEGATIVE = palette.POSITIVE, palette.NEGATIVE  # the sign convention's red and blue
NEUTRAL = palette.NEUTRAL
PLOT_WIDTH = {False: 600, True: 860}  # plotting area (pixels) on a page and on a slide


@dataclass
class Block:
    """A matrix (or vector) in an equation figure.

    values: 2-D array (a vector is passed as one row (1, H) or one column (H, 1)).
    row_dim / col_dim: a letter such as 'N' (coloured edge and 'N = 4' label), or None.
    shape_text: what to print under the name, e.g. '(3,)'; default 'rows×cols'.
    copied: bool mask of values' shape; True cells are drawn faded (broadcast copies).
    dimmed: the whole block faded (a step of the chain that is not the current one).
    """

    name: str
    values: np.ndarray
    row_dim: str | None = None
    col_dim: str | None = None
    shape_text: str | None = None
    copied: np.ndarray | None = None
    dimmed: bool = False
    hidden: bool = False  # drawn as an empty frame with '?' (not computed yet)

    def __post_init__(self) -> None:
        v = np.asarray(self.values, dtype=np.float64)
        if v.ndim == 0:
            v = v.reshape(1, 1)
        elif v.ndim == 1:
            v = v.reshape(1, -1)
        if v.ndim != 2:
            raise ValueError(f"a block is drawn from a 2-D array, got shape {v.shape}")
        self.values = v

    @property
    def rows(self) -> int:
        return self.values.shape[0]

    @property
    def cols(self) -> int:
        return self.values.shape[1]


def _op_px(text: str, slides: bool) -> float:
    """The width in pixels an operator such as '·' or 'W₁, ReLU →' takes."""
    plain = text.replace("<sub>", "").replace("</sub>", "")
    char = 15 if slides else 10
    return char * len(plain) + 3 * char


def number_text(v: float) -> str:
    """A cell's number: at most three significant digits, no trailing zeros."""
    if not np.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if float(v).is_integer() and abs(v) < 1e5:
        return str(int(v))
    return f"{v:.3g}"


def format_vector(v) -> str:
    """'[-3, 0, -2]': a vector's numbers as the cells write them."""
    return "[" + ", ".join(number_text(float(x)) for x in np.asarray(v).ravel()) + "]"


def _label_gap(block: Block, slides: bool) -> float:
    return (32 if slides else 24) if block.row_dim else 6


def _overhead(items: Sequence[Block | str], slides: bool) -> tuple[float, int]:
    """(pixels taken by operators and label gaps, number of cell columns)."""
    fixed, cols = 8.0, 0
    for it in items:
        if isinstance(it, Block):
            fixed += _label_gap(it, slides)
            cols += it.cols
        else:
            fixed += _op_px(it, slides)
    return fixed, cols


def _layout(items: Sequence[Block | str], px: float,
            slides: bool) -> tuple[list[tuple[str, object, float]], float]:
    """Where each item goes along x (in cells, for cells of px pixels), and the total width."""
    x = 0.0
    placed: list[tuple[str, object, float]] = []
    for it in items:
        if isinstance(it, Block):
            x += _label_gap(it, slides) / px  # room for the rotated 'N=4' label
            placed.append(("block", it, x))
            x += it.cols
        else:
            w = _op_px(it, slides) / px
            placed.append(("op", it, x + w / 2))
            x += w
    return placed, x + 8 / px


def cell_size(*equations: Sequence[Block | str], slides: bool = False,
              largest: float = 64.0) -> float:
    """One cell size (pixels) for several equation figures, so that the same matrix
    looks the same in each: the widest figure just fits the page."""
    sizes = []
    for items in equations:
        fixed, cols = _overhead(items, slides)
        sizes.append((PLOT_WIDTH[slides] - fixed) / max(cols, 1))
    return float(np.clip(min(sizes), 6.0, largest))


MARGIN_Y = 30 + 60  # style_figure's top and bottom margins (no title)


def equation_figure(items: Sequence[Block | str], *, slides: bool = False,
                    zmax: float | None = None, show_numbers: bool | None = None,
                    cell_px: float | None = None, sign_label: str | None = None) -> go.Figure:
    """Blocks and operators ('·', '+', '=', '→') laid out left to right, cells square.

    Colours share one diverging scale centred at 0 (|values| up to `zmax`, default
    the largest in the figure). Numbers are written in the cells when the cells are
    big enough (or as `show_numbers` says); hovering a cell always shows its value.
    `cell_px` fixes the size of a cell (see cell_size); by default the figure fills
    the page's width, with cells at most 60 pixels. `sign_label` (the catalog's
    viz.sign_key) states the colours' sign convention above the figure.
    """
    blocks = [it for it in items if isinstance(it, Block)]
    if not blocks:
        raise ValueError("an equation figure needs at least one block")
    if zmax is None:
        finite = [np.abs(b.values[np.isfinite(b.values)]) for b in blocks if not b.hidden]
        zmax = max((float(a.max()) for a in finite if a.size), default=1.0)
    zmax = zmax if zmax > 0 else 1.0

    px = cell_px or cell_size(items, slides=slides)
    placed, x_max = _layout(items, px, slides)
    if show_numbers is None:
        show_numbers = px >= 24
    cell_font = int(np.clip(px * 0.3, 9, 22 if slides else 16))
    label_font = 22 if slides else 14
    op_font = 30 if slides else 22
    max_rows = max(b.rows for b in blocks)
    above = (label_font * 1.5 + 8) / px  # the 'H=3' labels, in cells
    below = (label_font * 2.7 + 10) / px  # name and shape, two lines
    y_lo, y_hi = -max_rows / 2 - above, max_rows / 2 + below

    fig = go.Figure()
    shapes, annotations = [], []
    for kind, it, pos in placed:
        if kind == "op":
            annotations.append(dict(x=pos, y=0, text=it, showarrow=False,
                                    font=dict(size=op_font, color=NEUTRAL)))
            continue
        b: Block = it
        left, top = pos, -b.rows / 2
        right, bottom = left + b.cols, top + b.rows
        text = [[number_text(v) for v in row] for row in b.values]
        if not b.hidden:
            fig.add_trace(go.Heatmap(
                z=b.values, x0=left + 0.5, dx=1, y0=top + 0.5, dy=1,
                coloraxis="coloraxis", xgap=1, ygap=1,
                text=text, texttemplate="%{text}" if show_numbers else None,
                textfont=dict(size=cell_font),
                customdata=[[[i, j] for j in range(b.cols)] for i in range(b.rows)],
                hovertemplate=f"{b.name}[%{{customdata[0]}}, %{{customdata[1]}}] = "
                              "%{text}<extra></extra>",
                name=b.name,
            ))
        else:
            annotations.append(dict(x=(left + right) / 2, y=(top + bottom) / 2, text="?",
                                    showarrow=False, font=dict(size=op_font, color=palette.FAINT)))
        shapes.append(dict(type="rect", x0=left, x1=right, y0=top, y1=bottom,
                           line=dict(color=NEUTRAL, width=1)))
        if b.copied is not None and not b.hidden:
            for i, j in zip(*np.nonzero(np.asarray(b.copied).reshape(b.values.shape)),
                            strict=True):
                shapes.append(dict(type="rect", x0=left + j, x1=left + j + 1, y0=top + i,
                                   y1=top + i + 1, line=dict(width=0),
                                   fillcolor="rgba(255,255,255,0.62)"))
        if b.dimmed:
            shapes.append(dict(type="rect", x0=left, x1=right, y0=top, y1=bottom,
                               line=dict(width=0), fillcolor="rgba(255,255,255,0.7)"))
        if b.col_dim:
            color = DIM_COLORS.get(b.col_dim, NEUTRAL)
            shapes.append(dict(type="line", x0=left, x1=right, y0=top, y1=top,
                               line=dict(color=color, width=5)))
            annotations.append(dict(x=(left + right) / 2, y=top, yshift=4, yanchor="bottom",
                                    text=f"{b.col_dim}={b.cols}", showarrow=False,
                                    font=dict(size=label_font, color=color)))
        if b.row_dim:
            color = DIM_COLORS.get(b.row_dim, NEUTRAL)
            shapes.append(dict(type="line", x0=left, x1=left, y0=top, y1=bottom,
                               line=dict(color=color, width=5)))
            annotations.append(dict(x=left, y=(top + bottom) / 2, xshift=-4, xanchor="right",
                                    text=f"{b.row_dim}={b.rows}", textangle=-90,
                                    showarrow=False, font=dict(size=label_font, color=color)))
        shape_text = b.shape_text or f"{b.rows}×{b.cols}"
        annotations.append(dict(x=(left + right) / 2, y=bottom, yshift=-4, yanchor="top",
                                text=f"<b>{b.name}</b><br>{shape_text}", showarrow=False,
                                font=dict(size=label_font, color=INK)))

    fig.update_layout(
        shapes=shapes, annotations=annotations, showlegend=False,
        coloraxis=dict(colorscale=DIVERGING, cmin=-zmax, cmax=zmax, cmid=0, showscale=False),
        height=round((y_hi - y_lo) * px + MARGIN_Y),
    )
    fig.update_xaxes(range=[0, x_max], visible=False, fixedrange=True)
    fig.update_yaxes(range=[y_hi, y_lo], visible=False, fixedrange=True,
                     scaleanchor="x", scaleratio=1)
    return fig if sign_label is None else sign_key(fig, sign_label)


def affine_figures(p: AffinePass, *, slides: bool = False,
                   sign_label: str | None = None) -> list[go.Figure]:
    """Y = X·W + B, then dX = dY·Wᵀ, dW = Xᵀ·dY and dB = Σ dY: four figures, one cell size."""
    h = f"({p.b.shape[0]},)"
    equations = [
        [Block("X", p.x, "N", "D"), "·", Block("W", p.W, "D", "H"), "+",
         Block("B", p.b, None, "H", shape_text=h), "=", Block("Y", p.y, "N", "H")],
        [Block("dX", p.dx, "N", "D"), "=", Block("dY", p.dy, "N", "H"), "·",
         Block("Wᵀ", p.W.T, "H", "D")],
        [Block("dW", p.dW, "D", "H"), "=", Block("Xᵀ", p.x.T, "D", "N"), "·",
         Block("dY", p.dy, "N", "H")],
        [Block("dB", p.db, None, "H", shape_text=h), "=", "Σ<sub>N</sub>",
         Block("dY", p.dy, "N", "H")],
    ]
    px = cell_size(*equations, slides=slides)
    return [equation_figure(items, slides=slides, cell_px=px, sign_label=sign_label)
            for items in equations]


def _column(name: str, v: np.ndarray, **kw) -> Block:
    return Block(name, np.asarray(v).reshape(-1, 1), **kw)


def chain_figures(run: ChainRun, k: int, act_label: str, *, slides: bool = False,
                  sign_label: str | None = None) -> tuple[go.Figure, go.Figure, go.Figure]:
    """The chain at step k (1-based): the whole flow X → L1 → L2 → Y with the later
    values hidden, step k as W_k·v, and the collapsed product W3·W2·W1·X = Y.
    `act_label` names the activation on the arrows (when run.activation is set)."""
    x, steps, act = run.x, run.steps, run.activation
    last = len(steps)
    names = ["X", *(s.name for s in steps)]
    flow = [_column("X", x, shape_text=f"({len(x)},)", dimmed=k > 1)]
    for i, s in enumerate(steps, start=1):
        arrow = f"W<sub>{i}</sub>" + (f", {act_label}" if act and i < last else "") + " →"
        flow += [arrow, _column(names[i], s.out, shape_text=f"({len(s.out)},)",
                                hidden=i > k, dimmed=i < k - 1)]
    s = steps[k - 1]
    step = [Block(f"W{k}", s.W), "·", _column(names[k - 1], s.x_in), "="]
    if act and k < last:
        step += [_column(f"W{k}·{names[k - 1]}", s.pre_activation), f"{act_label} →",
                 _column(names[k], s.out)]
    else:
        step += [_column(names[k], s.out)]
    collapsed = [Block("W₃W₂W₁", run.product), "·", _column("X", x), "=",
                 _column("Y", run.direct)]
    px = cell_size(flow, step, collapsed, slides=slides)
    key = dict(slides=slides, cell_px=px, sign_label=sign_label)
    return (equation_figure(flow, zmax=run.zmax, **key),
            equation_figure(step, zmax=run.zmax, **key), equation_figure(collapsed, **key))


def _flat(name: str, values: np.ndarray, copied=None, shape: str | None = None) -> Block:
    """A block of a broadcasting figure: 0-d and 1-d arrays drawn as one row."""
    v = values if values.ndim == 2 else values.reshape(1, -1)
    c = None if copied is None else (copied if copied.ndim == 2 else copied.reshape(1, -1))
    return Block(name, v, copied=c, shape_text=shape)


def broadcast_figure(demo: BroadcastDemo, *, slides: bool = False,
                     sign_label: str | None = None) -> go.Figure:
    """A op B = result (2-D at most), each operand stretched to the result's shape with the
    cells numpy copied drawn faded."""
    out = shape_text(demo.result.shape)
    return equation_figure([
        _flat("A", demo.a_stretched, demo.a_copied, f"{shape_text(demo.a.shape)} → {out}"),
        demo.op,
        _flat("B", demo.b_stretched, demo.b_copied, f"{shape_text(demo.b.shape)} → {out}"),
        "=", _flat(f"A {demo.op} B", demo.result, shape=out),
    ], slides=slides, sign_label=sign_label)


def broadcast_failed_figure(a: np.ndarray, b: np.ndarray, op: str, *, slides: bool = False,
                            sign_label: str | None = None) -> go.Figure:
    """A op B = ✗: two operands (2-D at most) that do not broadcast."""
    return equation_figure([_flat("A", a), op, _flat("B", b), "= ✗"], slides=slides,
                           sign_label=sign_label)


def activation_figure(xs, ys, dys, points_x, points_y, *, f_label: str, df_label: str,
                      points_label: str, x_title: str) -> go.Figure:
    """An activation's curve, its derivative (dashed), and the learner's inputs on the curve."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f_label,
                             line=dict(color=palette.FUNCTION, width=3)))
    fig.add_trace(go.Scatter(x=xs, y=dys, mode="lines", name=df_label,
                             line=dict(color=palette.DERIVATIVE, width=3, dash="dash")))
    fig.add_trace(go.Scatter(x=points_x, y=points_y, mode="markers", name=points_label,
                             marker=dict(color=palette.INPUTS, size=12,
                                         line=dict(color="white", width=2))))
    fig.update_xaxes(title_text=x_title, zeroline=True, zerolinecolor=palette.LIGHT)
    fig.update_yaxes(zeroline=True, zerolinecolor=palette.LIGHT)
    fig.update_layout(hovermode="x unified")
    return legend_on_top(fig)


def softmax_figure(classes: Sequence[str], logits, probs, target, grad, *,
                   titles: Sequence[str], prob_label: str, target_label: str,
                   sign_label: str | None = None) -> go.Figure:
    """Three panels: the logits a, softmax y beside the one-hot target t, the gradient
    (red where it is positive, blue where negative: the app's sign convention, stated by
    `sign_label`)."""
    logits, probs, target, grad = (np.asarray(v, dtype=np.float64).ravel()
                                   for v in (logits, probs, target, grad))
    fig = make_subplots(rows=1, cols=3, subplot_titles=list(titles), horizontal_spacing=0.1)
    classes = list(classes)
    fig.add_trace(go.Bar(x=classes, y=logits, marker_color=COLORS[4], showlegend=False,
                         text=[number_text(v) for v in logits], textposition="outside"),
                  row=1, col=1)
    fig.add_trace(go.Bar(x=classes, y=probs, name=prob_label, marker_color=COLORS[0],
                         text=[f"{v:.2f}" for v in probs], textposition="outside"),
                  row=1, col=2)
    fig.add_trace(go.Bar(x=classes, y=target, name=target_label,
                         marker=dict(color=palette.TRANSPARENT, line=dict(color=INK, width=2))),
                  row=1, col=2)
    fig.add_trace(go.Bar(x=classes, y=grad, showlegend=False,
                         marker_color=[POSITIVE if v > 0 else NEGATIVE for v in grad],
                         text=[f"{v:.2f}" for v in grad], textposition="outside"),
                  row=1, col=3)
    lo = min(0.0, float(logits.min())) * 1.25
    hi = max(0.0, float(logits.max())) * 1.25
    fig.update_yaxes(range=[lo - 0.5, hi + 0.5], row=1, col=1)
    fig.update_yaxes(range=[0, 1.2], row=1, col=2)
    fig.update_yaxes(range=[-1.25, 1.25], row=1, col=3)
    fig.update_traces(constraintext="none", cliponaxis=False)  # labels keep the theme's size
    fig.update_annotations(font_size=None)  # panel titles too (make_subplots fixes them at 16)
    fig.update_layout(barmode="group", legend=dict(LEGEND_BELOW, x=0.5, xanchor="center"))
    if sign_label is not None:  # on the legend's row, at the right: the panel titles are on top
        sign_key(fig, sign_label).update_annotations(
            selector=dict(name="sign_key"), y=LEGEND_BELOW["y"], yanchor="top")
    return fig


def gradcheck_figure(names: Sequence[str], backprop: Sequence, numerical: Sequence, *,
                     x_title: str, y_title: str) -> go.Figure:
    """Every gradient entry as a point (backprop, numerical): on the diagonal when they agree.
    Each parameter in its colour and marker symbol."""
    fig = go.Figure()
    lo, hi = 0.0, 0.0
    for i, (name, a, n) in enumerate(zip(names, backprop, numerical, strict=True)):
        a, n = np.asarray(a).ravel(), np.asarray(n).ravel()
        if a.size:
            lo, hi = min(lo, a.min(), n.min()), max(hi, a.max(), n.max())
        fig.add_trace(go.Scatter(x=a, y=n, mode="markers", name=name,
                                 marker=dict(size=10, color=COLORS[i % len(COLORS)],
                                             symbol=palette.SERIES_SYMBOLS[
                                                 i % len(palette.SERIES_SYMBOLS)],
                                             line=dict(color="white", width=1))))
    pad = 0.05 * (hi - lo or 1.0)
    fig.add_trace(go.Scatter(x=[lo - pad, hi + pad], y=[lo - pad, hi + pad], mode="lines",
                             line=dict(color=palette.FAINT, dash="dot"), showlegend=False,
                             hoverinfo="skip"))
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, scaleanchor="x", scaleratio=1)
    return legend_on_top(fig)


def timing_figure(layers: Sequence[str], backprop_ms, numerical_ms, *, backprop_label: str,
                  numerical_label: str, x_title: str) -> go.Figure:
    """Time per gradient, backprop against central differences, on a log axis."""
    fig = go.Figure()
    fig.add_trace(go.Bar(y=list(layers), x=list(backprop_ms), name=backprop_label,
                         orientation="h", marker_color=palette.PAIR[0]))
    fig.add_trace(go.Bar(y=list(layers), x=list(numerical_ms), name=numerical_label,
                         orientation="h", marker_color=palette.PAIR[1]))
    fig.update_xaxes(type="log", title_text=x_title, dtick=1)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="group")
    return legend_on_top(fig)


# --- formulas (LaTeX strings for st.latex) ----------------------------------------------------

def latex_number(v: float) -> str:
    return number_text(float(v))


def latex_matrix(a) -> str:
    """A bmatrix of the numbers in `a` (a vector is written as a column)."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    rows = [" & ".join(latex_number(v) for v in row) for row in a]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def latex_row_vector(a) -> str:
    a = np.asarray(a, dtype=np.float64).ravel()
    return r"\begin{bmatrix} " + " & ".join(latex_number(v) for v in a) + r" \end{bmatrix}"


def substituted_row(coefs, values) -> str:
    """One row of W·v with the numbers put in: '2\\cdot 0 + 2\\cdot 0 - 1\\cdot 1'.

    Zero coefficients are left out, as in lessons.layers.linear_equations; a negative
    value is put in parentheses.
    """
    terms = []
    for c, v in zip(np.asarray(coefs, float), np.asarray(values, float), strict=True):
        if c == 0:
            continue
        value = latex_number(v) if v >= 0 else f"({latex_number(v)})"
        sign = "-" if c < 0 else "+"
        terms.append((sign, f"{latex_number(abs(c))}\\cdot {value}"))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    return ("-" if first_sign == "-" else "") + first + "".join(f" {s} {t}" for s, t in terms[1:])


def worked_equations(equations: Sequence[str], W, x, out) -> list[str]:
    """Each 'L_{10} = 2X_0 + ...' line followed by its numbers and result."""
    W = np.asarray(W, dtype=np.float64)
    lines = []
    for eq, row, value in zip(equations, W, np.asarray(out, float).ravel(), strict=True):
        lines.append(f"{eq} = {substituted_row(row, x)} = {latex_number(value)}")
    return lines


def latex_names(prefix: str, count: int) -> list[str]:
    """X_0, X_1, ... or L_{10}, L_{11}, ... (the seed's names)."""
    if prefix in ("X", "Y"):
        return [f"{prefix}_{{{i}}}" for i in range(count)]
    return [f"{prefix[0]}_{{{prefix[1:]}{i}}}" for i in range(count)]


def aligned(lines: Sequence[str]) -> str:
    """Equations lined up at their first '='."""
    body = r" \\ ".join(line.replace(" = ", " &= ", 1) for line in lines)
    return r"\begin{aligned} " + body + r" \end{aligned}"


def chain_equations(run: ChainRun) -> list[list[str]]:
    """Each step's rows as equations in LaTeX names: 'L_{10} = 2X_{0} + 2X_{1} - X_{2}'."""
    names = ["X", *(s.name for s in run.steps)]
    return [linear_equations(s.W, latex_names(names[k], len(s.x_in)),
                             latex_names(names[k + 1], len(s.pre_activation)))
            for k, s in enumerate(run.steps)]


def collapse_latex(run: ChainRun) -> str:
    """Y = W3 W2 W1 X with the product's numbers."""
    return ("Y = W_3 W_2 W_1 X = " + latex_matrix(run.product) + latex_matrix(run.x) + " = "
            + latex_matrix(run.direct))


def affine_sample_latex(p: AffinePass) -> str:
    """The first sample through the layer: x_0·W + B = y_0, with the numbers."""
    return (r"\begin{aligned} x_0 \cdot W + B &= " + latex_row_vector(p.x[0]) + r" \cdot "
            + latex_matrix(p.W) + " + " + latex_row_vector(p.b) + r" \\ &= "
            + latex_row_vector(p.y[0]) + r" \end{aligned}")


def _paren(v: float, fmt=latex_number) -> str:
    """A number in a sum: negative ones in parentheses."""
    return fmt(v) if v >= 0 else f"({fmt(v)})"


def fixed(v: float, digits: int = 3) -> str:
    """A number with `digits` decimals, without a minus sign on zero."""
    text = f"{float(v):.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def fixed_matrix(a, digits: int = 3) -> str:
    """latex_matrix with `digits` decimals (a vector as a row)."""
    a = np.asarray(a, dtype=np.float64)
    a = a.reshape(1, -1) if a.ndim == 1 else a
    rows = [" & ".join(fixed(v, digits) for v in row) for row in a]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def matmul_latex(m: MatmulWorked) -> str:
    """A·B = (each entry as its row·column sum) = C, with the numbers, one step a line."""
    sums = [[" + ".join(f"{_paren(a)}\\cdot {_paren(b)}" for a, b in entry) for entry in row]
            for row in m.terms]
    middle = r"\begin{bmatrix} " + r" \\ ".join(" & ".join(row) for row in sums) + \
        r" \end{bmatrix}"
    return (r"\begin{aligned} " + latex_matrix(m.A) + latex_matrix(m.B) + " &= " + middle
            + r" \\ &= " + latex_matrix(m.C) + r" \end{aligned}")


def matmul_entries_latex(m: MatmulWorked) -> list[str]:
    """One line per entry, counted from 1 as the notes do: C_{11} = 1·5 + 2·7 = 19."""
    lines = []
    for i, row in enumerate(m.terms):
        for j, entry in enumerate(row):
            terms = " + ".join(f"{_paren(a)}\\cdot {_paren(b)}" for a, b in entry)
            lines.append(f"C_{{{i + 1}{j + 1}}} = {terms} = {latex_number(m.C[i, j])}")
    return lines


def dx_derivation_latex(d: DxDerivation) -> list[str]:
    """∂L/∂x_i = Σ_j ∂L/∂y_j·W_ij written out for i = 1, 2, then with the numbers: two lines
    for each i (the second begins with ' = ', for aligned)."""
    lines = []
    for i, row in enumerate(d.terms, start=1):
        symbols = " + ".join(rf"\frac{{\partial L}}{{\partial y_{j}}} W_{{{i}{j}}}"
                             for j in range(1, len(row) + 1))
        numbers = " + ".join(f"{_paren(g)}\\cdot {_paren(w)}" for g, w in row)
        lines.append(rf"\frac{{\partial L}}{{\partial x_{i}}} = {symbols}")
        lines.append(f" = {numbers} = {latex_number(d.dx[i - 1])}")
    return lines


def dx_values_latex(d: DxDerivation) -> str:
    """The sample's x and ∂L/∂y, then W."""
    return (r"\begin{aligned} x &= " + latex_row_vector(d.x)
            + r" \qquad \frac{\partial L}{\partial y} = " + latex_row_vector(d.dy)
            + r" \\ W &= " + latex_matrix(d.W) + r" \end{aligned}")


def dx_matrix_latex(d: DxDerivation) -> str:
    """The same two sums as one product: [∂L/∂x₁ ∂L/∂x₂] = [∂L/∂y₁ ∂L/∂y₂]·Wᵀ."""
    symbols = (r"\begin{bmatrix} \frac{\partial L}{\partial x_1} & "
               r"\frac{\partial L}{\partial x_2} \end{bmatrix} &= \begin{bmatrix} "
               r"\frac{\partial L}{\partial y_1} & \frac{\partial L}{\partial y_2} "
               r"\end{bmatrix} \begin{bmatrix} W_{11} & W_{21} \\ W_{12} & W_{22} "
               r"\end{bmatrix} \\ &= \frac{\partial L}{\partial y} W^{\mathsf T}")
    numbers = (latex_row_vector(d.matrix) + " &= " + latex_row_vector(d.dy)
               + latex_matrix(d.W.T))
    return r"\begin{aligned} " + symbols + r" \\ " + numbers + r" \end{aligned}"


def jacobian_latex(j: SoftmaxJacobian) -> str:
    """J = diag(y) − y yᵀ with the numbers of these scores, one step a line."""
    return (r"\begin{aligned} J &= \operatorname{diag}(y) - y\,y^{\mathsf T} \\ &= "
            + fixed_matrix(np.diag(j.y)) + " - " + fixed_matrix(j.y.reshape(-1, 1))
            + fixed_matrix(j.y) + r" \\ &= " + fixed_matrix(j.J) + r" \end{aligned}")


def jacobian_backward_latex(j: SoftmaxJacobian) -> str:
    """Jᵀ·(−t/y) = y − t, with the numbers."""
    return (r"\begin{aligned} \frac{\partial L}{\partial y} &= -\frac{t}{y} = "
            + fixed_matrix(j.dL_dy) + r" \\ \frac{\partial L}{\partial a} &= "
            r"J^{\mathsf T} \frac{\partial L}{\partial y} = " + fixed_matrix(j.dL_da)
            + r" \\ y - t &= " + fixed_matrix(j.y) + " - " + fixed_matrix(j.t, 0) + " = "
            + fixed_matrix(j.y_minus_t) + r" \end{aligned}")


AFFINE_LATEX = r"Y = X \cdot W + B \qquad (N\times D)\cdot(D\times H) + (H,) = (N\times H)"
AFFINE_BACKWARD_LATEX = (r"dX = dY \cdot W^{\mathsf T} \qquad dW = X^{\mathsf T} \cdot dY \qquad "
                         r"dB = \textstyle\sum_{n} dY_{n}")
SOFTMAX_LOSS_LATEX = (r"y_k = \frac{e^{a_k}}{\sum_{j} e^{a_j}} \qquad "
                      r"L = -\frac{1}{N}\sum_{n}\sum_{k} t_{nk} \log y_{nk} \qquad "
                      r"\frac{\partial L}{\partial a} = \frac{y - t}{N}")
SQUARED_ERROR_LATEX = (r"E = \frac{1}{2N}\sum_{n} \lVert y_n - t_n \rVert^2 \qquad "
                       r"\frac{\partial E}{\partial y} = \frac{y - t}{N} \qquad "
                       r"\frac{\partial E}{\partial a} = J^{\mathsf T} \frac{y - t}{N}")
LOSSES_LATEX = (  # seed 003's three losses, for one sample of K outputs, in y and t
    r"\mathrm{MSE} = \frac{1}{K}\sum_{k=1}^{K} (y_k - t_k)^2",
    r"\mathrm{BCE} = -\frac{1}{K}\sum_{k=1}^{K} \big[t_k \log y_k + (1 - t_k)\log(1 - y_k)"
    r"\big]",
    r"\mathrm{CE} = -\sum_{k=1}^{K} t_k \log y_k",
)
SOFTMAX_JACOBIAN_LATEX = (r"J_{ij} = \frac{\partial y_i}{\partial a_j} = y_i(\delta_{ij} - y_j)"
                          r"\qquad \sum_i \Big(-\frac{t_i}{y_i}\Big) y_i(\delta_{ij} - y_j)"
                          r" = -t_j + y_j \sum_i t_i = y_j - t_j")
DX_DERIVATION_LATEX = (r"y_j = x_1 W_{1j} + x_2 W_{2j} + b_j \;\Rightarrow\; "
                       r"\frac{\partial y_j}{\partial x_i} = W_{ij} \qquad "
                       r"\frac{\partial L}{\partial x_i} = \sum_j "
                       r"\frac{\partial L}{\partial y_j}\frac{\partial y_j}{\partial x_i} = "
                       r"\sum_j \frac{\partial L}{\partial y_j} W_{ij}")
GRADCHECK_LATEX = (r"\frac{\partial L}{\partial x_i} \approx \frac{L(x_i + h) - L(x_i - h)}{2h}"
                   r"\qquad \mathrm{rel\,error} = \frac{\max |g_{\mathrm{backprop}} - "
                   r"g_{\mathrm{numerical}}|}{\max (|g_{\mathrm{backprop}}| + "
                   r"|g_{\mathrm{numerical}}|)}")
ACTIVATION_LATEX = {  # name -> (the function, its derivative and backward)
    "step": (r"h(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
             r"h'(x) = 0 \ (x \ne 0) \qquad dx = dout \cdot 0"),
    "sigmoid": (r"y = \frac{1}{1 + e^{-x}}",
                r"\frac{\partial y}{\partial x} = y(1 - y) \qquad dx = dout \cdot y(1 - y)"),
    "tanh": (r"y = \tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1",
             r"\frac{\partial y}{\partial x} = 1 - y^2 \qquad dx = dout \cdot (1 - y^2)"),
    "relu": (r"y = \max(0, x)",
             r"\frac{\partial y}{\partial x} = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 "
             r"\end{cases} \qquad dx = dout \cdot \mathrm{mask}"),
}


# --- tables (frames for st.dataframe), their headers in the learner's language ----------------

def activation_table(p: ActivationPass, local_label: str) -> pd.DataFrame:
    """Rows x, y, the local gradient dy/dx, dout and dx; a column per input."""
    frame = pd.DataFrame({"x": p.x, "y": p.y, local_label: p.local, "dout": p.dout,
                          "dx": p.dx}).T
    frame.columns = [f"{i}" for i in range(frame.shape[1])]
    return frame


def loss_table(r: SoftmaxLoss, classes: Sequence[str], headers: Sequence[str]) -> pd.DataFrame:
    """A row per class of the first sample; headers name its score, probability, target, the
    gradient of softmax with loss (with respect to the scores), and squared error's gradient
    with respect to the probabilities and, through the softmax Jacobian, to the scores."""
    columns = (r.a[0], r.y[0], r.onehot[0], r.da[0], r.dy[0], r.se_da[0])
    return pd.DataFrame(dict(zip(headers, columns, strict=True)), index=list(classes))


def losses_table(rows: Sequence[LossRow], names: Mapping[str, str], value_header: str,
                 grad_headers: Sequence[str]) -> pd.DataFrame:
    """A row per loss (named by `names`): its value, then ∂L/∂a for each score."""
    return pd.DataFrame([[r.value, *r.da] for r in rows], columns=[value_header, *grad_headers],
                        index=[names[r.name] for r in rows])


def rule_table(rules: Sequence[AxisRule], headers: Sequence[str],
               how: Mapping[str, str]) -> pd.DataFrame:
    """The broadcasting rule, an axis a row; headers name the axis, the result's size and the
    rule (`how` words each AxisRule.how)."""
    axis, out, rule = headers
    return pd.DataFrame({
        axis: [r.axis for r in rules],
        "A": ["–" if r.a is None else str(r.a) for r in rules],
        "B": ["–" if r.b is None else str(r.b) for r in rules],
        out: ["✗" if r.out is None else str(r.out) for r in rules],
        rule: [how[r.how] for r in rules]})


def check_table(names: Sequence[str], result: GradCheckResult,
                headers: Sequence[str]) -> pd.DataFrame:
    """A row per checked array: its name, shape, relative error and a ✓ below the tolerance."""
    array, shape, error, ok = headers
    return pd.DataFrame({
        array: list(names),
        shape: [shape_text(c.backprop.shape) for c in result.checks],
        error: [c.rel_error for c in result.checks],
        ok: ["✓" if c.rel_error < CHECK_TOLERANCE else "✗" for c in result.checks]})


def summary_table(rows: Sequence[CheckSummary], labels: Mapping[str, str],
                  headers: Sequence[str], skipped: str) -> pd.DataFrame:
    """A row per layer: relative error, ✓/✗, backprop and numerical times in ms, and
    `skipped` where the layer could not be checked at these sizes."""
    layer, error, ok, backprop, numerical, note = headers
    return pd.DataFrame({
        layer: [labels[r.name] for r in rows],
        error: [r.max_rel_error for r in rows],
        ok: ["✓" if r.passed else "✗" for r in rows],
        backprop: [r.backprop_seconds * 1e3 for r in rows],
        numerical: [r.numerical_seconds * 1e3 for r in rows],
        note: [skipped if r.error else "" for r in rows]})
