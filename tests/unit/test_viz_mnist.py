"""viz.mnist: the MNIST lesson's figures, their content, and their size on the wire."""

import base64
import json
import struct
import zlib

import numpy as np
import plotly.graph_objects as go
import pytest

from engine.datasets import load_mnist
from engine.functions import softmax
from engine.network import MultiLayerNet
from engine.optimizers import Adam
from engine.trainer import Trainer
from viz import mnist as vm
from viz.common import COLORS, DIVERGING

LABELS = {"x": "x title", "y": "y title", "raw": "per batch", "smooth": "average",
          "train": "train", "test": "test", "chance": "chance", "rate": "share of row",
          "predicted": "predicted", "true": "true", "input": "X",
          "averaged": "rows averaged in blocks of {n}",
          "averaged_cols": "columns averaged in blocks of {n}"}
KB = 1024


def decode_png(uri: str) -> tuple[np.ndarray, np.ndarray, bytes]:
    """(indices (h, w), palette (256, 3), tRNS) of an 8-bit palette PNG data URI."""
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    data = base64.b64decode(uri[len(prefix):])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, idat = 8, {}, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(tag + body), tag
        if tag == b"IDAT":
            idat += body
        else:
            chunks[tag] = body
        pos += 12 + length
    w, h, depth, color_type, *_ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, color_type) == (8, 3)
    rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, w + 1)
    assert (rows[:, 0] == 0).all()  # every scanline unfiltered
    palette = np.frombuffer(chunks[b"PLTE"], dtype=np.uint8).reshape(-1, 3)
    return rows[:, 1:], palette, chunks.get(b"tRNS", b"")


def ema(values, alpha, k):
    """s_k written out: (1 − α)^k·y_0 + Σ_{i=1..k} α(1 − α)^(k−i)·y_i."""
    y = np.asarray(values, dtype=np.float64)
    i = np.arange(1, k + 1)
    return (1 - alpha) ** k * y[0] + np.sum(alpha * (1 - alpha) ** (k - i) * y[i])


@pytest.fixture(scope="module")
def mnist():
    return load_mnist(keep_uint8=True)


@pytest.fixture(scope="module")
def trained(mnist):
    """A 784-100-10 network after 400 Adam steps on 4000 digits, and what it got wrong."""
    (x, t), (xt, tt) = mnist
    net = MultiLayerNet(784, [100], 10, seed=0)
    trainer = Trainer(net, Adam(lr=0.001), x[:4000], t[:4000], xt[:1000], tt[:1000],
                      batch_size=20, seed=0, eval_samples=1000, stats_every=1)
    trainer.run(max_steps=400)
    proba = softmax(net.predict(xt[:1000] / np.float32(255)))
    pred = proba.argmax(axis=1)
    cm = np.zeros((10, 10), dtype=np.int64)
    np.add.at(cm, (tt[:1000], pred), 1)
    wrong = np.flatnonzero(pred != tt[:1000])
    return dict(net=net, history=trainer.history, proba=proba, pred=pred, cm=cm, wrong=wrong,
                x_test=xt[:1000], t_test=tt[:1000])


@pytest.fixture(scope="module")
def long_history():
    """A 2000-step loss curve and gradient statistics, shaped like a real run."""
    rng = np.random.default_rng(0)
    steps = np.arange(1, 2001)
    loss = 2.3 * np.exp(-steps / 300) + 0.1 + 0.15 * rng.random(2000)
    grads = {"W1": (steps, 1e-3 * (1 + rng.random(2000))),
             "W2": (steps, 1e-2 * (1 + rng.random(2000)))}
    return steps, loss, grads


def misclassified_grid(trained, n=24):
    idx = trained["wrong"][:n]
    p = trained["proba"][idx]
    captions = [f"t={t} → {k}<br>{100 * q.max():.0f}%"
                for t, k, q in zip(trained["t_test"][idx], trained["pred"][idx], p, strict=True)]
    return vm.digit_grid(trained["x_test"][idx], captions, cols=8)


def chain_steps(x_uint8):
    """784-100-100-10 inference on one digit, as the chain figure's steps."""
    net = MultiLayerNet(784, [100, 100], 10, seed=0)
    x = (x_uint8 / np.float32(255)).astype(np.float32)
    trace = dict(net.forward_trace(x[None]))
    steps, v = [], x
    for k in (1, 2, 3):
        z = trace[f"Affine{k}"][0]
        a = trace[f"Activation{k}"][0] if k < 3 else softmax(z)
        steps.append(dict(name=f"W{k}", W=net.params[f"W{k}"], x_in=v, z=z, a=a))
        v = a
    return steps


# ---------------------------------------------------------------- helpers


def test_figure_bytes_is_the_utf8_length_of_the_json():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    assert vm.figure_bytes(fig) == len(fig.to_json())
    fig.update_layout(title="손실")
    # plotly writes Hangul as UTF-8 (3 bytes a syllable) with orjson installed, or as
    # \uXXXX escapes (6 ASCII bytes) without it: bytes are counted either way
    text = fig.to_json()
    assert vm.figure_bytes(fig) == len(text.encode("utf-8"))
    assert vm.figure_bytes(fig) - len(text) in (0, 4)


def test_downsample_keeps_the_ends_and_at_most_max_points():
    x = np.arange(2000)
    xs, ys = vm.downsample(x, x * 2.0, 400)
    assert len(xs) <= 400 and xs[0] == 0 and xs[-1] == 1999
    assert np.array_equal(ys, xs * 2.0)
    gaps = np.diff(xs)
    assert gaps.min() >= 4 and gaps.max() <= 6  # evenly spaced: 1999 / 399 ≈ 5
    short, _ = vm.downsample(x[:10], x[:10], 400)
    assert np.array_equal(short, x[:10])
    two, _ = vm.downsample(x, x, 2)
    assert two.tolist() == [0, 1999]
    with pytest.raises(ValueError, match="max_points"):
        vm.downsample(x, x, 1)
    with pytest.raises(ValueError, match="one length"):
        vm.downsample(x, x[:5])


def test_tile_images_lays_tiles_in_rows_with_gaps():
    tiles = np.arange(1, 17, dtype=np.int8)[:, None, None] * np.ones((16, 28, 28), np.int8)
    out = vm.tile_images(tiles, 8, gap=2)
    assert out.shape == (2 * (28 + 2), 8 * (28 + 2)) and out.dtype == np.int8
    assert out[1, 1] == 1 and out[1 + 30, 1 + 30 * 3] == 12  # row 1, column 3: tile 12
    assert out[0].max() == 0 and out[:, 29].max() == 0  # the gaps
    with_band = vm.tile_images(tiles[:3].astype(np.uint8), 8, gap=2, band=5, fill=7)
    assert with_band.shape == (5 + 30, 3 * 30)  # three tiles: three columns
    assert (with_band[:6] == 7).all() and with_band[6, 1] == 1
    flat = vm.tile_images(np.zeros((5, 784), np.uint8), 2)
    assert flat.shape == (3 * 30, 2 * 30)
    with pytest.raises(ValueError, match="square"):
        vm.tile_images(np.zeros((2, 780)), 2)
    with pytest.raises(ValueError, match="empty"):
        vm.tile_images(np.zeros((0, 28, 28)), 2)


def test_block_mean_averages_blocks_of_rows():
    a = np.arange(20.0).reshape(10, 2)
    avg, f = vm.block_mean(a, 0, max_cells=4)
    assert f == 3 and avg.shape == (4, 2)
    assert np.allclose(avg[0], a[:3].mean(axis=0)) and np.allclose(avg[3], a[9])
    same, f1 = vm.block_mean(a, 0, max_cells=10)
    assert f1 == 1 and same is a


# ---------------------------------------------------------------- the data


def test_digit_grid_is_one_png_with_frames_bands_and_captions(mnist):
    (x, t), _ = mnist
    fig = vm.digit_grid(x[:16], [str(v) for v in t[:16]], cols=8)
    assert len(fig.data) == 1 and isinstance(fig.data[0], go.Image)
    idx, palette, trns = decode_png(fig.data[0].source)
    band = (idx.shape[0] - 2 * 30) // 2
    assert band > 0 and idx.shape == (2 * (band + 30), 8 * 30) and idx.dtype == np.uint8
    assert trns[:1] == b"\x00"  # entry 0, the caption band, is transparent
    assert (idx[:band] == 0).all() and (idx[band] == 1).all()  # band, then the frame
    # tile 9 (row 1, column 1): its pixels are the digit's, 0..255 -> levels 2..255
    top, left = (band + 30) + band + 1, 30 + 1
    tile = idx[top:top + 28, left:left + 28]
    assert np.array_equal(tile, 2 + np.rint(x[9].reshape(28, 28) * (253 / 255)).astype(np.uint8))
    assert tuple(palette[2]) == (254, 254, 253) and tuple(palette[255]) == (0, 0, 0)  # gray_r
    texts = [a.text for a in fig.layout.annotations]
    assert texts == [str(v) for v in t[:16]]
    assert fig.layout.annotations[9].x == pytest.approx(30 + 14.5)  # over tile 9's centre
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.xaxis.visible is False


def test_digit_grid_scales_float_images_and_checks_its_input(mnist):
    (x, t), _ = mnist
    means = np.stack([x[t == d].mean(axis=0) for d in range(10)])  # float, max < 255
    fig = vm.digit_grid(means, None, cols=5, colorscale="Viridis")
    idx, palette, _ = decode_png(fig.data[0].source)
    assert idx.shape == (2 * 30, 5 * 30)  # no captions: no band
    assert idx.max() == 255  # the brightest mean pixel gets the top of the scale
    assert tuple(palette[2]) == (68, 1, 84)  # Viridis starts dark purple
    assert not fig.layout.annotations
    with pytest.raises(ValueError, match="captions"):
        vm.digit_grid(x[:3], ["a"])
    with pytest.raises(ValueError, match="NaN"):
        vm.digit_grid(np.full((2, 784), np.nan), None)
    with pytest.raises(ValueError, match="colour scale"):
        vm.digit_grid(x[:2], None, colorscale="no-such-scale")


def test_class_counts_figure_writes_each_count(mnist):
    (_, t), _ = mnist
    counts = np.bincount(t, minlength=10)
    fig = vm.class_counts_figure(counts, LABELS)
    (bar,) = fig.data
    assert isinstance(bar, go.Bar) and np.array_equal(bar.y, counts)
    assert list(bar.x) == list(range(10)) and bar.texttemplate == "%{y}"
    assert fig.layout.yaxis.range[1] > counts.max()  # room for the numbers
    assert fig.layout.xaxis.title.text == "x title"
    with pytest.raises(ValueError, match=">= 0"):
        vm.class_counts_figure([1, -1], LABELS)


def test_pixel_histogram_figure_uses_the_bins(mnist):
    (x, _), _ = mnist
    counts, edges = np.histogram(x[:500], bins=32, range=(0, 256))
    fig = vm.pixel_histogram_figure(counts, edges, LABELS)
    (bar,) = fig.data
    assert np.allclose(bar.width, 8) and np.allclose(bar.x, edges[:-1] + 4)
    assert np.array_equal(bar.y, counts) and fig.layout.yaxis.type == "log"
    assert vm.pixel_histogram_figure(counts, edges, LABELS, log_y=False).layout.yaxis.type is None
    with pytest.raises(ValueError, match="edges"):
        vm.pixel_histogram_figure(counts, edges[:-1], LABELS)


# ---------------------------------------------------------------- training curves


def test_loss_figure_smooths_the_whole_series_then_thins_it(long_history):
    steps, loss, _ = long_history
    fig = vm.loss_figure(steps, loss, LABELS, smooth_alpha=0.05, max_points=400)
    raw, avg = fig.data
    assert (raw.name, avg.name) == ("per batch", "average")
    assert avg.line.width > raw.line.width
    assert len(raw.x) <= 400 and raw.x[0] == 1 and raw.x[-1] == 2000
    assert np.array_equal(raw.x, avg.x) and raw.y.dtype == np.float32
    for j in (0, 1, 57, len(avg.x) - 1):
        k = int(avg.x[j]) - 1  # step s is entry s - 1 of the full series
        assert avg.y[j] == pytest.approx(ema(loss, 0.05, k), rel=1e-6)
        assert raw.y[j] == pytest.approx(loss[k], rel=1e-6)
    with pytest.raises(ValueError, match="NaN"):
        vm.loss_figure([1, 2], [1.0, np.nan], LABELS)


def test_loss_figure_from_a_real_trainer(trained):
    series = trained["history"].loss
    fig = vm.loss_figure(series.x, series.y, LABELS, max_points=100)
    assert len(fig.data[0].x) == 100 and fig.data[0].x[-1] == 400
    assert fig.data[1].y[-1] < fig.data[1].y[0]  # it learned


def test_curves_before_the_first_step_are_empty_axes():
    loss = vm.loss_figure([], [], LABELS)
    assert [len(tr.x) for tr in loss.data] == [0, 0]
    grads = vm.grad_flow_figure({"W1": ([], [])}, LABELS)
    assert [len(tr.x) for tr in grads.data] == [0]
    acc = vm.accuracy_figure([], [], [], LABELS)
    assert len(acc.data) == 0 and len(acc.layout.shapes) == 1  # only the chance line


def test_accuracy_figure_in_percent_with_gaps_and_chance(trained):
    epochs = trained["history"].epochs
    fig = vm.accuracy_figure([e.epoch for e in epochs], [e.train_acc for e in epochs],
                             [e.test_acc for e in epochs], LABELS)
    train, test = fig.data
    assert train.mode == "lines+markers" and test.name == "test"
    assert test.y[-1] == pytest.approx(100 * epochs[-1].test_acc, rel=1e-6)
    # trained accuracies (~90 %): the axis starts just below the lowest, chance is off it
    lowest = min(100 * a for e in epochs for a in (e.train_acc, e.test_acc))
    assert fig.layout.yaxis.range == (np.floor(lowest) - 2, 100)
    assert not fig.layout.shapes
    assert fig.layout.yaxis.ticksuffix == "%"
    early = vm.accuracy_figure([1, 2], [0.08, 0.6], [0.11, 0.62], LABELS)
    (line,) = early.layout.shapes  # near chance: the axis goes to 0 and chance is drawn
    assert line.y0 == line.y1 == pytest.approx(10) and line.line.dash == "dot"
    assert "chance" in [a.text for a in early.layout.annotations]
    assert early.layout.yaxis.range == (0, 100)
    assert early.layout.xaxis.dtick == 1  # whole epochs
    assert vm.accuracy_figure(list(range(1, 31)), [0.9] * 30, [0.9] * 30,
                              LABELS).layout.xaxis.dtick == 3
    gaps = vm.accuracy_figure([1, 2, 3], [0.5, None, 0.7], [None] * 3, LABELS)
    (only,) = gaps.data  # the all-None test series is not drawn
    assert only.name == "train" and np.isnan(only.y[1]) and only.y[2] == pytest.approx(70)
    with pytest.raises(ValueError, match="fractions"):
        vm.accuracy_figure([1], [97.0], [None], LABELS)
    with pytest.raises(ValueError, match="epochs"):
        vm.accuracy_figure([1, 2], [0.5], [0.5, 0.6], LABELS)


def test_grad_flow_figure_one_coloured_line_per_layer(trained, long_history):
    stats = trained["history"].grad_stats
    fig = vm.grad_flow_figure({k: (s.x, s.y) for k, s in stats.items()}, LABELS)
    assert [tr.name for tr in fig.data] == ["W1", "W2"]
    assert [tr.line.color for tr in fig.data] == list(COLORS[:2])
    assert fig.layout.yaxis.type == "log" and len(fig.data[0].x) == 400
    _, _, grads = long_history
    long = vm.grad_flow_figure(grads, LABELS, max_points=300)
    assert all(len(tr.x) <= 300 and tr.x[0] == 1 and tr.x[-1] == 2000 for tr in long.data)
    with pytest.raises(ValueError, match=">= 0"):
        vm.grad_flow_figure({"W1": ([1, 2], [1e-3, -1.0])}, LABELS)


# ---------------------------------------------------------------- what the network learned


def test_weight_tiles_are_int8_each_scaled_by_its_own_max(trained):
    W1 = trained["net"].params["W1"]
    fig = vm.weight_tiles_figure(W1, n=16, cols=8)
    (hm,) = fig.data
    z = hm.z
    assert isinstance(hm, go.Heatmap) and z.dtype == np.int8 and z.shape == (2 * 30, 8 * 30)
    assert [c for _, c in hm.colorscale] == [c for _, c in DIVERGING]
    assert (hm.zmin, hm.zmax) == (-127, 127)
    tiles = vm.tile_images(W1[:, :16].T.reshape(16, 28, 28), 8)
    for k in (0, 5, 15):
        r, c = divmod(k, 8)
        tile = z[r * 30 + 1:r * 30 + 29, c * 30 + 1:c * 30 + 29].astype(float)
        w = tiles[r * 30 + 1:r * 30 + 29, c * 30 + 1:c * 30 + 29]
        assert np.abs(tile).max() == 127  # every tile uses the whole scale
        assert np.allclose(tile / 127, w / np.abs(w).max(), atol=0.5 / 127 + 1e-6)
    few = vm.weight_tiles_figure(W1[:, :3], n=16, caption="unit {k}")
    assert [a.text for a in few.layout.annotations] == ["unit 1", "unit 2", "unit 3"]
    assert few.data[0].z.shape == (1 + 30, 3 * 30)
    assert len(few.data[0].y) == 31 + 1  # row edges: the caption row is taller
    with pytest.raises(ValueError, match="square"):
        vm.weight_tiles_figure(np.zeros((780, 4)))



def sign_keys(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.name == "sign_key"]


def test_the_weights_are_red_positive_blue_negative_with_the_key_once(trained, mnist):
    """One sign convention: DIVERGING (blue −, white 0, red +) centred at 0, stated once by
    viz.common.sign_key, on the first layer's tiles and on the chain's weight heatmaps."""
    W1 = trained["net"].params["W1"]
    assert DIVERGING[0][1] == "#2166ac" and DIVERGING[-1][1] == "#b2182b"  # blue −, red +
    tiles = vm.weight_tiles_figure(W1, n=16, cols=8, sign_label="빨강 +, 파랑 −")
    assert sign_keys(tiles) == ["빨강 +, 파랑 −"]
    (hm,) = tiles.data
    assert hm.zmin == -hm.zmax  # white is 0
    first = np.unravel_index(np.argmax(np.abs(W1[:, 0])), (28, 28))  # unit 1's largest |w|
    assert np.sign(hm.z[1 + first[0], 1 + first[1]]) == np.sign(W1[:, 0].reshape(28, 28)[first])
    captioned = vm.weight_tiles_figure(W1[:, :3], caption="unit {k}", sign_label="red +")
    assert sign_keys(captioned) == ["red +"] and len(captioned.layout.annotations) == 4
    assert sign_keys(vm.weight_tiles_figure(W1)) == []  # no label, no key
    (x, _), _ = mnist
    chain = vm.chain_figure(chain_steps(x[0]), LABELS, sign_label="red +, blue −")
    assert sign_keys(chain) == ["red +, blue −"]
    axis = chain.layout.coloraxis
    assert [c for _, c in axis.colorscale] == [c for _, c in DIVERGING]
    assert axis.cmin == -axis.cmax
    # the key keeps its own small size; the panels' titles keep the theme's
    assert chain.layout.annotations[-1].font.size == 12

def test_confusion_figure_counts_and_row_rates(trained):
    cm = trained["cm"]
    fig = vm.confusion_figure(cm, LABELS)
    (hm,) = fig.data
    rates = cm / cm.sum(axis=1, keepdims=True)
    assert np.allclose(hm.z, rates, atol=1e-6)
    assert hm.text[3][5] == str(cm[3, 5]) and hm.texttemplate == "%{text}"
    assert list(fig.layout.yaxis.range) == [9.5, -0.5]  # true class 0 on top
    assert fig.layout.xaxis.title.text == "x title" and fig.layout.yaxis.scaleanchor == "x"
    empty_row = cm.copy()
    empty_row[4] = 0
    assert np.all(vm.confusion_figure(empty_row, LABELS).data[0].z[4] == 0)
    assert fig.data[0].colorbar.title.text == "share of row"
    assert not vm.confusion_figure(cm, {"x": "p", "y": "t"}).data[0].colorbar.title.text
    with pytest.raises(ValueError, match="square"):
        vm.confusion_figure(np.ones((10, 9)), LABELS)


def test_probability_figure_marks_prediction_and_true_class():
    p = np.array([0.02, 0.03, 0.8, 0.05, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01])
    fig = vm.probability_figure(p, LABELS, highlight=3)
    (bar,) = fig.data
    assert len(bar.x) == 10 and bar.y[2] == pytest.approx(80)
    assert bar.marker.color[2] == COLORS[1]  # predicted 2, true 3: wrong, red
    assert bar.marker.line.width[3] > 0 and bar.marker.line.width[2] == 0
    marks = {a.x: a.text for a in fig.layout.annotations}
    assert marks == {2: "predicted", 3: "true"}
    right = vm.probability_figure(p, LABELS, highlight=2)
    assert right.data[0].marker.color[2] == vm.palette.RIGHT  # a dark green
    assert [a.text for a in right.layout.annotations] == ["predicted = true"]
    assert len(vm.probability_figure(p, LABELS).layout.annotations) == 1
    bare = vm.probability_figure(p, {"x": "digit", "y": "p"}, highlight=3)
    assert not bare.layout.annotations and bare.data[0].marker.color[2] == COLORS[1]
    with pytest.raises(ValueError, match="highlight"):
        vm.probability_figure(p, LABELS, highlight=10)
    with pytest.raises(ValueError, match="probabilities"):
        vm.probability_figure(p * 2, LABELS)


def test_chain_figure_784_100_100_10(mnist):
    (x, _), _ = mnist
    steps = chain_steps(x[0])
    fig = vm.chain_figure(steps, LABELS)
    kinds = [type(tr).__name__ for tr in fig.data]
    assert kinds == ["Image", "Heatmap"] + ["Heatmap"] * 9  # X, x, then W, z, a three times
    mats = {tr.name: tr for tr in fig.data if tr.name in ("W1", "W2", "W3")}
    assert mats["W1"].z.shape == (98, 100) and mats["W2"].z.shape == (100, 100)
    assert mats["W3"].z.shape == (100, 10) and all(m.z.dtype == np.int8 for m in mats.values())
    W1_avg = steps[0]["W"].reshape(98, 8, 100).mean(axis=1)
    top = np.percentile(np.abs(W1_avg), 99)
    assert np.allclose(mats["W1"].z, np.clip(W1_avg / top, -1, 1) * 127, atol=0.51)
    titles = [a.text for a in fig.layout.annotations]
    assert {"X", "W1 (784×100)", "W2 (100×100)", "W3 (100×10)"} <= set(titles)
    assert fig.layout.xaxis3.title.text == "rows averaged in blocks of 8"
    probs = fig.data[-1]
    assert probs.name == "y" and probs.z.shape == (10, 1)
    assert fig.layout.yaxis8.title.text is None  # no 'proba' label given
    named = vm.chain_figure(steps, {**LABELS, "proba": "probabilities"})
    assert named.layout.yaxis8.title.text == "probabilities"
    assert np.allclose(probs.customdata[:, 0], steps[-1]["a"], atol=1e-6)
    assert np.array_equal(probs.z[:, 0], np.rint(steps[-1]["a"] * 127).astype(np.int8))
    w1, w2, w3 = (fig.layout[f"xaxis{i}"].domain for i in (3, 5, 7))  # W1, W2, W3's panels
    assert w1[1] - w1[0] == pytest.approx(w2[1] - w2[0])  # 100 columns each
    assert w3[1] - w3[0] == pytest.approx((w2[1] - w2[0]) / 10)  # 10 columns
    assert vm.figure_bytes(fig) < 120 * KB


def test_chain_figure_averages_a_wide_layer_both_ways():
    rng = np.random.default_rng(1)
    W1, W2 = rng.standard_normal((784, 250)), rng.standard_normal((250, 10))
    x = rng.random(784)
    z1 = x @ W1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W2
    steps = [dict(name="W1", W=W1, x_in=x, z=z1, a=a1),
             dict(name="W2", W=W2, x_in=a1, z=z2, a=softmax(z2))]
    fig = vm.chain_figure(steps, LABELS)
    w1 = next(tr for tr in fig.data if tr.name == "W1")
    assert w1.z.shape == (98, 84)  # 784 / 8 rows, 250 / 3 columns (the last block of 1)
    assert fig.layout.xaxis3.title.text == ("rows averaged in blocks of 8<br>"
                                             "columns averaged in blocks of 3")
    a1_strip = next(tr for tr in fig.data if tr.name == "a<sub>1</sub>")
    assert np.allclose(a1_strip.customdata[0, 0], a1[:3].mean(), rtol=1e-5)
    assert next(tr for tr in fig.data if tr.name == "W2").z.shape == (84, 10)


def test_chain_figure_checks_the_shapes(mnist):
    (x, _), _ = mnist
    steps = chain_steps(x[0])
    short = dict(steps[1], W=steps[1]["W"][:50], x_in=steps[1]["x_in"][:50])
    with pytest.raises(ValueError, match="rows but the step before"):
        vm.chain_figure([steps[0], short], LABELS)
    bad = dict(steps[0], z=steps[0]["z"][:5])
    with pytest.raises(ValueError, match="columns"):
        vm.chain_figure([bad], LABELS)
    with pytest.raises(ValueError, match="at least one"):
        vm.chain_figure([], LABELS)


def test_preprocess_figure_one_image_per_step_and_the_centre(mnist):
    (x, _), _ = mnist
    digit = x[0].reshape(28, 28)
    canvas = np.kron(digit, np.ones((10, 10), np.uint8))  # a 280×280 drawing
    fig = vm.preprocess_figure([canvas, digit[4:24, 4:24] / 255.0, digit],
                               ["canvas", "crop", "28×28"], centres=[None, None, (13.2, 14.8)])
    images = [tr for tr in fig.data if isinstance(tr, go.Image)]
    assert len(images) == 3
    assert decode_png(images[0].source)[0].shape == (280, 280)
    assert decode_png(images[1].source)[0].max() == 255  # a float image: 0..its max
    (mark,) = [tr for tr in fig.data if isinstance(tr, go.Scatter)]
    assert (mark.x[0], mark.y[0], mark.xaxis) == (14.8, 13.2, "x3")
    assert [a.text for a in fig.layout.annotations] == ["canvas", "crop", "28×28"]
    with pytest.raises(ValueError, match="title"):
        vm.preprocess_figure([digit], ["a", "b"])


# ---------------------------------------------------------------- size on the wire


def test_every_figure_is_small_and_the_live_redraw_too(mnist, trained, long_history):
    (x, t), _ = mnist
    steps, loss, grads = long_history
    W1 = MultiLayerNet(784, [100], 10, seed=0).params["W1"]
    counts, edges = np.histogram(x[:2000], bins=64, range=(0, 256))
    live = {
        "loss": vm.loss_figure(steps, loss, LABELS),
        "accuracy": vm.accuracy_figure(np.arange(1, 21), np.linspace(0.9, 0.99, 20),
                                       np.linspace(0.89, 0.98, 20), LABELS),
        "grad_flow": vm.grad_flow_figure(grads, LABELS),
        "weights": vm.weight_tiles_figure(W1, n=16, cols=8, caption="unit {k}"),
        "confusion": vm.confusion_figure(trained["cm"] * 10, LABELS),
        "misclassified": misclassified_grid(trained, 24),
    }
    others = {
        "samples": vm.digit_grid(x[:30], [str(v) for v in t[:30]], cols=10),
        "means": vm.digit_grid(np.stack([x[t == d].mean(axis=0) for d in range(10)]),
                               [str(d) for d in range(10)]),
        "counts": vm.class_counts_figure(np.bincount(t), LABELS),
        "histogram": vm.pixel_histogram_figure(counts, edges, LABELS),
        "probability": vm.probability_figure(trained["proba"][0], LABELS, highlight=7),
        "preprocess": vm.preprocess_figure(
            [np.kron(x[0].reshape(28, 28), np.ones((10, 10), np.uint8)), x[0].reshape(28, 28)],
            ["canvas", "28×28"], centres=[None, (14, 14)]),
    }
    sizes = {name: vm.figure_bytes(fig) for name, fig in {**live, **others}.items()}
    assert len(misclassified_grid(trained, 24).layout.annotations) == 24
    assert all(size < 40 * KB for size in sizes.values()), sizes
    assert sum(sizes[name] for name in live) < 150 * KB, sizes


def test_data_put_into_a_built_figure_equals_building_again(trained, long_history):
    """A live chart is built once and then takes its *_data arrays (ui.live_chart): the
    figure they make must be exactly the one a fresh build would give, traces and layout."""
    net, history = trained["net"], trained["history"]
    steps, losses, _ = long_history
    grads = {k: (s.x, s.y) for k, s in history.grad_stats.items()}
    cases = [
        (lambda n: vm.loss_figure(steps[:n], losses[:n], LABELS),
         lambda n: vm.loss_data(steps[:n], losses[:n])),
        (lambda n: vm.grad_flow_figure({k: (x[:n], y[:n]) for k, (x, y) in grads.items()},
                                       LABELS),
         lambda n: vm.grad_flow_data({k: (x[:n], y[:n]) for k, (x, y) in grads.items()})),
        (lambda n: vm.weight_tiles_figure(net.params["W1"] * n, n=16, cols=8),
         lambda n: vm.weight_tiles_data(net.params["W1"] * n, n=16, cols=8)),
        (lambda n: vm.confusion_figure(trained["cm"] * n, LABELS),
         lambda n: vm.confusion_data(trained["cm"] * n)),
    ]
    for build, data in cases:
        fig = build(20)
        with fig.batch_update():  # what a live chart does in the browser
            for trace, new in zip(fig.data, data(40), strict=True):
                trace.update(new)
        assert json.loads(fig.to_json()) == json.loads(build(40).to_json())
