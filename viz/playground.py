"""Figures for the playground lesson: decision regions, loss curves, the network diagram, one
neuron up close, the confusion matrix and the gradient flow.

Pure functions from arrays and translated labels to go.Figure; the page passes in what
lessons.playground computed (its LIM, grid and neuron maps). Every live figure has a *_data
function beside it: the arrays of its traces, in trace order, exactly as the builder puts
them in the figure, so that ui.live_chart can send only what changed. Traces never come and
go with the values: a missing test set or an empty width bin keeps its trace, without points.

Maps go out as int8 where a colour is all they carry (one byte a cell): the regions as
-127..127 (two classes, regression) or class × confidence bands (three classes), and every
neuron tile of the diagram as -127..127 of its own largest |value|.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from viz import mnist, palette
from viz.common import COLORS, DIVERGING, INK, MUTED, legend_on_top, rgba, sign_key
from viz.perceptron import CLASS_COLORS

LIM = 6.0  # the plane [-LIM, LIM]² every dataset lives in (lessons.playground.LIM)
TICKS = (-6, -4, -2, 0, 2, 4, 6)
SYMBOLS = palette.CLASS_SYMBOLS  # class 0, 1, 2: shape as well as colour
REGION_ALPHA = palette.REGION_ALPHA  # the regions' strongest tint: the points stay readable
LOW_ALPHA = 0.04  # a three-class region where the network is unsure: nearly white
Q = 127  # int8 maps run over -Q..Q
GAP = -128  # the diagram's cells between tiles (int8): drawn white, below every tile value

# the network diagram, in data units: a tile is 1 × 1
# The gaps are whole cells of a tile's n × n grid (n a multiple of 5), so that every cell of
# the diagram's heatmap is the same size: Plotly then draws it as one image (its fast path),
# not cell by cell (some 28,000 rectangles at 6 × 8 neurons, bench/playground.py).
COL_GAP = 0.8  # between two columns of tiles: room for the edges
ROW_GAP = 0.2  # between two tiles of a column
HEAD = 0.55  # above the top tiles: the column labels
SIDE = 1.5  # right of the output column, when its units have labels
PLOT_WIDTH = 600  # px: the plot area in the page's centred layout (figure width - margins)
MARGIN_Y = 70 + 60  # px: viz.theme.style_figure's top (with a title) and bottom margins
WIDTHS = (0.7, 1.5, 2.6, 4.2)  # px: the edge widths of the four |value| bins, thin to thick
ALPHAS = (0.35, 0.55, 0.75, 0.95)
POSITIVE, NEGATIVE = palette.POSITIVE, palette.NEGATIVE  # red and blue: colour-blind safe


# ---------------------------------------------------------------- helpers


def _class_colors(k: int) -> list[str]:
    palette = CLASS_COLORS if k <= len(CLASS_COLORS) else COLORS
    return [palette[i % len(palette)] for i in range(k)]


def _points(x, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2), got {x.shape}")
    return x


def _to_int8(values: np.ndarray, top: float) -> np.ndarray:
    """values / top as int8 in -Q..Q (clipped); NaN as 0; all zeros when top is not > 0."""
    if not top > 0 or not np.isfinite(top):
        return np.zeros(np.shape(values), dtype=np.int8)
    v = np.nan_to_num(np.asarray(values, dtype=np.float64) / top, nan=0.0, posinf=1.0,
                      neginf=-1.0)
    return np.rint(np.clip(v, -1, 1) * Q).astype(np.int8)


def _top(values) -> float:
    """The largest finite |value|, 0 when there is none."""
    a = np.abs(np.asarray(values, dtype=np.float64))
    a = a[np.isfinite(a)]
    return float(a.max()) if a.size else 0.0


def _light(scale: Sequence, alpha: float) -> list[list]:
    """A colour scale of hex colours, each with transparency alpha (white stays white)."""
    return [[p, "white" if c.lower() in (DIVERGING[2][1], "white") else rgba(c, alpha)]
            for p, c in scale]


def _plane_axes(fig: go.Figure, labels: Mapping[str, str]) -> None:
    """[-LIM, LIM] on both axes, equal scales, fixed (no zoom changes the plane)."""
    common = dict(range=[-LIM, LIM], zeroline=False, constrain="domain", tickvals=list(TICKS),
                  showgrid=False, fixedrange=True)
    fig.update_xaxes(title=labels.get("x1", "x1"), **common)
    fig.update_yaxes(title=labels.get("x2", "x2"), scaleanchor="x", scaleratio=1, **common)


def _class_groups(x: np.ndarray, y, k: int) -> list[dict]:
    y = np.asarray(y)
    return [dict(x=x[y == c, 0], y=x[y == c, 1]) for c in range(k)]


# ---------------------------------------------------------------- decision regions


def region_z(probs, *, task: str, discretize: bool = False,
             scale: float | None = None) -> np.ndarray:
    """The regions' heatmap z (int8, row = x2) from region_probs' (k, n, n) or (1, n, n).

    Two classes: p1 − p0 on -Q..Q. Three: class c with confidence s (0 at 1/k, 1 at
    certainty) as c·B + round(s·(B − 1)), B = 127 // k levels a class. Regression: the
    output over `scale` (the largest |target|) on -Q..Q. discretize: the predicted class at
    full strength (or the output's sign). Non-finite values count as 0.
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 3 or p.shape[1] != p.shape[2]:
        raise ValueError(f"probs must have shape (k, n, n), got {p.shape}")
    p = np.nan_to_num(p, nan=0.0, posinf=0.0, neginf=0.0)
    k = p.shape[0]
    if task == "regression":
        if k != 1:
            raise ValueError(f"a regression map has one output, got {k}")
        out = p[0]
        if discretize:
            return (np.sign(out) * Q).astype(np.int8)
        top = scale if scale is not None and scale > 0 else _top(out)
        return _to_int8(out, top)
    if task != "classification":
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    if k < 2:
        raise ValueError(f"a classification map needs 2 or more classes, got {k}")
    if k == 2:
        d = p[1] - p[0]
        return (np.sign(d) * Q).astype(np.int8) if discretize else _to_int8(d, 1.0)
    levels = 127 // k
    cls = p.argmax(axis=0)
    if discretize:
        level = np.full(cls.shape, levels - 1)
    else:
        sure = (p.max(axis=0) - 1 / k) / (1 - 1 / k)
        level = np.rint(np.clip(sure, 0, 1) * (levels - 1))
    return (cls * levels + level).astype(np.int8)


def _band_scale(colors: Sequence[str]) -> list[list]:
    """Class c's band [c/k, (c+1)/k]: from nearly white (unsure) to its colour (sure)."""
    k, scale = len(colors), []
    for i, c in enumerate(colors):
        scale += [[i / k, rgba(c, LOW_ALPHA)], [(i + 1) / k, rgba(c, REGION_ALPHA)]]
    return scale


def regions_data(probs, train_x, train_y, test_x=None, test_y=None, *, task: str,
                 discretize: bool = False) -> list[dict]:
    """regions_figure's traces: the heatmap's z (int8, see region_z), then the points.

    Classification: the training points of class 0..k−1, then the test points of class
    0..k−1 (no points when test_x is None). Regression: the training points, then the test
    points, each with its colour ("marker.color", the targets).
    """
    train_x = _points(train_x, "train_x")
    train_y = np.asarray(train_y)
    if len(train_y) != len(train_x):
        raise ValueError(f"{len(train_x)} training points but {len(train_y)} targets")
    if test_x is None:
        test_x, test_y = np.zeros((0, 2)), np.zeros(0, dtype=train_y.dtype)
    test_x, test_y = _points(test_x, "test_x"), np.asarray(test_y)
    if len(test_y) != len(test_x):
        raise ValueError(f"{len(test_x)} test points but {len(test_y)} targets")
    if task == "regression":
        scale = _top(train_y)
        heat = dict(z=region_z(probs, task=task, discretize=discretize, scale=scale))
        return [heat, *(dict(x=x[:, 0], y=x[:, 1],
                             **{"marker.color": np.asarray(y, dtype=np.float32)})
                        for x, y in ((train_x, train_y), (test_x, test_y)))]
    z = region_z(probs, task=task, discretize=discretize)
    k = np.shape(probs)[0]
    return [dict(z=z), *_class_groups(train_x, train_y, k), *_class_groups(test_x, test_y, k)]


def regions_figure(xs, probs, train_x, train_y, test_x=None, test_y=None, *, task: str,
                   discretize: bool = False, labels: Mapping[str, str],
                   class_names: Sequence[str]) -> go.Figure:
    """The decision regions over the plane as one heatmap, with the data on top.

    xs (n,): the grid's coordinates on both axes (lessons.playground.grid); probs: region_probs,
    (k, n, n) class probabilities or (1, n, n) outputs, row = x2. Training points are filled,
    test points (when test_x is given) hollow, each class in its colour and shape. Two
    classes: blue to red through white by p1 − p0; three: each class in its colour, paler
    where the network is less sure; regression: the output, blue − and red +, over the
    largest |target|, the points in the same colours (training points thinly outlined, test
    points thickly). discretize: the predicted class (the output's sign) only.
    labels: x1, x2, train, test (legend names), optional value (regression: the colour bar's
    title); class_names: one per class (classification; unused for regression).
    The heatmap answers hover and clicks with x1 and x2 (a point placed by a click).
    Live: regions_data(probs, train_x, train_y, test_x, test_y, task=..., discretize=...).
    """
    heat, *groups = regions_data(probs, train_x, train_y, test_x, test_y, task=task,
                                 discretize=discretize)
    xs = np.asarray(xs, dtype=np.float64)
    n = heat["z"].shape[1]
    if xs.shape != (n,):
        raise ValueError(f"xs must have the map's {n} coordinates, got shape {xs.shape}")
    x1, x2 = labels.get("x1", "x1"), labels.get("x2", "x2")
    hover = f"{x1} = %{{x:.2f}}<br>{x2} = %{{y:.2f}}<extra></extra>"
    fig = go.Figure()
    if task == "regression":
        scale = _top(train_y) or 1.0
        fig.add_trace(go.Heatmap(x=xs, y=xs, **heat, zmin=-Q, zmax=Q,
                                 colorscale=_light(DIVERGING, REGION_ALPHA + 0.2),
                                 showscale=False, hovertemplate=hover, name="regions"))
        for data, name, test in ((groups[0], labels["train"], False),
                                 (groups[1], labels["test"], True)):
            fig.add_trace(go.Scatter(
                x=data["x"], y=data["y"], mode="markers", name=name,
                marker=dict(color=data["marker.color"], colorscale=DIVERGING, cmin=-scale,
                            cmax=scale, size=8 if test else 7, symbol="circle",
                            line=dict(width=1.6 if test else 0.6, color=INK if test else MUTED),
                            showscale=not test,
                            colorbar=dict(thickness=12, title=dict(
                                text=labels.get("value", ""), side="right"))),
                hovertemplate=f"{x1} = %{{x:.2f}}<br>{x2} = %{{y:.2f}}<br>"
                              f"%{{marker.color:.3g}}<extra>{name}</extra>"))
        _plane_axes(fig, labels)
        return legend_on_top(fig)

    k = len(class_names)
    if np.shape(probs)[0] != k:
        raise ValueError(f"{np.shape(probs)[0]} class maps but {k} class names")
    colors = _class_colors(k)
    if k == 2:
        scale = [[0, rgba(colors[0], REGION_ALPHA)], [0.5, "white"],
                 [1, rgba(colors[1], REGION_ALPHA)]]
        zmin, zmax = -Q, Q
    else:
        levels = 127 // k
        scale, zmin, zmax = _band_scale(colors), -0.5, k * levels - 0.5
    fig.add_trace(go.Heatmap(x=xs, y=xs, **heat, zmin=zmin, zmax=zmax, colorscale=scale,
                             showscale=False, hovertemplate=hover, name="regions"))
    for test in (False, True):
        for c in range(k):
            data = groups[k * test + c]
            name = f"{class_names[c]} ({labels['test']})" if test else class_names[c]
            symbol = SYMBOLS[c % len(SYMBOLS)]
            marker = (dict(symbol=f"{symbol}-open", color=colors[c], size=7,
                           line=dict(width=1.6, color=colors[c])) if test else
                      dict(symbol=symbol, color=colors[c], size=7,
                           line=dict(width=0.6, color="white")))
            fig.add_trace(go.Scatter(**data, mode="markers", name=name, marker=marker,
                                     legendgroup=f"class{c}"))
    _plane_axes(fig, labels)
    return legend_on_top(fig)


# ---------------------------------------------------------------- loss curves


def _curve(values, n: int, name: str) -> np.ndarray:
    y = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if y.shape != (n,):
        raise ValueError(f"{n} epochs but {len(y)} {name} losses")
    return y


def loss_data(epochs, train_loss, test_loss) -> list[dict]:
    """loss_figure's two traces, train then test: the epochs (int32) and the losses
    (float64, None as NaN), every point as given, so that a curve that grew keeps its start
    (ui.live_chart sends only the new points)."""
    x = np.asarray(epochs)
    x = x.astype(np.int32) if x.dtype.kind in "iu" else x.astype(np.float64)
    if x.ndim != 1:
        raise ValueError(f"epochs must be 1-D, got shape {x.shape}")
    return [dict(x=x, y=_curve(train_loss, len(x), "train")),
            dict(x=x, y=_curve(test_loss, len(x), "test"))]


def loss_figure(epochs, train_loss, test_loss, labels: Mapping[str, str], *,
                log_y: bool = False) -> go.Figure:
    """Training and test loss per epoch: two lines (test dashed), legend on top.

    labels: x (epoch), train, test (legend names), optional y (axis title).
    Live: loss_data(epochs, train_loss, test_loss).
    """
    train, test = loss_data(epochs, train_loss, test_loss)
    fig = go.Figure()
    for data, name, color, dash in ((train, labels["train"], palette.TRAIN, palette.TRAIN_DASH),
                                    (test, labels["test"], palette.TEST, palette.TEST_DASH)):
        fig.add_trace(go.Scatter(**data, mode="lines", name=name,
                                 line=dict(color=color, width=2, dash=dash),
                                 hovertemplate=f"{name}: %{{y:.4f}}<extra></extra>"))
    fig.update_xaxes(title=labels["x"], rangemode="tozero")
    fig.update_yaxes(title=labels.get("y", ""))
    if log_y:
        fig.update_yaxes(type="log", dtick="D2")
    else:
        fig.update_yaxes(rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return legend_on_top(fig)


# ---------------------------------------------------------------- the network diagram


def _check_network(maps, edges) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    maps = [np.asarray(m, dtype=np.float64) for m in maps]
    if len(maps) < 2:
        raise ValueError(f"the diagram needs an input and an output column, got {len(maps)}")
    n = maps[0].shape[-1] if maps[0].ndim == 3 else 0
    for c, m in enumerate(maps):
        if m.ndim != 3 or m.shape[1:] != (n, n) or m.shape[0] < 1 or n < 1:
            raise ValueError(f"column {c}'s maps must have shape (units, {n}, {n}), "
                             f"got {m.shape}")
    edges = [np.asarray(e, dtype=np.float64) for e in edges]
    if len(edges) != len(maps) - 1:
        raise ValueError(f"{len(maps)} columns need {len(maps) - 1} edge arrays, "
                         f"got {len(edges)}")
    for c, e in enumerate(edges):
        want = (maps[c].shape[0], maps[c + 1].shape[0])
        if e.shape != want:
            raise ValueError(f"edges {c} must have shape {want}, got {e.shape}")
    return maps, edges, n


def neuron_at(x: float, y: float, sizes: Sequence[int]) -> tuple[int, int] | None:
    """The (column, unit) whose tile holds the diagram's point (x, y), or None (a gap, an
    edge, outside): where a click landed, from the mouse itself (Plotly's click reports the
    point last hovered, which lags a quick mouse by some 50 ms)."""
    c = int(np.floor(x / (1 + COL_GAP)))
    u = int(np.floor(-y / (1 + ROW_GAP)))
    if not (0 <= c < len(sizes) and 0 <= u < sizes[c]):
        return None
    inside = _tile_left(c) <= x <= _tile_left(c) + 1 and _tile_bottom(u) <= y <= _tile_bottom(u) + 1
    return (c, u) if inside else None


def _tile_left(c: int) -> float:
    return c * (1 + COL_GAP)


def _tile_bottom(u: int) -> float:
    """Unit u (0 on top) of any column spans y in [bottom, bottom + 1]; the top tiles end at 0."""
    return -u * (1 + ROW_GAP) - 1


def _gap_cells(gap: float, n: int) -> int:
    """A gap of `gap` tiles in cells of a tile's n × n grid: a whole number of them."""
    cells = round(gap * n)
    if abs(cells - gap * n) > 1e-9:
        raise ValueError(f"maps of {n} × {n} cells: the diagram's gaps need n a multiple of 5")
    return cells


def _cell_edges(cells: int, n: int, start: float) -> np.ndarray:
    """The edges of `cells` cells of 1/n from `start`: evenly spaced (Plotly's fast path)."""
    return start + np.arange(cells + 1) / n


def _tiles_z(maps: Sequence[np.ndarray], n: int, rows: int) -> np.ndarray:
    """Every neuron's map (its own largest |value| → Q) in one int8 array; GAP elsewhere."""
    cols, gc, gr = len(maps), _gap_cells(COL_GAP, n), _gap_cells(ROW_GAP, n)
    z = np.full((rows * (n + gr) - gr, cols * (n + gc) - gc), GAP, dtype=np.int8)
    for c, m in enumerate(maps):
        for u, tile in enumerate(m):
            r0 = (rows - 1 - u) * (n + gr)  # z's rows run upwards: the last slot first
            c0 = c * (n + gc)
            z[r0:r0 + n, c0:c0 + n] = _to_int8(tile, _top(tile))
    return z


def _edge_bins(edges: Sequence[np.ndarray], sizes: Sequence[int]) -> list[dict]:
    """The edges' segments in 2 × 4 traces: for each width bin (|value| over the largest,
    in quarters) the positive ones, then the negative ones; NaN between segments."""
    top = max((_top(e) for e in edges), default=0.0)
    segs: list[list[list[float]]] = [[] for _ in range(2 * len(WIDTHS))]
    for c, e in enumerate(edges):
        x0, x1 = _tile_left(c) + 1, _tile_left(c + 1)
        v = np.nan_to_num(e, nan=0.0, posinf=top, neginf=-top)
        share = np.abs(v) / top if top > 0 else np.zeros_like(v)
        bins = np.clip((share * len(WIDTHS)).astype(np.int64), 0, len(WIDTHS) - 1)
        for i in range(sizes[c]):
            for j in range(sizes[c + 1]):
                k = 2 * int(bins[i, j]) + (1 if v[i, j] < 0 else 0)
                segs[k].append([x0, x1, np.nan, _tile_bottom(i) + 0.5,
                                _tile_bottom(j) + 0.5, np.nan])
    out = []
    for s in segs:
        a = np.asarray(s, dtype=np.float32).reshape(-1, 6)
        out.append(dict(x=a[:, :3].ravel(), y=a[:, 3:].ravel()))
    return out


def _frame(c: int, u: int, pad: float = 0.09) -> dict:
    x0, y0 = _tile_left(c) - pad, _tile_bottom(u) - pad
    x1, y1 = x0 + 1 + 2 * pad, y0 + 1 + 2 * pad
    return dict(x=np.array([x0, x1, x1, x0, x0], dtype=np.float32),
                y=np.array([y0, y0, y1, y1, y0], dtype=np.float32))


def _hover_texts(sizes: Sequence[int], column_labels: Sequence[str],
                 unit_labels: Sequence[Sequence[str] | None] | None) -> list[str]:
    texts = []
    for c, size in enumerate(sizes):
        names = unit_labels[c] if unit_labels is not None else None
        for u in range(size):
            texts.append(f"{column_labels[c]}: {names[u]}" if names else
                         f"{column_labels[c]} · {u + 1}")
    return texts


def network_data(maps, edges, *, backprop: bool = False,
                 selected: tuple[int, int] | None = None,
                 column_labels: Sequence[str] | None = None,
                 unit_labels: Sequence[Sequence[str] | None] | None = None) -> list[dict]:
    """network_figure's 11 traces, in order:

    0. the tiles: z (int8, GAP in the gaps between tiles, which are whole cells), x and y
       (the cell edges, evenly spaced, float64);
    1.–8. the edges, x and y (float32, NaN between segments): width bin 0 positive, bin 0
       negative, bin 1 positive, ..., bin 3 negative;
    9. the neurons' centres (the click targets): x, y, customdata [[column, unit], ...] and,
       with column_labels, the hover text;
    10. the selected neuron's frame: x, y (no points when selected is None).

    backprop does not change the data (the edge values are what the caller passes).
    """
    maps, edges, n = _check_network(maps, edges)
    sizes = [m.shape[0] for m in maps]
    rows = max(sizes)
    z = _tiles_z(maps, n, rows)
    heat = dict(z=z, x=_cell_edges(z.shape[1], n, _tile_left(0)),
                y=_cell_edges(z.shape[0], n, _tile_bottom(rows - 1)))
    centres = [(c, u) for c, size in enumerate(sizes) for u in range(size)]
    click = dict(x=np.array([_tile_left(c) + 0.5 for c, _ in centres]),
                 y=np.array([_tile_bottom(u) + 0.5 for _, u in centres]),
                 customdata=[[c, u] for c, u in centres])
    if column_labels is not None:
        if len(column_labels) != len(maps):
            raise ValueError(f"{len(maps)} columns but {len(column_labels)} column labels")
        click["text"] = _hover_texts(sizes, column_labels, unit_labels)
    if selected is None:
        frame = dict(x=np.zeros(0, dtype=np.float32), y=np.zeros(0, dtype=np.float32))
    else:
        c, u = (int(v) for v in selected)
        if not (0 <= c < len(sizes) and 0 <= u < sizes[c]):
            raise ValueError(f"selected {selected!r} is not a neuron of the diagram")
        frame = _frame(c, u)
    return [heat, *_edge_bins(edges, sizes), click, frame]


def network_height(max_units: int, columns: int) -> int:
    """The diagram's height in px: tiles as large as PLOT_WIDTH allows (28 to 48 px), as many
    rows as the largest column."""
    width = columns + (columns - 1) * COL_GAP + SIDE
    height = max_units + (max_units - 1) * ROW_GAP + HEAD
    px = min(48.0, max(28.0, PLOT_WIDTH / width))
    return round(MARGIN_Y + height * px)


def network_figure(maps, edges, *, column_labels: Sequence[str],
                   unit_labels: Sequence[Sequence[str] | None] | None = None,
                   backprop: bool = False, selected: tuple[int, int] | None = None,
                   labels: Mapping[str, str]) -> go.Figure:
    """The network as TensorFlow Playground draws it: columns of neurons, left to right (the
    input features, each hidden layer, the outputs), each neuron a small heatmap of its own
    output over the plane, edges between consecutive columns.

    maps: lessons.playground.neuron_maps, one (units, n, n) array per column (row = x2);
    edges: edge_values, one (fan_in, fan_out) array per layer: the weights, or with backprop
    the gradients (then labels' grad title). Columns are top-aligned, as in TFP.
    Each tile is coloured blue − / white 0 / red + by its own largest |value|: the columns'
    ranges differ by orders (x1² reaches 36, tanh 1, a probability 0..1), and a shared
    scale would leave most tiles white; a tile shows where its neuron fires, the edges show
    sizes. An edge is red (+) or blue (−), 4 widths by |value| over the largest |value|.
    column_labels: one per column, written above it; unit_labels: per column a label per
    unit or None (column 0's are written left of its tiles, the last column's right),
    always in the hover text. selected: (column, unit) framed.
    A click on a neuron gives its point of trace 9, customdata [column, unit].
    labels: optional title (or weight / grad, by backprop), sign_key (viz.common.sign_key).
    Live: network_data(maps, edges, backprop=..., selected=...), same column_labels and
    unit_labels when the hover texts should follow.
    """
    data = network_data(maps, edges, backprop=backprop, selected=selected,
                        column_labels=column_labels, unit_labels=unit_labels)
    heat, *bins, click, frame = data
    sizes = [np.shape(m)[0] for m in maps]
    rows, cols = max(sizes), len(sizes)
    fig = go.Figure()
    # white below every tile value, then DIVERGING over -Q..Q (the GAP cells are white)
    scale = [[0.0, "white"]] + [[(1 + p * 2 * Q) / (2 * Q + 1), c] for p, c in DIVERGING]
    fig.add_trace(go.Heatmap(**heat, zmin=GAP, zmax=Q, colorscale=scale, showscale=False,
                             hoverinfo="skip", name="neurons"))
    for b, seg in enumerate(bins):
        width, positive = WIDTHS[b // 2], b % 2 == 0
        color = rgba(POSITIVE if positive else NEGATIVE, ALPHAS[b // 2])
        fig.add_trace(go.Scatter(**seg, mode="lines", line=dict(color=color, width=width),
                                 hoverinfo="skip", showlegend=False, connectgaps=False,
                                 name=f"{'+' if positive else '-'}{b // 2}"))
    tile_px = (network_height(rows, cols) - MARGIN_Y) / (rows + (rows - 1) * ROW_GAP + HEAD)
    fig.add_trace(go.Scatter(**click, mode="markers", showlegend=False, name="click",
                             marker=dict(size=round(0.85 * tile_px), symbol="square",
                                         color=palette.TRANSPARENT),
                             hovertemplate="%{text}<extra></extra>"))
    fig.add_trace(go.Scatter(**frame, mode="lines", showlegend=False, hoverinfo="skip",
                             line=dict(color=INK, width=3), name="selected"))
    notes = [dict(x=_tile_left(c) + 0.5, y=0.08, text=text, showarrow=False,
                  yanchor="bottom", font=dict(size=12, color=INK))
             for c, text in enumerate(column_labels)]
    for c, side in ((0, "left"), (cols - 1, "right")):
        names = unit_labels[c] if unit_labels is not None else None
        for u, text in enumerate(names or []):
            notes.append(dict(x=_tile_left(c) + (0 if side == "left" else 1),
                              y=_tile_bottom(u) + 0.5, text=text, showarrow=False,
                              xanchor="right" if side == "left" else "left",
                              xshift=-4 if side == "left" else 4,
                              font=dict(size=12, color=INK)))
    fig.update_layout(annotations=notes)
    right = _tile_left(cols - 1) + 1 + (SIDE if unit_labels and unit_labels[-1] else 0.1)
    fig.update_xaxes(range=[-0.12, right], visible=False, fixedrange=True)
    fig.update_yaxes(range=[_tile_bottom(rows - 1) - 0.12, HEAD], visible=False,
                     fixedrange=True, scaleanchor="x", scaleratio=1)
    title = labels.get("title") or labels.get("grad" if backprop else "weight")
    fig.update_layout(height=network_height(rows, cols), showlegend=False,
                      hovermode="closest", dragmode=False,
                      **({"title_text": title} if title else {}))
    if labels.get("sign_key"):
        sign_key(fig, labels["sign_key"])
    return fig


# ---------------------------------------------------------------- one neuron


def neuron_data(z, train_x, train_y, *, class_names: Sequence[str] | None = None
                ) -> list[dict]:
    """neuron_figure's traces: the map (float32 z, and zmin/zmax = ∓ its largest |value|),
    then the training points: of class 0..k−1, or (regression) one trace with its colours."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2 or z.shape[0] != z.shape[1]:
        raise ValueError(f"z must have shape (n, n), got {z.shape}")
    top = _top(z) or 1.0
    heat = dict(z=np.nan_to_num(z, nan=0.0, posinf=top, neginf=-top).astype(np.float32),
                zmin=-top, zmax=top)
    x, y = _points(train_x, "train_x"), np.asarray(train_y)
    if len(y) != len(x):
        raise ValueError(f"{len(x)} training points but {len(y)} targets")
    if class_names is None and y.dtype.kind in "iub":
        class_names = [str(c) for c in range(int(y.max(initial=0)) + 1)]
    if class_names is None:
        return [heat, dict(x=x[:, 0], y=x[:, 1],
                           **{"marker.color": y.astype(np.float32)})]
    return [heat, *_class_groups(x, y, len(class_names))]


def neuron_figure(xs, z, train_x, train_y, labels: Mapping[str, str], *,
                  class_names: Sequence[str] | None = None) -> go.Figure:
    """One neuron's output over the plane, large (blue − / white 0 / red +, over its largest
    |value|, with a colour bar), the training points on top.

    xs (n,): the grid (both axes); z (n, n), row = x2. Points: one trace per class (integer
    targets, or class_names given) in the classes' colours and shapes, or (float targets)
    one trace coloured by the target. labels: x1, x2.
    Live: neuron_data(z, train_x, train_y, class_names=...).
    """
    heat, *groups = neuron_data(z, train_x, train_y, class_names=class_names)
    xs = np.asarray(xs, dtype=np.float64)
    if xs.shape != (heat["z"].shape[1],):
        raise ValueError(f"xs must have the map's {heat['z'].shape[1]} coordinates")
    x1, x2 = labels.get("x1", "x1"), labels.get("x2", "x2")
    fig = go.Figure(go.Heatmap(
        x=xs, y=xs, **heat, colorscale=DIVERGING, opacity=0.8, name="map",
        colorbar=dict(thickness=12),
        hovertemplate=f"{x1} = %{{x:.2f}}<br>{x2} = %{{y:.2f}}<br>%{{z:.3g}}<extra></extra>"))
    if len(groups) == 1 and "marker.color" in groups[0]:
        scale = _top(groups[0]["marker.color"]) or 1.0
        fig.add_trace(go.Scatter(x=groups[0]["x"], y=groups[0]["y"], mode="markers",
                                 marker=dict(color=groups[0]["marker.color"], cmin=-scale,
                                             cmax=scale, colorscale=DIVERGING, size=6,
                                             line=dict(width=0.8, color=INK)),
                                 hoverinfo="skip"))
    else:
        colors = _class_colors(len(groups))
        for c, data in enumerate(groups):
            fig.add_trace(go.Scatter(**data, mode="markers", hoverinfo="skip",
                                     name=class_names[c] if class_names else str(c),
                                     marker=dict(symbol=SYMBOLS[c % len(SYMBOLS)],
                                                 color=colors[c], size=6,
                                                 line=dict(width=0.8, color="white"))))
    _plane_axes(fig, labels)
    fig.update_layout(showlegend=False)
    return fig


# ---------------------------------------------------------------- confusion, gradient flow


def confusion_data(matrix, class_names: Sequence[str] | None = None) -> list[dict]:
    """confusion_figure's one trace: each row's shares (z) and the counts (text), as
    viz.mnist.confusion_data."""
    data = mnist.confusion_data(matrix)
    if class_names is not None and len(class_names) != data[0]["z"].shape[0]:
        raise ValueError(f"a {data[0]['z'].shape[0]}-class matrix but {len(class_names)} "
                         "class names")
    return data


def confusion_figure(matrix, class_names: Sequence[str],
                     labels: Mapping[str, str]) -> go.Figure:
    """The test data's confusion matrix: true class down, predicted across, the count in each
    cell, coloured by the share of its row; viz.mnist.confusion_figure with the class names.

    labels: x (predicted), y (truth), optional rate. Live: confusion_data(matrix, names).
    """
    confusion_data(matrix, class_names)  # checks the names
    fig = mnist.confusion_figure(matrix, labels)
    ticks = dict(tickvals=list(range(len(class_names))), ticktext=list(class_names))
    fig.update_xaxes(**ticks)
    fig.update_yaxes(**ticks)
    fig.update_layout(height=320)
    return fig


def grad_flow_data(names: Sequence[str], values: Sequence[float]) -> list[dict]:
    """grad_flow_figure's one trace: the layers' names (x) and mean |dW| (float32; a value
    that is not finite and > 0 is NaN: no bar on a log axis)."""
    v = np.asarray(values, dtype=np.float64)
    if v.shape != (len(names),):
        raise ValueError(f"{len(names)} names but {v.size} values")
    if (v < 0).any():
        raise ValueError("mean |dW| must be >= 0")
    v = np.where(np.isfinite(v) & (v > 0), v, np.nan)
    return [dict(x=[str(n) for n in names], y=v.astype(np.float32))]


def grad_flow_figure(names: Sequence[str], values: Sequence[float],
                     labels: Mapping[str, str]) -> go.Figure:
    """Mean |dW| of each weight matrix at the last step, one bar per layer (input side left),
    on a log axis: a gradient that vanishes towards the input shows as falling bars.

    This is the last step only (lessons.playground.grad_flow); a history per layer is
    viz.mnist.grad_flow_figure's. labels: x, y. Live: grad_flow_data(names, values).
    """
    data = grad_flow_data(names, values)[0]
    fig = go.Figure(go.Bar(**data, marker_color=[COLORS[i % len(COLORS)]
                                                 for i in range(len(names))],
                           texttemplate="%{y:.2~g}", textposition="outside", cliponaxis=False,
                           hovertemplate="%{x}: %{y:.3g}<extra></extra>"))
    fig.update_xaxes(title=labels["x"], type="category")
    fig.update_yaxes(title=labels["y"], type="log", exponentformat="power", dtick=1)
    fig.update_layout(showlegend=False)
    return fig
