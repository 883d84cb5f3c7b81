"""viz.playground: each figure's traces, its *_data twin, and the network diagram's layout.

The arrays are made here with numpy in the shapes lessons.playground gives (its LIM, grid,
region_probs, neuron_maps, edge_values), so that these tests stand on their own.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import plotly.graph_objects as go
import pytest

from tests.figure_arrays import trace_arrays
from viz import mnist
from viz import playground as vp
from viz.common import DIVERGING

N = 12  # the regions' grid in these tests
XS = np.linspace(-vp.LIM, vp.LIM, N)
LABELS = {"x1": "x1", "x2": "x2", "train": "train", "test": "test", "value": "y"}
CLASSES3 = ["c0", "c1", "c2"]


def softmax(a: np.ndarray, axis: int = 0) -> np.ndarray:
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def plane():
    x1, x2 = np.meshgrid(XS, XS)  # row = x2, as region_probs gives
    return x1, x2


def probs(k: int) -> np.ndarray:
    x1, x2 = plane()
    return softmax(np.stack([np.cos(x1 + c) * x2 for c in range(k)]))


def points(k: int, n: int = 30, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-6, 6, (n, 2)), rng.integers(0, k, n)


def maps_and_edges(sizes, n: int = 5, seed: int = 0):
    rng = np.random.default_rng(seed)
    maps = [rng.normal(size=(s, n, n)) for s in sizes]
    edges = [rng.normal(size=(a, b)) for a, b in pairwise(sizes)]
    return maps, edges


def net_figure(maps, edges, **kw):
    cols = [f"col{c}" for c in range(len(maps))]
    return vp.network_figure(maps, edges, column_labels=cols,
                             labels=kw.pop("labels", {"title": "weights"}), **kw)


# ---------------------------------------------------------------- decision regions


@pytest.mark.parametrize("k", [2, 3])
def test_regions_data_is_the_figures(k):
    x, y = points(k)
    tx, ty = points(k, 20, seed=1)
    p = probs(k)
    data = vp.regions_data(p, x, y, tx, ty, task="classification")
    fig = vp.regions_figure(XS, p, x, y, tx, ty, task="classification", labels=LABELS,
                            class_names=CLASSES3[:k])
    trace_arrays(fig, data, dtypes=True)
    assert len(data) == 1 + 2 * k  # the heatmap, k training groups, k test groups
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap) and data[0]["z"].dtype == np.int8
    assert data[0]["z"].shape == (N, N)
    np.testing.assert_array_equal(np.asarray(heat.x), XS)
    for c in range(k):
        np.testing.assert_array_equal(data[1 + c]["x"], x[y == c, 0])
        np.testing.assert_array_equal(data[1 + k + c]["y"], tx[ty == c, 1])
    train, test = fig.data[1:1 + k], fig.data[1 + k:]
    assert [tr.name for tr in train] == CLASSES3[:k]
    assert [tr.name for tr in test] == [f"{c} (test)" for c in CLASSES3[:k]]
    # each class its own colour and shape; test points the hollow version of that shape
    assert len({tr.marker.symbol for tr in train}) == len({tr.marker.color for tr in train}) == k
    for a, b in zip(train, test, strict=True):
        assert b.marker.symbol == f"{a.marker.symbol}-open" and b.marker.color == a.marker.color
    assert fig.layout.yaxis.scaleanchor == "x"
    assert tuple(fig.layout.xaxis.range) == tuple(fig.layout.yaxis.range) == (-6, 6)


def test_regions_without_test_data_keep_their_traces():
    x, y = points(3)
    p = probs(3)
    data = vp.regions_data(p, x, y, task="classification")
    shown = vp.regions_data(p, x, y, *points(3, 10, seed=2), task="classification")
    assert len(data) == len(shown) == 7
    assert all(len(d["x"]) == 0 for d in data[4:])
    trace_arrays(vp.regions_figure(XS, p, x, y, task="classification", labels=LABELS,
                                   class_names=CLASSES3), data, dtypes=True)


def test_two_classes_are_p1_minus_p0():
    p = probs(2)
    z = vp.region_z(p, task="classification")
    np.testing.assert_array_equal(z, np.rint((p[1] - p[0]) * 127).astype(np.int8))
    sign = vp.region_z(p, task="classification", discretize=True)
    np.testing.assert_array_equal(sign, np.sign(p[1] - p[0]).astype(np.int8) * 127)
    fig = vp.regions_figure(XS, p, *points(2), task="classification", labels=LABELS,
                            class_names=["a", "b"])
    assert (fig.data[0].zmin, fig.data[0].zmax) == (-127, 127)


def test_three_classes_are_bands_of_class_and_confidence():
    p = probs(3)
    z = vp.region_z(p, task="classification").astype(int)
    levels = 127 // 3
    np.testing.assert_array_equal(z // levels, p.argmax(axis=0))  # the band: the class
    conf = z % levels  # the level: how sure, rising with the largest probability
    top = p.max(axis=0).ravel()
    order = np.argsort(top)
    assert (np.diff(conf.ravel()[order]) >= 0).all()
    assert z.min() >= 0 and z.max() < 3 * levels
    sure = np.zeros((3, 2, 2))
    sure[2] = 1
    assert (vp.region_z(sure, task="classification") == 2 * levels + levels - 1).all()
    even = np.full((3, 2, 2), 1 / 3)
    assert (vp.region_z(even, task="classification") % levels == 0).all()
    flat = vp.region_z(p, task="classification", discretize=True).astype(int)
    np.testing.assert_array_equal(flat, p.argmax(axis=0) * levels + levels - 1)
    fig = vp.regions_figure(XS, p, *points(3), task="classification", labels=LABELS,
                            class_names=CLASSES3)
    heat = fig.data[0]
    assert (heat.zmin, heat.zmax) == (-0.5, 3 * levels - 0.5)
    positions = [s[0] for s in heat.colorscale]
    assert positions == sorted(positions) and positions[0] == 0 and positions[-1] == 1


def test_regression_regions():
    x1, x2 = plane()
    out = (np.tanh(x1 / 3) * 0.5)[None]
    x, _ = points(2)
    y = np.tanh(x[:, 0] / 3)
    tx = x[:5] + 0.1
    ty = y[:5]
    data = vp.regions_data(out, x, y, tx, ty, task="regression")
    fig = vp.regions_figure(XS, out, x, y, tx, ty, task="regression", labels=LABELS,
                            class_names=[])
    trace_arrays(fig, data, dtypes=True)
    assert [tr.name for tr in fig.data[1:]] == ["train", "test"]
    top = np.abs(y).max()  # the output is coloured on the targets' scale
    np.testing.assert_array_equal(data[0]["z"], np.rint(out[0] / top * 127).astype(np.int8))
    assert fig.data[1].marker.cmax == pytest.approx(top)
    np.testing.assert_array_equal(data[2]["marker.color"], ty.astype(np.float32))
    sign = vp.regions_data(out, x, y, task="regression", discretize=True)[0]["z"]
    assert set(np.unique(sign)) <= {-127, 0, 127}
    assert len(vp.regions_data(out, x, y, task="regression")) == 3


def test_regions_never_let_nan_through():
    p = probs(3)
    p[:, 0, 0] = np.nan
    z = vp.region_z(p, task="classification")
    assert z.dtype == np.int8 and 0 <= z[0, 0] < 3 * (127 // 3)
    two = probs(2)
    two[:, :2] = np.nan
    assert (vp.region_z(two, task="classification")[:2] == 0).all()


def test_regions_reject_what_does_not_fit():
    x, y = points(2)
    with pytest.raises(ValueError, match="class names"):
        vp.regions_figure(XS, probs(2), x, y, task="classification", labels=LABELS,
                          class_names=CLASSES3)
    with pytest.raises(ValueError, match="one output"):
        vp.region_z(probs(2), task="regression")
    with pytest.raises(ValueError, match="task"):
        vp.region_z(probs(2), task="clustering")
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        vp.regions_data(probs(2), x[:, :1], y, task="classification")
    with pytest.raises(ValueError, match="coordinates"):
        vp.regions_figure(XS[:-1], probs(2), x, y, task="classification", labels=LABELS,
                          class_names=["a", "b"])


# ---------------------------------------------------------------- loss


def test_loss_data_is_the_figures_and_grows_at_the_end():
    epochs = list(range(1, 9))
    train = [0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.18, 0.17]
    test = [0.72, 0.55, 0.45, 0.36, 0.3, 0.28, 0.27, None]
    labels = {"x": "epoch", "train": "train loss", "test": "test loss"}
    data = vp.loss_data(epochs, train, test)
    fig = vp.loss_figure(epochs, train, test, labels)
    trace_arrays(fig, data, dtypes=True)
    assert [tr.name for tr in fig.data] == ["train loss", "test loss"]
    assert data[0]["x"].dtype == np.int32 and np.isnan(data[1]["y"][-1])
    before = vp.loss_data(epochs[:5], train[:5], test[:5])
    for old, new in zip(before, data, strict=True):
        for key in ("x", "y"):
            np.testing.assert_array_equal(new[key][:5], old[key])
    assert vp.loss_figure(epochs, train, test, labels, log_y=True).layout.yaxis.type == "log"
    assert len(vp.loss_data([], [], [])[0]["x"]) == 0
    with pytest.raises(ValueError, match="3 epochs but 2 test"):
        vp.loss_data([1, 2, 3], [1, 2, 3], [1, 2])


# ---------------------------------------------------------------- the network diagram


def test_network_data_is_the_figures():
    maps, edges = maps_and_edges([2, 4, 2, 3])
    data = vp.network_data(maps, edges, selected=(1, 2),
                           column_labels=["col0", "col1", "col2", "col3"])
    fig = net_figure(maps, edges, selected=(1, 2))
    trace_arrays(fig, data, dtypes=True)
    assert len(fig.data) == 11
    assert isinstance(fig.data[0], go.Heatmap)
    assert all(isinstance(tr, go.Scatter) and tr.mode == "lines" for tr in fig.data[1:9])
    assert fig.data[9].mode == "markers" and fig.data[10].mode == "lines"
    assert fig.layout.title.text == "weights"
    # the live data without hover texts is the same but for them
    bare = vp.network_data(maps, edges, selected=(1, 2))
    assert "text" not in bare[9] and bare[9]["customdata"] == data[9]["customdata"]


def kind(trace) -> tuple:
    """What a live update cannot change: the trace's type, name, mode and line width."""
    mode = getattr(trace, "mode", None)
    return type(trace).__name__, trace.name, mode, trace.line.width if mode == "lines" else None


def test_network_traces_stay_when_the_weights_change():
    maps, edges = maps_and_edges([3, 8, 8, 2])
    fig = net_figure(maps, edges)
    shapes = [kind(tr) for tr in fig.data]
    for new in ([-e for e in edges], [e * 1e-6 for e in edges], [np.zeros_like(e) for e in edges],
                [np.full_like(e, 3.0) for e in edges]):
        other = net_figure(maps, new, selected=(2, 7))
        assert [kind(tr) for tr in other.data] == shapes
        assert len(vp.network_data(maps, new)) == len(fig.data)


def test_edges_are_coloured_by_sign_and_binned_by_size():
    maps, _ = maps_and_edges([2, 2])
    edges = [np.array([[-4.0, 0.5], [1.5, 4.0]])]  # |v| / 4: 1, 0.125, 0.375, 1
    data = vp.network_data(maps, edges)
    counts = [len(d["x"]) // 3 for d in data[1:9]]
    # bins thin to thick, positive then negative
    assert counts == [1, 0, 1, 0, 0, 0, 1, 1]
    fig = net_figure(maps, edges)
    pos, neg = fig.data[7].line.color, fig.data[8].line.color
    assert pos.startswith("rgba(178,24,43") and neg.startswith("rgba(33,102,172")  # DIVERGING
    assert DIVERGING[-1][1] == "#b2182b" and DIVERGING[0][1] == "#2166ac"
    widths = [fig.data[i].line.width for i in range(1, 9, 2)]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    # a segment runs from a tile's right side to the next column's left side
    x = data[7]["x"]
    assert x[0] == pytest.approx(1) and x[1] == pytest.approx(1 + vp.COL_GAP)  # tiles are 1 wide
    assert np.isnan(x[2])


def test_backprop_changes_the_title_only():
    maps, edges = maps_and_edges([2, 3, 2])
    w = net_figure(maps, edges, labels={"weight": "weights", "grad": "gradients"})
    g = net_figure(maps, edges, labels={"weight": "weights", "grad": "gradients"},
                   backprop=True)
    assert (w.layout.title.text, g.layout.title.text) == ("weights", "gradients")
    for a, b in zip(vp.network_data(maps, edges), vp.network_data(maps, edges, backprop=True),
                    strict=True):
        assert a.keys() == b.keys()
    assert len(w.data) == len(g.data)


def tile_at(heat: dict, x: float, y: float, n: int) -> np.ndarray:
    """The n × n block of z of the tile centred at (x, y): a tile is 1 × 1."""
    c0 = int(np.searchsorted(heat["x"], x - 0.5 + 1e-9)) - 1
    r0 = int(np.searchsorted(heat["y"], y - 0.5 + 1e-9)) - 1
    return heat["z"][r0:r0 + n, c0:c0 + n]


def test_click_customdata_names_the_neuron_under_it():
    n = 10
    sizes = [3, 5, 2, 4]
    maps, edges = maps_and_edges(sizes, n=n, seed=3)
    fig = net_figure(maps, edges)
    click = fig.data[9]
    heat = vp.network_data(maps, edges)[0]
    seen = []
    for x, y, (c, u), text in zip(click.x, click.y, click.customdata, click.text, strict=True):
        m = maps[c][u]
        want = np.rint(np.clip(m / np.abs(m).max(), -1, 1) * 127).astype(np.int8)
        np.testing.assert_array_equal(tile_at(heat, x, y, n), want)
        assert text == f"col{c} · {u + 1}"
        seen.append((c, u))
    assert seen == [(c, u) for c, s in enumerate(sizes) for u in range(s)]
    assert click.hovertemplate.startswith("%{text}")
    assert fig.data[0].hoverinfo == "skip"  # a click lands on the neuron, not on a cell
    labelled = vp.network_figure(maps, edges, column_labels=["in", "h1", "h2", "out"],
                                 unit_labels=[["x1", "x2", "x1x2"], None, None,
                                              ["a", "b", "c", "d"]], labels={})
    assert list(labelled.data[9].text[:3]) == ["in: x1", "in: x2", "in: x1x2"]
    notes = [a.text for a in labelled.layout.annotations]
    assert notes[:4] == ["in", "h1", "h2", "out"] and {"x1", "d"} <= set(notes)


def test_the_largest_network_has_every_tile_and_no_nan():
    """Seven inputs, 6 hidden layers of 8 and three outputs: 7 + 48 + 3 tiles."""
    n = 20
    sizes = [7, *[8] * 6, 3]
    maps, edges = maps_and_edges(sizes, n=n)
    data = vp.network_data(maps, edges, selected=(6, 7))
    heat = data[0]
    z = heat["z"]
    gc, gr = round(vp.COL_GAP * n), round(vp.ROW_GAP * n)  # the gaps, in whole cells
    assert z.dtype == np.int8 and z.shape == (8 * (n + gr) - gr, 8 * (n + gc) - gc)
    tiles = 7 + 48 + 3
    assert len(data[9]["customdata"]) == tiles
    assert (z != vp.GAP).sum() == tiles * n * n  # every tile cell is a map value
    assert (z[z != vp.GAP] >= -127).all()
    assert len(heat["x"]) == z.shape[1] + 1 and len(heat["y"]) == z.shape[0] + 1
    assert (np.diff(heat["x"]) > 0).all() and (np.diff(heat["y"]) > 0).all()
    for key in ("x", "y"):
        assert np.isfinite(heat[key]).all() and np.isfinite(data[9][key]).all()
        assert np.isfinite(data[10][key]).all()
    segments = 0
    for d in data[1:9]:
        for key in ("x", "y"):
            a = d[key].reshape(-1, 3)
            assert np.isfinite(a[:, :2]).all() and np.isnan(a[:, 2]).all()  # NaN: gaps only
        segments += len(d["x"]) // 3
    assert segments == 7 * 8 + 5 * 8 * 8 + 8 * 3
    # the gaps between tiles are whole cells of GAP: the second tile starts 1 + COL_GAP along
    assert heat["x"][n + gc] - heat["x"][0] == pytest.approx(1 + vp.COL_GAP)
    assert (z[:, n:n + gc] == vp.GAP).all()
    fig = net_figure(maps, edges)
    small = net_figure(*maps_and_edges([2, 2, 1], n=n))
    assert fig.layout.height > small.layout.height > 0


def test_network_maps_with_nan_or_zero_stay_in_range():
    maps, edges = maps_and_edges([2, 3, 2])
    maps[1][0] = 0.0
    maps[1][1, 0, 0] = np.nan
    edges[0][0, 0] = np.nan
    data = vp.network_data(maps, edges)
    z = data[0]["z"]
    assert (z[z != vp.GAP] >= -127).all()
    block = tile_at(data[0], data[9]["x"][2], data[9]["y"][2], 5)
    assert (block == 0).all()  # a neuron that is 0 everywhere is white
    for d in data[1:9]:
        assert np.isfinite(d["x"].reshape(-1, 3)[:, :2]).all()


def test_selected_neuron_is_framed():
    maps, edges = maps_and_edges([2, 3, 2])
    none = vp.network_data(maps, edges)[10]
    assert len(none["x"]) == 0
    frame = vp.network_data(maps, edges, selected=(1, 2))[10]
    click = vp.network_data(maps, edges)[9]
    i = click["customdata"].index([1, 2])
    cx, cy = click["x"][i], click["y"][i]
    assert frame["x"].min() < cx - 0.5 < cx + 0.5 < frame["x"].max()
    assert frame["y"].min() < cy - 0.5 < cy + 0.5 < frame["y"].max()
    for bad in ((3, 0), (1, 3), (-1, 0)):
        with pytest.raises(ValueError, match="not a neuron"):
            vp.network_data(maps, edges, selected=bad)


def test_network_rejects_mismatched_shapes():
    maps, edges = maps_and_edges([2, 3, 2])
    with pytest.raises(ValueError, match="edge arrays"):
        vp.network_data(maps, edges[:1])
    with pytest.raises(ValueError, match=r"shape \(3, 2\)"):
        vp.network_data(maps, [edges[0], edges[1].T])
    with pytest.raises(ValueError, match="units"):
        vp.network_data([maps[0], maps[1][:, :4, :4], maps[2]], edges)
    with pytest.raises(ValueError, match="column labels"):
        vp.network_figure(maps, edges, column_labels=["a"], labels={})


# ---------------------------------------------------------------- one neuron


def test_neuron_figure_with_classes_and_with_targets():
    g = np.linspace(-6, 6, 8)
    z = np.outer(g, g) / 10
    x, y = points(3)
    data = vp.neuron_data(z, x, y)
    fig = vp.neuron_figure(g, z, x, y, {"x1": "a", "x2": "b"})
    trace_arrays(fig, data, dtypes=True)
    assert len(data) == 1 + 3 and data[0]["z"].dtype == np.float32
    assert data[0]["zmax"] == pytest.approx(np.abs(z).max()) == -data[0]["zmin"]
    assert fig.data[0].colorscale[0][1] == DIVERGING[0][1]
    named = vp.neuron_figure(g, z, x, y, {}, class_names=CLASSES3)
    assert [tr.name for tr in named.data[1:]] == CLASSES3
    targets = np.tanh(x[:, 0])
    data = vp.neuron_data(z, x, targets)
    fig = vp.neuron_figure(g, z, x, targets, {"x1": "a", "x2": "b"})
    trace_arrays(fig, data, dtypes=True)
    assert len(data) == 2 and "marker.color" in data[1]
    assert fig.layout.xaxis.title.text == "a"


# ---------------------------------------------------------------- confusion, gradient flow


def test_confusion_figure_reuses_the_mnist_one_with_names():
    cm = np.array([[8, 1, 1], [0, 9, 1], [2, 0, 8]])
    labels = {"x": "predicted", "y": "truth"}
    data = vp.confusion_data(cm, CLASSES3)
    fig = vp.confusion_figure(cm, CLASSES3, labels)
    trace_arrays(fig, data, dtypes=True)
    np.testing.assert_array_equal(data[0]["z"], mnist.confusion_data(cm)[0]["z"])
    assert data[0]["text"][2] == ["2", "0", "8"]  # rows are the truth
    assert list(fig.layout.xaxis.ticktext) == CLASSES3 == list(fig.layout.yaxis.ticktext)
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]  # class 0 on top
    trace_arrays(vp.confusion_figure(cm[:2, :2], ["a", "b"], labels),
                 vp.confusion_data(cm[:2, :2], ["a", "b"]), dtypes=True)
    with pytest.raises(ValueError, match="class names"):
        vp.confusion_figure(cm, ["a", "b"], labels)


def test_grad_flow_bars_on_a_log_axis():
    names, values = ["W1", "W2", "W3"], [1e-4, 0.0, 0.02]
    data = vp.grad_flow_data(names, values)
    fig = vp.grad_flow_figure(names, values, {"x": "layer", "y": "mean |dW|"})
    trace_arrays(fig, data, dtypes=True)
    assert isinstance(fig.data[0], go.Bar) and fig.layout.yaxis.type == "log"
    assert data[0]["x"] == names and np.isnan(data[0]["y"][1])  # 0 has no bar on a log axis
    assert data[0]["y"].dtype == np.float32
    assert np.isnan(vp.grad_flow_data(["W1"], [np.inf])[0]["y"][0])
    with pytest.raises(ValueError, match=">= 0"):
        vp.grad_flow_data(names, [1.0, -1.0, 0.0])
    with pytest.raises(ValueError, match="3 names but 2 values"):
        vp.grad_flow_data(names, [1.0, 2.0])


def test_the_diagram_cells_are_evenly_spaced_and_other_grids_are_refused():
    maps, edges = maps_and_edges([7, 8, 8, 3], n=20)
    heat = vp.network_data(maps, edges)[0]
    for axis in ("x", "y"):  # one cell size everywhere: Plotly draws the heatmap as an image
        np.testing.assert_allclose(np.diff(heat[axis]), 1 / 20)
    maps, edges = maps_and_edges([2, 2], n=6)
    with pytest.raises(ValueError, match="multiple of 5"):
        vp.network_data(maps, edges)


def test_neuron_at_finds_the_tile_under_a_point_and_nothing_in_a_gap():
    sizes = [7, 8, 3, 2]
    maps, edges = maps_and_edges(sizes, n=5)
    click = vp.network_data(maps, edges)[9]
    for x, y, (c, u) in zip(click["x"], click["y"], click["customdata"], strict=True):
        assert vp.neuron_at(x, y, sizes) == (c, u)
        assert vp.neuron_at(x + 0.49, y - 0.49, sizes) == (c, u)  # a tile's corner
    assert vp.neuron_at(1 + vp.COL_GAP / 2, -0.5, sizes) is None  # between two columns
    assert vp.neuron_at(0.5, -1 - vp.ROW_GAP / 2, sizes) is None  # between two tiles
    assert vp.neuron_at(2 * (1 + vp.COL_GAP) + 0.5, -4 * (1 + vp.ROW_GAP) - 0.5, sizes) is None
    assert vp.neuron_at(-0.5, -0.5, sizes) is None
