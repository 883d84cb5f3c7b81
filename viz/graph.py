"""Computational graphs as Graphviz DOT text, drawn from the engine's own Graph objects.

`graph_dot(graph, steps, upto)` lays the graph out left to right (top to bottom when
it is longer than `max_columns`). Every node shows
its op symbol (×, +, exp, /, …) or its name, and its value; every edge shows the
forward value on it (dark) and, once backward has passed it, its gradient (red).
With `upto` = k, the first k steps of `Graph.backward_steps()` are done and the
k-th node is highlighted: its input edges read upstream × local = downstream.

Pure functions: an engine Graph (and BackwardSteps) in, text or a figure out. No
Streamlit here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from engine.autograd import BackwardStep, Edge, Graph, Node
from viz.common import DIVERGING, INK, MUTED, format_number, sign_key
from viz.palette import CURRENT, CURRENT_FILL, DONE_FILL, GRAD, INPUT_FILL

MAX_EDGE_ELEMENTS = 16  # arrays up to this many numbers are written out on an edge
# (names, values and edge labels, one-character symbols such as × + /), on screen and on slides
FONT_SIZES = {False: (13, 11, 22), True: (18, 16, 28)}
OPERATOR_GAP = 1.2  # cells of room for a · or = between two matrices
NODE_MARGIN = (0.14, 0.06)  # inches of room around a node's label, across and down
# Graphviz (in the browser too) measures a Hangul syllable as about half as wide as it is
# drawn: each one on a label's widest line gets this many ems of extra room.
HANGUL_EXTRA_EM = 0.6
_HANGUL = re.compile("[\uac00-\ud7a3\u3131-\u318e]")


# ---------------------------------------------------------------- numbers as text


def _plain(v: float) -> str:
    """A number inside a matrix: no thousands separators (they look like commas)."""
    return format_number(v).replace(",", "")


def format_shape(shape: tuple[int, ...]) -> str:
    """(2, 3) -> '2×3', (3,) -> '3'."""
    return "×".join(str(n) for n in shape)


def format_value(a, *, multiline: bool = True, max_elements: int = MAX_EDGE_ELEMENTS) -> str:
    """A scalar as a number; a small array written out (one row per line when
    `multiline`); a big one as its shape, e.g. '(30×50)'."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return format_number(a)
    if a.size > max_elements or a.ndim > 2:
        return f"({format_shape(a.shape)})"
    if a.ndim == 1:
        return "[" + ", ".join(_plain(v) for v in a) + "]"
    rows = ["[" + ", ".join(_plain(v) for v in row) + "]" for row in a]
    if multiline:
        return "\n".join(rows)
    return "[" + ", ".join(rows) + "]"


def format_inline(a) -> str:
    """`format_value` on one line, for a table cell or a sentence: '[[1, 2], [3, 4]]'."""
    return format_value(a, multiline=False)


# ---------------------------------------------------------------- DOT pieces


def _html(text: str) -> str:
    """Text for an HTML-like DOT label: escaped, with newlines as line breaks."""
    return "<BR/>".join(html.escape(line, quote=True) for line in str(text).split("\n"))


def _font(text: str, *, color: str | None = None, size: float | None = None,
          bold: bool = False) -> str:
    out = _html(text)
    if bold:
        out = f"<B>{out}</B>"
    attrs = []
    if color:
        attrs.append(f'COLOR="{color}"')
    if size:
        attrs.append(f'POINT-SIZE="{size:g}"')
    return f"<FONT {' '.join(attrs)}>{out}</FONT>" if attrs else out


def _attr(value: str) -> str:
    """A quoted DOT attribute value."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def hangul_margin(lines: Sequence[tuple[str, float]]) -> float:
    """The across margin (inches) a node needs so that its label's Hangul fits: the base
    margin plus half of HANGUL_EXTRA_EM × font size for each Hangul syllable on the line
    that needs most (lines are (text, font size in points) pairs)."""
    extra = max((len(_HANGUL.findall(text)) * HANGUL_EXTRA_EM * size / 72
                 for text, size in lines), default=0.0)
    return NODE_MARGIN[0] + extra / 2


def _node_value(node: Node) -> str:
    v = node.value
    return format_number(v) if v.ndim == 0 else f"({format_shape(v.shape)})"


def _product(edge: Edge) -> str:
    """What the highlighted edge says: 'upstream × local = downstream' for scalars."""
    up, local, down = edge.upstream, edge.local, edge.downstream
    if up.ndim == 0 and local.ndim == 0 and edge.rule.startswith("downstream"):
        return f"{format_number(up)} × {format_number(local)} = {format_number(down)}"
    return format_value(down)  # arrays: the page's table shows the three side by side


def columns(graph: Graph) -> dict[int, int]:
    """id(node) -> the column it is drawn in: 1 + its inputs' largest column, and a leaf
    just left of its first consumer (as Graphviz places it)."""
    col: dict[int, int] = {}
    consumers: dict[int, list[Node]] = {}
    for node in graph.nodes:
        col[id(node)] = 1 + max((col[id(x)] for x in node.inputs), default=-1)
        for x in node.inputs:
            consumers.setdefault(id(x), []).append(node)
    for node in graph.leaves:
        users = consumers.get(id(node))
        if users:
            col[id(node)] = max(0, min(col[id(u)] for u in users) - 1)
    return col


def graph_dot(
    graph: Graph,
    steps: Sequence[BackwardStep] | None = None,
    upto: int | None = None,
    *,
    names: Mapping[str, str] | None = None,
    edge_tags: Mapping[tuple[str, str], str] | None = None,
    max_columns: int | None = None,
    highlight: bool = True,
    slides: bool = False,
) -> str:
    """DOT text for `graph`, left to right, with forward values and (some) gradients.

    steps      the records of one backward pass (`graph.backward()`); None: forward only
    upto       how many of those steps are done (default: all); the last done one is
               highlighted and its input edges show upstream × local = downstream
    names      engine label -> text to show (translated names such as 'chair price')
    edge_tags  (source label, target label) -> a short tag drawn on that edge ('#1')
    max_columns  a graph with more columns of nodes than this is laid out top to bottom
               instead (a long chain stays readable in a narrow page)
    highlight  light up the last done step's node (False: a finished backward, plain)
    slides     bigger type for slide mode
    """
    names = names or {}
    edge_tags = edge_tags or {}
    steps = list(steps or [])
    upto = len(steps) if upto is None else int(upto)
    if not 0 <= upto <= len(steps):
        raise ValueError(f"upto must be between 0 and {len(steps)}, got {upto}")

    index = {id(n): i for i, n in enumerate(graph.nodes)}
    width = max(columns(graph).values()) + 1
    rankdir = "TB" if max_columns is not None and width > max_columns else "LR"
    # top to bottom, edge labels go beside the edges (xlabel) so they add no extra rows
    label_attr = "xlabel" if rankdir == "TB" else "label"
    done = steps[:upto]
    done_nodes = {id(s.node) for s in done}
    current = done[-1].node if done and highlight else None
    # the edge record for (target, input slot), for every target backward has processed
    edges_done: dict[tuple[int, int], Edge] = {}
    for step in done:
        for slot, edge in enumerate(step.edges):
            edges_done[(id(step.node), slot)] = edge

    base, small, big = FONT_SIZES[slides]
    lines = [
        "digraph G {",
        f"  rankdir={rankdir};",
        '  bgcolor="transparent"; ordering=in;',
        f"  nodesep={0.35 if slides else 0.25}; ranksep={0.7 if slides else 0.55};",
        f'  node [fontname="sans-serif", fontsize={base}, color="{INK}", fontcolor="{INK}", '
        f'margin="{NODE_MARGIN[0]},{NODE_MARGIN[1]}"];',
        f'  edge [fontname="sans-serif", fontsize={small}, color="{MUTED}", arrowsize=0.7];',
    ]

    for i, node in enumerate(graph.nodes):
        name = names.get(node.label)
        texts = [(name or node.label, base if node.is_leaf else small)]
        if node.is_leaf:
            title = name or node.label
            label = _font(title, bold=True) + "<BR/>" + _font(_node_value(node), size=small)
            if node.op == "const" and node.value.ndim == 0 and _is_number(title):
                label = _font(title, bold=True)  # a number is its own name
            shape = "box"
            style = "rounded,filled" if node.op == "input" else "rounded,dashed,filled"
            fill = INPUT_FILL if node.op == "input" else "white"
        else:
            label = _font(node.symbol, size=big if len(node.symbol) == 1 else base, bold=True)
            if name:
                label += "<BR/>" + _font(name, size=small)
            label += "<BR/>" + _font(_node_value(node), size=small)
            round_ = len(node.symbol) <= 3 and node.value.ndim == 0 and len(name or "") <= 3
            shape = "circle" if round_ else "ellipse"
            style = "filled"
            fill = "white"
        penwidth = 1.2
        color = INK
        if id(node) in done_nodes:
            fill = DONE_FILL
        if node is current:
            fill, penwidth, color = CURRENT_FILL, 3.0, CURRENT
        margin = hangul_margin(texts)
        room = f', margin="{margin:.3f},{NODE_MARGIN[1]}"' if margin > NODE_MARGIN[0] else ""
        lines.append(
            f"  n{i} [label=<{label}>, shape={shape}, style={_attr(style)}, "
            f'fillcolor="{fill}", color="{color}", penwidth={penwidth:g}{room}, '
            f"tooltip={_attr(node.label)}];"
        )

    for node in graph.nodes:
        for slot, source in enumerate(node.inputs):
            edge = edges_done.get((id(node), slot))
            parts = [_font(format_value(source.value), color=INK)]
            tag = edge_tags.get((source.label, node.label))
            attrs = []
            if node is current and edge is not None:
                parts.append(_font(_product(edge), color=GRAD, bold=True))
                attrs += [f'color="{CURRENT}"', "penwidth=2.5"]
            elif edge is not None:
                parts.append(_font(format_value(edge.downstream), color=GRAD))
            if tag:
                parts.insert(1, _font(tag, color=CURRENT, bold=True))
            attrs.insert(0, f"{label_attr}=<{'<BR/>'.join(parts)}>")
            lines.append(f"  n{index[id(source)]} -> n{index[id(node)]} [{', '.join(attrs)}];")

    # the output's own edge: its value leaves to the right, the seed gradient comes back
    out = graph.output
    parts = [_font(format_value(out.value), color=INK)]
    if done:
        parts.append(_font(format_value(done[0].upstream), color=GRAD, bold=out is current))
    lines.append('  out [shape=point, width=0.05, color="transparent"];')
    lines.append(f"  n{index[id(out)]} -> out [{label_attr}=<{'<BR/>'.join(parts)}>];")
    lines.append("}")
    return "\n".join(lines)


def font_css() -> str:
    """CSS that lets each SVG text keep the size its DOT label asked for.

    Streamlit's Graphviz chart gives every element inside it one small font size,
    which would undo the sizes Graphviz laid the graph out with (and the big ×).
    """
    sizes = sorted({size for trio in FONT_SIZES.values() for size in trio})
    rules = [f'[data-testid="stGraphVizChart"] svg text[font-size="{size:.2f}"] '
             f"{{ font-size: {size}px; }}" for size in sizes]
    return "<style>\n" + "\n".join(rules) + "\n</style>"


# ---------------------------------------------------------------- matrix shapes


def matmul_shapes_figure(
    rows: Sequence[Sequence[tuple[str, np.ndarray] | str]], *, title: str | None = None,
    sign_label: str | None = None,
) -> go.Figure:
    """Matrix products drawn to scale: one line per row, e.g.

        [("dy", dy), "·", ("Wᵀ", W.T), "=", ("dx", dx)]

    Each matrix is a grid of square cells (its numbers written in, coloured by sign and
    size with the app's DIVERGING scale, red +, blue −, one scale for all; `sign_label`,
    the page's words for that, is written once above the figure), captioned with its name
    and shape; strings between them are drawn as operators. The shapes are the check:
    N×H times H×D is N×D.
    """
    fig = go.Figure()
    mats = [np.atleast_2d(np.asarray(m, dtype=np.float64)) for r in rows for it in r
            if not isinstance(it, str) for m in (it[1],)]
    if not mats:
        raise ValueError("matmul_shapes_figure needs at least one (name, matrix) item")
    scale = max(max(float(np.max(np.abs(m), initial=0.0)) for m in mats), 1e-12)
    top = 0.0  # each row of the figure starts here, in cell units, going down
    width = 0.0
    for items in rows:
        height = max(np.atleast_2d(np.asarray(it[1])).shape[0] for it in items
                     if not isinstance(it, str))
        left = 0.0  # left edge of the next item, in cell units
        for item in items:
            if isinstance(item, str):
                fig.add_annotation(x=left + OPERATOR_GAP / 2 - 0.5, y=top + (height - 1) / 2,
                                   text=f"<b>{html.escape(item)}</b>", showarrow=False,
                                   font=dict(size=30))
                left += OPERATOR_GAP
                continue
            name, m = item[0], np.atleast_2d(np.asarray(item[1], dtype=np.float64))
            n_rows, n_cols = m.shape
            fig.add_trace(go.Heatmap(
                z=m, x=left + np.arange(n_cols), y=top + np.arange(n_rows),
                text=[[_plain(v) for v in r] for r in m], texttemplate="%{text}",
                colorscale=DIVERGING, zmid=0, zmin=-scale, zmax=scale, showscale=False,
                xgap=2, ygap=2, hovertemplate=f"{html.escape(name)}[%{{y}}, %{{x}}] = %{{z}}"
                "<extra></extra>",
            ))
            fig.add_annotation(x=left + (n_cols - 1) / 2, y=top - 0.5, yanchor="bottom",
                               text=f"<b>{html.escape(name)}</b> ({format_shape(m.shape)})",
                               showarrow=False)
            left += n_cols
        width = max(width, left)
        top += height + 1.6
    fig.update_xaxes(visible=False, range=[-0.7, width - 0.3], constrain="domain")
    fig.update_yaxes(visible=False, range=[top - 1.3, -1.4], scaleanchor="x", scaleratio=1,
                     constrain="domain")
    # about 56 px a cell when the figure is 700 px wide: tall enough, no empty band
    cell = min(56.0, 640.0 / max(width, 1.0))
    fig.update_layout(height=int(cell * (top + 0.1) + 60))
    if title:
        fig.update_layout(title=title)
    if sign_label:
        sign_key(fig, sign_label)
    return fig


def matmul_backward_figure(graph: Graph, dy: np.ndarray, sign_label: str) -> go.Figure:
    """The two products of a matmul graph's backward, to scale: dy · Wᵀ = dx and
    xᵀ · dy = dW (run `graph.backward(dy)` first; labels 'x', 'W' as `matmul_graph`),
    with the sign key `sign_label` ("red +, blue −" in the page's language)."""
    x, W = graph["x"], graph["W"]
    return matmul_shapes_figure([
        [("dy", dy), "·", ("Wᵀ", W.value.T), "=", ("dx", x.grad)],
        [("xᵀ", x.value.T), "·", ("dy", dy), "=", ("dW", W.grad)],
    ], sign_label=sign_label)


# ---------------------------------------------------------------- formulas beside the graphs

NODE_RULES_LATEX = (r"f = x + y \;\Rightarrow\; \frac{\partial f}{\partial x} = 1,\;"
                    r"\frac{\partial f}{\partial y} = 1 \qquad\qquad "
                    r"f = xy \;\Rightarrow\; \frac{\partial f}{\partial x} = y,\;"
                    r"\frac{\partial f}{\partial y} = x")
CHAIN_RULE_LATEX = (r"t = x + y, \qquad z = t^2 \qquad\Rightarrow\qquad "
                    r"\frac{\partial z}{\partial x} = \frac{\partial z}{\partial t}\,"
                    r"\frac{\partial t}{\partial x} = 2t \cdot 1 = 2(x + y)")
SIGMOID_LATEX = r"y = \frac{1}{1 + \exp(-x)}"
SIGMOID_WALK_LATEX = (r"\begin{aligned}"
                      r"\#1 &= -y^2 & \text{(/)}\\ \#2 &= -y^2 & (+)\\"
                      r"\#3 &= -y^2 \times e^{-x} & (\exp)\\ "
                      r"\#4 &= y^2 \times e^{-x} & (\times(-1))"
                      r"\end{aligned}")
SIGMOID_SIMPLIFY_LATEX = (r"\begin{aligned} y^2 e^{-x} &= \frac{1}{(1 + e^{-x})^2}\, e^{-x}"
                          r" = \frac{1}{1 + e^{-x}} \cdot \frac{e^{-x}}{1 + e^{-x}} \\"
                          r"&= \frac{1}{1 + e^{-x}} \left( \frac{1 + e^{-x}}{1 + e^{-x}}"
                          r" - \frac{1}{1 + e^{-x}} \right) = y\,(1 - y) \end{aligned}")
SOFTMAX_LOSS_LATEX = (r"S = \sum_i \exp(a_i), \qquad y_k = \frac{\exp(a_k)}{S}, \qquad"
                      r" L = -\sum_k t_k \log y_k")
# seed 002's walk back to exp(a_k): two paths meet there (Σ t = 1)
SOFTMAX_WALK_LATEX = (r"\begin{aligned}"
                      r"\frac{\partial L}{\partial y_k} &= -\frac{t_k}{y_k}"
                      r" & &(\log,\ \times t_k,\ \times(-1))\\"
                      r"\frac{\partial L}{\partial (1/S)} &= \sum_k -\frac{t_k}{y_k}\exp(a_k)"
                      r" = -S & &(\times)\\"
                      r"\frac{\partial L}{\partial S} &= -S \times \left(-\frac{1}{S^2}\right)"
                      r" = \frac{1}{S} & &(/)\\"
                      r"\frac{\partial L}{\partial \exp(a_k)} &= \underbrace{\frac{1}{S}}_{S}"
                      r" + \underbrace{\left(-\frac{t_k}{y_k}\cdot\frac{1}{S}\right)}_{y_k}"
                      r" = \frac{1}{S} - \frac{t_k}{\exp(a_k)} & &(+,\ \times)\\"
                      r"\frac{\partial L}{\partial a_k} &= \left(\frac{1}{S}"
                      r" - \frac{t_k}{\exp(a_k)}\right)\exp(a_k) = y_k - t_k & &(\exp)"
                      r"\end{aligned}")
MATMUL_SEED_LATEX = (r"\begin{aligned} y_1 &= x_1 W_{11} + x_2 W_{21} \\"
                     r" y_2 &= x_1 W_{12} + x_2 W_{22} \end{aligned}"
                     r"\qquad\Rightarrow\qquad \frac{\partial y_j}{\partial x_i} = W_{ij}"
                     r"\qquad\Rightarrow\qquad \frac{\partial L}{\partial x_i}"
                     r" = \sum_j \frac{\partial L}{\partial y_j}\, W_{ij}")
MATMUL_MATRIX_LATEX = (r"\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial \mathbf{y}}"
                       r" \cdot \mathbf{w}_i"
                       r"\qquad\Rightarrow\qquad \frac{\partial L}{\partial \mathbf{x}}"
                       r" = \frac{\partial L}{\partial \mathbf{y}}\, W^T")


def _factor(v: float) -> str:
    """A number as a factor in a formula: negative ones in parentheses."""
    text = format_number(v)
    return f"({text})" if v < 0 else text


def softmax_lane_latex(lane, s: float) -> str:
    """The exp(a_k) node of one class with the graph's numbers: the two paths, their sum,
    and times exp(a_k) equal to y_k − t_k (a lessons.graph.SoftmaxLane and S)."""
    k, fn = lane.k, format_number
    return (rf"\begin{{aligned}}\frac{{1}}{{S}} - \frac{{t_{k}}}{{\exp(a_{k})}} &= {fn(1 / s)} - "
            rf"\frac{{{fn(lane.t)}}}{{{fn(lane.exp_a)}}} = {fn(lane.from_s)}"
            rf" + {_factor(lane.from_y)} = {fn(lane.upstream)} \\"
            rf"{_factor(lane.upstream)} \times \exp(a_{k}) &= {_factor(lane.upstream)}"
            rf" \times {fn(lane.exp_a)} = {fn(lane.grad_a)} = {fn(lane.y)} - {fn(lane.t)}"
            rf" = y_{k} - t_{k}\end{{aligned}}")


def matmul_elementwise_latex(sums) -> str:
    """∂L/∂x_i = Σ_j ∂L/∂y_j W_ij for each i, written out with the numbers of one row
    (a list of lessons.graph.MatmulSum), one line each."""
    lines = []
    for s in sums:
        symbols = " + ".join(rf"\frac{{\partial L}}{{\partial y_{t.j}}} W_{{{s.i}{t.j}}}"
                             for t in s.terms)
        numbers = " + ".join(rf"{_factor(t.dy)} \cdot {_factor(t.w)}" for t in s.terms)
        lines.append(rf"\frac{{\partial L}}{{\partial x_{s.i}}} &= {symbols} = {numbers}"
                     rf" = {format_number(s.value)}")
    return r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}"


def backward_rule_latex(down: str, local: str, up: str) -> str:
    """downstream = local × upstream, each part named underneath in the page's language."""
    return (rf"\underbrace{{\frac{{\partial L}}{{\partial x}}}}_{{\text{{{down}}}}}"
            rf" = \underbrace{{\frac{{\partial f}}{{\partial x}}}}_{{\text{{{local}}}}}"
            rf" \times \underbrace{{\frac{{\partial L}}{{\partial f}}}}_{{\text{{{up}}}}}")


def chain_rule_numbers_latex(graph: Graph) -> str:
    """dz/dx = 2t · 1 with the chain-rule graph's numbers (after backward)."""
    t, dz_dt, dz_dx = (format_number(v) for v in (graph["t"].value, graph["t"].grad,
                                                  graph["x"].grad))
    return (rf"\frac{{\partial z}}{{\partial x}} = 2t \cdot 1 = 2 \cdot ({t})"
            rf" \cdot 1 = {dz_dt} \cdot 1 = {dz_dx}")


def sigmoid_check_latex(graph: Graph, backprop_word: str) -> str:
    """y(1 − y) from the sigmoid graph's output beside dy/dx from backward."""
    y = float(graph.output.value)
    return (rf"y(1-y) = {format_number(y)} \times {format_number(1 - y)}"
            rf" = {format_number(y * (1 - y))}"
            rf"\qquad \frac{{\partial y}}{{\partial x}}\Big|_{{\text{{{backprop_word}}}}}"
            rf" = {format_number(graph['x'].grad)}")


def branch_latex(graph: Graph) -> str:
    """dz/dx = 2 + 3 for the branch graph with weights 2 and 3 (after backward)."""
    return rf"\frac{{\partial z}}{{\partial x}} = 2 + 3 = {format_number(graph['x'].grad)}"


def matmul_shapes_latex(n: int, d: int, h: int) -> str:
    """dx = dy · Wᵀ and dW = xᵀ · dy with every factor's shape written under it."""
    return (rf"\underset{{{n}\times{d}}}{{\frac{{\partial L}}{{\partial x}}}} ="
            rf" \underset{{{n}\times{h}}}{{\frac{{\partial L}}{{\partial y}}}}\cdot"
            rf" \underset{{{h}\times{d}}}{{W^T}} \qquad\qquad"
            rf"\underset{{{d}\times{h}}}{{\frac{{\partial L}}{{\partial W}}}} ="
            rf" \underset{{{d}\times{n}}}{{x^T}}\cdot"
            rf" \underset{{{n}\times{h}}}{{\frac{{\partial L}}{{\partial y}}}}")


__all__ = [
    "CHAIN_RULE_LATEX",
    "CURRENT",
    "FONT_SIZES",
    "GRAD",
    "MATMUL_MATRIX_LATEX",
    "MATMUL_SEED_LATEX",
    "NODE_RULES_LATEX",
    "SIGMOID_LATEX",
    "SIGMOID_SIMPLIFY_LATEX",
    "SIGMOID_WALK_LATEX",
    "SOFTMAX_LOSS_LATEX",
    "SOFTMAX_WALK_LATEX",
    "backward_rule_latex",
    "branch_latex",
    "chain_rule_numbers_latex",
    "columns",
    "font_css",
    "format_inline",
    "format_number",
    "format_shape",
    "format_value",
    "graph_dot",
    "hangul_margin",
    "matmul_backward_figure",
    "matmul_elementwise_latex",
    "matmul_shapes_figure",
    "matmul_shapes_latex",
    "sigmoid_check_latex",
    "softmax_lane_latex",
]
