"""Figures for the MNIST lesson: digit grids, class counts, training curves, weights, the chain.

Pure functions from arrays and translated labels to go.Figure. The page retrains the
network live and redraws several times a second, so every figure is small on the wire
(figure_bytes): arrays go to plotly as numpy (sent as base64 typed arrays), big
heatmaps as int8, long series thinned to `max_points`, and digit images as one
palette PNG (24 digits: about 7 KB, against 31 KB as a uint8 heatmap).
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import plotly.colors as pcolors
import plotly.exceptions
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.backend import to_numpy
from viz import palette
from viz.common import COLORS, DIVERGING, INK, legend_on_top, sign_key, smooth

LIGHT = palette.LIGHT
FRAME = palette.FRAME  # the 2-pixel lines between digits in a grid
MARGIN_Y = 30 + 60  # style_figure's top and bottom margins (no title)
SIGN_KEY_RAISE = 24  # px: the chain's sign key, above its panels' titles
LEVELS = 254  # ink levels of a drawn digit: palette entries 2..255
TRANSPARENT, FRAMED = 0, 1  # palette entries: caption bands, lines between tiles


def figure_bytes(fig: go.Figure) -> int:
    """Bytes Streamlit sends for `fig`: its JSON (plotly.io.to_json), UTF-8 encoded."""
    return len(fig.to_json().encode("utf-8"))


# ---------------------------------------------------------------- checks and helpers


def _finite(values, name: str, ndim: int | None = None) -> np.ndarray:
    """`values` as a float64 numpy array (host copy of a cupy one), checked."""
    a = np.asarray(to_numpy(values), dtype=np.float64)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _side(size: int, name: str) -> int:
    side = math.isqrt(size)
    if side * side != size:
        raise ValueError(f"{name} has {size} pixels, not a square number (28×28 = 784)")
    return side


def _image_stack(images, name: str = "images") -> np.ndarray:
    """(n, h, w) from (n, h, w) or (n, side²); any real dtype, finite."""
    a = np.asarray(to_numpy(images))
    if a.dtype.kind not in "uif":
        raise ValueError(f"{name} must be numbers, got dtype {a.dtype}")
    if a.ndim == 2:
        side = _side(a.shape[1], f"each of {name}")
        a = a.reshape(len(a), side, side)
    if a.ndim != 3:
        raise ValueError(f"{name} must have shape (n, 784) or (n, 28, 28), got {a.shape}")
    if len(a) == 0:
        raise ValueError(f"{name} is empty: nothing to draw")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"{name} contain NaN or infinite values")
    return a


def _positive(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def downsample(x, y, max_points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """At most `max_points` evenly spaced points of (x, y), the first and last always kept."""
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) \
            or max_points < 2:
        raise ValueError(f"max_points must be an integer >= 2, got {max_points!r}")
    x, y = np.asarray(to_numpy(x)), np.asarray(to_numpy(y))
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of one length, got {x.shape} and {y.shape}")
    if len(x) <= max_points:
        return x, y
    keep = np.unique(np.linspace(0, len(x) - 1, max_points).round().astype(np.int64))
    return x[keep], y[keep]


def _wire_x(x: np.ndarray) -> np.ndarray:
    """Steps as int32 (4 bytes a point) when they are whole numbers, else float32."""
    if x.dtype.kind in "iu" and (len(x) == 0 or np.abs(x).max() < 2**31):
        return x.astype(np.int32)
    return x.astype(np.float32)


def tile_images(images, cols: int, *, gap: int = 2, band: int = 0, fill=0) -> np.ndarray:
    """(n, h, w) images (or (n, side²)) in rows of `cols`, as one array of their dtype.

    Each image has a slot of (band + h + gap) rows × (w + gap) columns: `band` empty rows
    on top (room for a caption), then the image, gap // 2 from the slot's top-left.
    Shape: (rows · (band + h + gap), min(cols, n) · (w + gap)); the rest is `fill`.
    """
    imgs = _image_stack(images)
    cols, n = min(_positive(cols, "cols"), len(imgs)), len(imgs)
    if gap < 0 or band < 0:
        raise ValueError(f"gap and band must be >= 0, got {gap} and {band}")
    _, h, w = imgs.shape
    rows = -(-n // cols)
    sh, sw = band + h + gap, w + gap
    padded = np.full((rows * cols, h, w), fill, dtype=imgs.dtype)
    padded[:n] = imgs
    out = np.full((rows, sh, cols, sw), fill, dtype=imgs.dtype)
    top, left = band + gap // 2, gap // 2
    out[:, top:top + h, :, left:left + w] = padded.reshape(rows, cols, h, w).transpose(0, 2, 1, 3)
    return out.reshape(rows * sh, cols * sw)


def _caption_rows(h: int, gap: int, lines: int) -> int:
    """Rows of image pixels a caption band takes: about 0.4 of a slot per line of text."""
    return lines * max(6, round(0.4 * (h + gap)))


def _lines(captions: Sequence[str]) -> int:
    return max(c.count("<br>") + 1 for c in captions)


# ---------------------------------------------------------------- images as PNG


def _ink_levels(imgs: np.ndarray, vmax: float | None) -> np.ndarray:
    """Images as uint8 levels 0..LEVELS-1: integer images over 0..255 (or vmax), float
    images over 0..vmax (default: their largest value); below 0 counts as 0."""
    if vmax is None:
        vmax = 255.0 if imgs.dtype.kind in "ui" else float(imgs.max(initial=0.0))
    if not math.isfinite(vmax):
        raise ValueError(f"vmax must be finite, got {vmax}")
    if vmax <= 0:
        return np.zeros(imgs.shape, dtype=np.uint8)
    scaled = np.clip(imgs.astype(np.float32) * np.float32((LEVELS - 1) / vmax), 0, LEVELS - 1)
    return np.rint(scaled).astype(np.uint8)


@lru_cache(maxsize=16)
def _palette_cached(colorscale) -> bytes:
    scale = pcolors.get_colorscale(colorscale) if isinstance(colorscale, str) else \
        [list(s) for s in colorscale]
    sampled = pcolors.sample_colorscale(scale, np.linspace(0, 1, LEVELS).tolist())
    rgb = np.array([pcolors.unlabel_rgb(c) for c in sampled]).round().astype(np.uint8)
    frame = np.array(pcolors.hex_to_rgb(FRAME), dtype=np.uint8)
    return np.vstack([[255, 255, 255], frame, rgb]).astype(np.uint8).tobytes()


def _palette(colorscale) -> bytes:
    """256 RGB entries: transparent (white), the frame grey, then the colour scale's levels."""
    key = colorscale if isinstance(colorscale, str) else \
        tuple((float(p), str(c)) for p, c in colorscale)
    try:
        return _palette_cached(key)
    except (ValueError, TypeError, plotly.exceptions.PlotlyError) as err:
        raise ValueError(f"unknown colour scale {colorscale!r}: {err}") from None


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_uri(indices: np.ndarray, palette: bytes) -> str:
    """A palette PNG as a data URI: indices (h, w) uint8 into 256 RGB entries; entry 0 is
    transparent. Scanlines unfiltered, deflate level 6 (about 1 ms for 24 digits)."""
    if indices.dtype != np.uint8 or indices.ndim != 2:
        raise ValueError(f"indices must be 2-D uint8, got {indices.dtype} {indices.shape}")
    h, w = indices.shape
    raw = np.zeros((h, w + 1), dtype=np.uint8)  # each scanline starts with filter type 0
    raw[:, 1:] = indices
    png = (b"\x89PNG\r\n\x1a\n"
           + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0))
           + _chunk(b"PLTE", palette)
           + _chunk(b"tRNS", b"\x00")
           + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
           + _chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _image_trace(indices: np.ndarray, colorscale, **kw) -> go.Image:
    """Pixel (i, j) of `indices` centred at x = j, y = i."""
    return go.Image(source=png_uri(indices, _palette(colorscale)), x0=0, y0=0, dx=1, dy=1,
                    hoverinfo="skip", **kw)


def _frame_axes(fig: go.Figure, h: int, w: int, row: int | None = None,
                col: int | None = None, frame: bool = False) -> None:
    """Axes of an h×w image: no ticks, row 0 on top, square pixels, optionally a frame."""
    line = dict(showline=frame, mirror=frame, linecolor=LIGHT)
    fig.update_xaxes(range=[-0.5, w - 0.5], showticklabels=False, showgrid=False,
                     zeroline=False, ticks="", constrain="domain", row=row, col=col, **line)
    fig.update_yaxes(range=[h - 0.5, -0.5], showticklabels=False, showgrid=False,
                     zeroline=False, ticks="", constrain="domain", row=row, col=col, **line)
    if row is None:
        fig.update_yaxes(scaleanchor="x", scaleratio=1)


# ---------------------------------------------------------------- the data


def digit_grid(images, captions: Sequence[str] | None, *, cols: int = 10,
               colorscale="gray_r", vmax: float | None = None,
               scale: float = 2.0) -> go.Figure:
    """Digits (n, 784) or (n, 28, 28) drawn as one image, in rows of `cols`, a caption above each.

    The digits are tiled with 2-pixel grey lines between them (one 1-pixel frame each) and
    sent as one palette PNG. uint8 images are drawn over 0..255, float images over
    0..vmax (default their largest value, so a mean image uses the whole scale).
    captions: one per image ('7', 't=7 → 2 (93%)'; '<br>' breaks a line), or None.
    scale: screen pixels per image pixel, which sets the height.
    """
    imgs = _image_stack(images)
    n, h, w = imgs.shape
    if captions is not None and len(captions) != n:
        raise ValueError(f"{n} images but {len(captions)} captions")
    levels = _ink_levels(imgs, vmax) + np.uint8(2)
    framed = np.pad(levels, ((0, 0), (1, 1), (1, 1)), constant_values=FRAMED)
    band = _caption_rows(h, 2, _lines(captions)) if captions else 0
    tiled = tile_images(framed, cols, gap=0, band=band, fill=TRANSPARENT)
    cols = min(cols, n)
    sh, sw = band + h + 2, w + 2

    fig = go.Figure(_image_trace(tiled, colorscale))
    notes = []  # one update_layout: add_annotation one by one is quadratic in plotly
    for k, text in enumerate(captions or []):
        r, c = divmod(k, cols)
        notes.append(dict(x=c * sw + sw / 2 - 0.5, y=r * sh + band / 2 - 0.5, text=text,
                          showarrow=False, font=dict(color=INK)))
    fig.update_layout(annotations=notes)
    _frame_axes(fig, *tiled.shape)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=round(MARGIN_Y + tiled.shape[0] * scale), showlegend=False)
    return fig


def class_counts_figure(counts, labels: Mapping[str, str]) -> go.Figure:
    """Samples per class as bars, each with its count on top. labels: x, y."""
    counts = _finite(counts, "counts", ndim=1)
    if (counts < 0).any():
        raise ValueError("counts must be >= 0")
    fig = go.Figure(go.Bar(x=np.arange(len(counts), dtype=np.int8), y=counts.astype(np.int32),
                           marker_color=COLORS[0], texttemplate="%{y}",
                           textposition="outside", cliponaxis=False,
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_xaxes(title=labels["x"], dtick=1)
    fig.update_yaxes(title=labels["y"], range=[0, 1.12 * max(float(counts.max(initial=0)), 1)])
    return fig


def pixel_histogram_figure(counts, edges, labels: Mapping[str, str],
                           log_y: bool = True) -> go.Figure:
    """A histogram from its bin counts (k,) and edges (k + 1,). labels: x, y."""
    counts = _finite(counts, "counts", ndim=1)
    edges = _finite(edges, "edges", ndim=1)
    if len(edges) != len(counts) + 1:
        raise ValueError(f"{len(counts)} counts need {len(counts) + 1} edges, got {len(edges)}")
    if (np.diff(edges) <= 0).any():
        raise ValueError("edges must increase")
    if (counts < 0).any():
        raise ValueError("counts must be >= 0")
    centres = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure(go.Bar(x=centres.astype(np.float32), y=counts.astype(np.float32),
                           width=np.diff(edges).astype(np.float32), marker_color=COLORS[0],
                           marker_line_width=0,
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_xaxes(title=labels["x"])
    fig.update_yaxes(title=labels["y"])
    if log_y:
        fig.update_yaxes(type="log", exponentformat="power")
    fig.update_layout(bargap=0)
    return fig


# ---------------------------------------------------------------- training curves


def loss_data(steps, losses, *, smooth_alpha: float = 0.05,
              max_points: int = 400) -> list[dict]:
    """The data of loss_figure's two traces: per batch, and the moving average.

    The average is taken over the whole series, then both are thinned to `max_points`.
    """
    steps = np.asarray(to_numpy(steps))
    losses = _finite(losses, "losses", ndim=1)
    if steps.shape != losses.shape:
        raise ValueError(f"{len(steps)} steps but {len(losses)} losses")
    averaged = smooth(losses, smooth_alpha)
    x, y = downsample(steps, losses, max_points)
    _, s = downsample(steps, averaged, max_points)
    x = _wire_x(x)
    return [dict(x=x, y=y.astype(np.float32)), dict(x=x, y=s.astype(np.float32))]


def loss_figure(steps, losses, labels: Mapping[str, str], *, smooth_alpha: float = 0.05,
                max_points: int = 400) -> go.Figure:
    """The loss of every mini-batch (thin, light) and its moving average (bold).

    labels: x, y, raw, smooth (the legend names). Live (ui.live_chart): loss_data(...) gives
    the same traces.
    """
    raw, avg = loss_data(steps, losses, smooth_alpha=smooth_alpha, max_points=max_points)
    fig = go.Figure()
    fig.add_trace(go.Scatter(**raw, mode="lines", name=labels["raw"],
                             line=dict(color=COLORS[0], width=1), opacity=0.35))
    fig.add_trace(go.Scatter(**avg, mode="lines", name=labels["smooth"],
                             line=dict(color=COLORS[0], width=3)))
    fig.update_xaxes(title=labels["x"])
    fig.update_yaxes(title=labels["y"], rangemode="tozero")
    legend_on_top(fig)
    return fig


def accuracy_figure(epochs, train_acc: Sequence[float | None],
                    test_acc: Sequence[float | None], labels: Mapping[str, str], *,
                    chance: float = 0.1) -> go.Figure:
    """Train and test accuracy (fractions, shown in %) per epoch (test dashed), and chance as a
    dotted line.

    A None entry leaves a gap; a series that is all None is not drawn.
    labels: x, y, train, test, chance.
    """
    epochs = np.asarray(to_numpy(epochs))
    fig = go.Figure()
    for acc, name, color, dash, symbol in (
            (train_acc, labels["train"], palette.TRAIN, palette.TRAIN_DASH, "circle"),
            (test_acc, labels["test"], palette.TEST, palette.TEST_DASH, "diamond")):
        if len(acc) != len(epochs):
            raise ValueError(f"{len(epochs)} epochs but {len(acc)} accuracies")
        if all(a is None for a in acc):
            continue
        values = np.array([np.nan if a is None else a for a in acc], dtype=np.float64)
        shown = values[~np.isnan(values)]
        if not (np.isfinite(shown).all() and (shown >= 0).all() and (shown <= 1).all()):
            raise ValueError("accuracies must be fractions between 0 and 1")
        fig.add_trace(go.Scatter(x=_wire_x(epochs), y=(100 * values).astype(np.float32),
                                 mode="lines+markers", name=name, cliponaxis=False,
                                 line=dict(color=color, width=2, dash=dash),
                                 marker=dict(size=8, symbol=symbol),
                                 hovertemplate=f"{name}: %{{y:.2f}}%<extra></extra>"))
    # the axis starts a little below the lowest accuracy: at 95-98 % the gap between train
    # and test is what matters, and a 0-100 axis would flatten it; chance is drawn when the
    # axis reaches down to it
    lowest = min((float(np.nanmin(tr.y)) for tr in fig.data), default=100 * chance)
    bottom = max(0.0, math.floor(float(lowest)) - 2.0)
    if bottom <= 100 * chance:
        bottom = 0.0
        fig.add_hline(y=100 * chance, line=dict(color=palette.FAINT, dash="dot", width=1.5),
                      annotation_text=labels["chance"], annotation_position="top right",
                      annotation_font_color=palette.MUTED)
    # whole epochs only, about ten ticks at most
    fig.update_xaxes(title=labels["x"], tickformat="d", rangemode="tozero", tick0=0,
                     dtick=max(1, math.ceil(len(epochs) / 10)))
    fig.update_yaxes(title=labels["y"], range=[bottom, 100], ticksuffix="%")
    legend_on_top(fig)
    return fig


def grad_flow_data(series: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                   max_points: int = 400) -> list[dict]:
    """One trace's data per layer: its steps and mean |grad| per weight, thinned."""
    data = []
    for name, (steps, values) in series.items():
        values = _finite(values, f"the values of {name}", ndim=1)
        if (values < 0).any():
            raise ValueError(f"mean |grad| of {name} must be >= 0")
        x, y = downsample(steps, values, max_points)
        data.append(dict(x=_wire_x(x), y=y.astype(np.float32)))
    return data


def grad_flow_figure(series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
                     labels: Mapping[str, str], *, max_points: int = 400) -> go.Figure:
    """Mean |gradient| per weight of each layer over the steps, one colour and dash per layer,
    log y.

    series: name ('W1', 'W2', ...) -> (steps, values), each thinned to `max_points`.
    labels: x, y. Live (ui.live_chart): grad_flow_data(...), the same traces.
    """
    fig = go.Figure()
    for i, (name, data) in enumerate(zip(series, grad_flow_data(series, max_points=max_points),
                                         strict=True)):
        fig.add_trace(go.Scatter(**data, mode="lines", name=name,
                                 line=dict(color=COLORS[i % len(COLORS)], width=2,
                                           dash=palette.SERIES_DASHES[
                                               i % len(palette.SERIES_DASHES)]),
                                 hovertemplate=f"{name}: %{{y:.3g}}<extra></extra>"))
    fig.update_xaxes(title=labels["x"])
    fig.update_yaxes(title=labels["y"], type="log", exponentformat="power", dtick=1)  # decades
    legend_on_top(fig)
    return fig


# ---------------------------------------------------------------- what the network learned


def _to_int8(values: np.ndarray, top: float) -> np.ndarray:
    """values / top as int8 in -127..127 (clipped); all zeros when top is 0."""
    if top <= 0:
        return np.zeros(values.shape, dtype=np.int8)
    return np.rint(np.clip(values / top, -1, 1) * 127).astype(np.int8)


def _weight_tiles(W1, n: int, cols: int, caption: str | None) -> tuple[np.ndarray, int, int]:
    """(the int8 tiles laid out with their gaps, the tile side, how many tiles)."""
    W = _finite(W1, "W1", ndim=2)
    side = _side(W.shape[0], "each column of W1")
    count = min(_positive(n, "n"), W.shape[1])
    tiles = W[:, :count].T.reshape(count, side, side)
    tops = np.abs(tiles).max(axis=(1, 2))
    q = np.stack([_to_int8(t, top) for t, top in zip(tiles, tops, strict=True)])
    return tile_images(q, cols, gap=2, band=1 if caption else 0), side, count


def weight_tiles_data(W1, *, n: int = 16, cols: int = 8, caption: str | None = None
                      ) -> list[dict]:
    """weight_tiles_figure's one trace: the int8 tiles (for a live chart)."""
    return [dict(z=_weight_tiles(W1, n, cols, caption)[0])]


def weight_tiles_figure(W1, *, n: int = 16, cols: int = 8, caption: str | None = None,
                        scale: float = 2.0, sign_label: str | None = None) -> go.Figure:
    """The first n columns of W1 (784 × H), each as a 28×28 tile: what a hidden unit looks for.

    Each tile is scaled by its own largest |w| to int8 (−127..127) and drawn on the
    diverging scale (blue negative, white 0, red positive), tiled into one heatmap with
    2-pixel gaps. Fewer columns than n: all of them.
    caption: a template such as 'unit {k}' written above tile k = 1..n, or None.
    sign_label: the sign convention's key ('red +, blue −'), written once above the top
    right corner (viz.common.sign_key), or None.
    Live (ui.live_chart): weight_tiles_data(...) with the same n, cols and caption.
    """
    tiled, side, count = _weight_tiles(W1, n, cols, caption)
    gap = 2
    cols = min(cols, count)
    sh, sw = (1 if caption else 0) + side + gap, side + gap
    rows = tiled.shape[0] // sh
    trace = dict(z=tiled, x0=0, dx=1, colorscale=DIVERGING, zmin=-127, zmax=127,
                 showscale=False, hoverinfo="skip")
    fig = go.Figure()
    if caption:
        band = _caption_rows(side, gap, 1)
        heights = np.tile(np.r_[band, np.ones(side + gap)], rows)
        edges = np.r_[0.0, np.cumsum(heights)] - 0.5
        fig.add_trace(go.Heatmap(y=edges.astype(np.float32), **trace))
        notes = []
        for k in range(count):
            r, c = divmod(k, cols)
            notes.append(dict(x=c * sw + sw / 2 - 0.5, y=(edges[r * sh] + edges[r * sh + 1]) / 2,
                              text=caption.format(k=k + 1), showarrow=False,
                              font=dict(color=INK)))
        fig.update_layout(annotations=notes)
        height = float(edges[-1] + 0.5)
    else:
        fig.add_trace(go.Heatmap(y0=0, dy=1, **trace))
        height = float(tiled.shape[0])
    _frame_axes(fig, height, tiled.shape[1])
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=round(MARGIN_Y + height * scale))
    if sign_label:
        sign_key(fig, sign_label)
    return fig


def confusion_data(cm) -> list[dict]:
    """confusion_figure's one trace: each row's shares (the colour) and the counts (text)."""
    cm = _finite(cm, "the confusion matrix", ndim=2)
    k = cm.shape[0]
    if cm.shape != (k, k) or (cm < 0).any():
        raise ValueError(f"the confusion matrix must be square with counts >= 0, got {cm.shape}")
    totals = cm.sum(axis=1, keepdims=True)
    rate = np.divide(cm, totals, out=np.zeros_like(cm), where=totals > 0)
    text = [[str(int(v)) for v in row] for row in cm]
    return [dict(z=rate.astype(np.float32), text=text)]


def confusion_figure(cm, labels: Mapping[str, str]) -> go.Figure:
    """A confusion matrix: true class down (0 on top), predicted across, the count in each
    cell, coloured by the share of its row (how often class i is taken for j).

    labels: x (predicted), y (true); optional rate (the colour bar's title).
    """
    data = confusion_data(cm)[0]
    k = data["z"].shape[0]
    fig = go.Figure(go.Heatmap(
        **data, x0=0, dx=1, y0=0, dy=1, texttemplate="%{text}",
        colorscale="Blues", zmin=0, zmax=1, xgap=1, ygap=1,
        colorbar=dict(title=dict(text=labels.get("rate", ""), side="right"), tickformat=".0%",
                      thickness=12),
        hovertemplate=f"{labels['y']}: %{{y}}<br>{labels['x']}: %{{x}}<br>"
                      "%{text} (%{z:.1%})<extra></extra>"))
    fig.update_xaxes(title=labels["x"], dtick=1, range=[-0.5, k - 0.5], showgrid=False,
                     zeroline=False, constrain="domain")
    fig.update_yaxes(title=labels["y"], dtick=1, range=[k - 0.5, -0.5], showgrid=False,
                     zeroline=False, scaleanchor="x", scaleratio=1, constrain="domain")
    fig.update_layout(height=520)
    return fig


def probability_figure(proba, labels: Mapping[str, str], *,
                       highlight: int | None = None) -> go.Figure:
    """The class probabilities of one input as bars (in %): the predicted class (argmax) in
    green (palette.RIGHT), or red (WRONG) when `highlight` (the true class) differs; the true
    class outlined. The words over the bars say it without the colours.

    labels: x, y; optional predicted and true, the words written over those two bars.
    """
    p = _finite(proba, "proba", ndim=1)
    if len(p) == 0 or (p < 0).any() or (p > 1 + 1e-6).any():
        raise ValueError("proba must be probabilities between 0 and 1")
    k = len(p)
    if highlight is not None and not (isinstance(highlight, (int, np.integer))
                                      and 0 <= highlight < k):
        raise ValueError(f"highlight must be a class from 0 to {k - 1}, got {highlight!r}")
    top = int(np.argmax(p))
    colors = [LIGHT] * k
    colors[top] = palette.RIGHT if highlight is None or highlight == top else palette.WRONG
    widths = [0] * k
    if highlight is not None:
        widths[highlight] = 3
    fig = go.Figure(go.Bar(
        x=np.arange(k, dtype=np.int8), y=(100 * p).astype(np.float32),
        marker=dict(color=colors, line=dict(color=INK, width=widths)),
        texttemplate="%{y:.0f}%", textposition="outside", cliponaxis=False,
        hovertemplate="%{x}: %{y:.1f}%<extra></extra>"))
    marks = {top: labels["predicted"]} if "predicted" in labels else {}
    if highlight is not None and "true" in labels:
        marks[int(highlight)] = (labels["predicted"] + " = " + labels["true"]
                                 if highlight == top and marks else labels["true"])
    for cls, text in marks.items():
        fig.add_annotation(x=cls, y=100 * p[cls], yshift=24, yanchor="bottom", text=text,
                           showarrow=False, font=dict(color=INK))
    fig.update_xaxes(title=labels["x"], dtick=1)
    fig.update_yaxes(title=labels["y"], range=[0, 125], ticksuffix="%", tickvals=[0, 50, 100])
    return fig


# ---------------------------------------------------------------- the chain X·W1·W2·...


def block_mean(a: np.ndarray, axis: int, max_cells: int = 100) -> tuple[np.ndarray, int]:
    """Average `a` along `axis` in blocks of f = ceil(size / max_cells) entries (the last
    block may be shorter), so at most max_cells remain. Returns (averaged, f)."""
    _positive(max_cells, "max_cells")
    size = a.shape[axis]
    f = max(1, -(-size // max_cells))
    if f == 1:
        return a, 1
    starts = np.arange(0, size, f)
    counts = np.diff(np.r_[starts, size]).astype(np.float64)
    shape = [1] * a.ndim
    shape[axis] = len(starts)
    return np.add.reduceat(a, starts, axis=axis) / counts.reshape(shape), f


def _check_steps(steps: Sequence[Mapping]) -> list[dict]:
    if len(steps) == 0:
        raise ValueError("the chain needs at least one step")
    checked, size = [], None
    for i, step in enumerate(steps, start=1):
        name = str(step.get("name", f"W{i}"))
        W = _finite(step["W"], name, ndim=2)
        x_in = _finite(step["x_in"], f"x_in of {name}", ndim=1)
        z, a = _finite(step["z"], f"z of {name}", 1), _finite(step["a"], f"a of {name}", 1)
        if len(x_in) != W.shape[0]:
            raise ValueError(f"{name} has {W.shape[0]} rows but x_in has {len(x_in)} entries")
        if len(z) != W.shape[1] or len(a) != W.shape[1]:
            raise ValueError(f"{name} has {W.shape[1]} columns but z and a have "
                             f"{len(z)} and {len(a)} entries")
        if size is not None and W.shape[0] != size:
            raise ValueError(f"{name} has {W.shape[0]} rows but the step before gives {size}")
        size = W.shape[1]
        checked.append(dict(name=name, W=W, x_in=x_in, z=z, a=a))
    return checked


def chain_figure(steps: Sequence[Mapping], labels: Mapping[str, str], *,
                 max_cells: int = 100, sign_label: str | None = None) -> go.Figure:
    """One digit through the network, left to right: X as an image, the vector x, W1,
    z1 and a1, W2, ..., the last z and the probabilities y.

    steps: one dict per layer, {'name': 'W1', 'W': (in, out), 'x_in': (in,), 'z': (out,)
    pre-activation, 'a': (out,) after the activation (softmax probabilities for the last)}.
    Each W is a heatmap of its (in, out) shape, its rows beside the vector entering it;
    a dimension over max_cells is averaged in blocks (784 rows -> 98 blocks of 8), as is
    every vector along it. Colours are int8 on the diverging scale: a W saturates at the
    99th percentile of its |w| (one large weight does not wash out the rest), a vector at
    its largest |v|, the probabilities at 1. The first x_in is also drawn as an image
    when its length is a square (784 = 28²); a step's a is the next step's input.
    labels: input (the image's title), averaged ('rows averaged in blocks of {n}'),
    averaged_cols (the same for columns, needed only when a W has over max_cells columns),
    optional proba (written up the right side of the probabilities).
    sign_label: the sign convention's key ('red +, blue −'), written once above the top
    right corner (viz.common.sign_key), or None.
    """
    checked = _check_steps(steps)
    x0 = checked[0]["x_in"]
    side = math.isqrt(len(x0))
    show_image = side * side == len(x0)

    # the panels, left to right: (kind, width in cells, title, payload)
    panels: list[tuple[str, int, str, object]] = []
    if show_image:
        panels.append(("image", side, labels["input"], x0.reshape(side, side)))
    panels.append(("vectors", 5, "", [("x", x0, None)]))
    for k, st in enumerate(checked, start=1):
        W, fr = block_mean(st["W"], 0, max_cells)
        W, fc = block_mean(W, 1, max_cells)
        n_in, n_out = st["W"].shape
        panels.append(("matrix", W.shape[1], f"{st['name']} ({n_in}×{n_out})",
                       (st["name"], W, fr, fc)))
        out = ("y", st["a"], 1.0) if k == len(checked) else (f"a<sub>{k}</sub>", st["a"], None)
        panels.append(("vectors", 10, "", [(f"z<sub>{k}</sub>", st["z"], None), out]))
    widths = [width for _, width, _, _ in panels]
    spacing = 0.012
    fig = make_subplots(rows=1, cols=len(panels), column_widths=widths,
                        subplot_titles=[title for _, _, title, _ in panels],
                        horizontal_spacing=spacing)
    max_rows = 1
    for col, (kind, _, _, payload) in enumerate(panels, start=1):
        if kind == "image":
            img = _ink_levels(payload, None) + np.uint8(2)
            fig.add_trace(_image_trace(img, "gray_r"), row=1, col=col)
            _frame_axes(fig, side, side, row=1, col=col, frame=True)
            fig.update_yaxes(scaleanchor="x" if col == 1 else f"x{col}", scaleratio=1,
                             constraintoward="top", row=1, col=col)
        elif kind == "matrix":
            name, W, fr, fc = payload
            top = float(np.percentile(np.abs(W), 99)) if W.size else 0.0
            fig.add_trace(go.Heatmap(z=_to_int8(W, top), x0=0, dx=1, y0=0, dy=1,
                                     coloraxis="coloraxis", hoverinfo="skip", name=name),
                          row=1, col=col)
            notes = []
            if fr > 1:
                notes.append(labels["averaged"].format(n=fr))
            if fc > 1:
                notes.append(labels["averaged_cols"].format(n=fc))
            _frame_axes(fig, W.shape[0], W.shape[1], row=1, col=col, frame=True)
            fig.update_xaxes(title=dict(text="<br>".join(notes), standoff=6, font_size=12),
                             row=1, col=col)
            max_rows = max(max_rows, W.shape[0])
        else:
            names = []
            for j, (vname, v, top) in enumerate(payload):
                shown, _ = block_mean(v, 0, max_cells)
                if top is None:
                    top = float(np.abs(shown).max(initial=0.0))
                fig.add_trace(go.Heatmap(
                    z=_to_int8(shown, top)[:, None], x0=2 * j, dx=1, y0=0, dy=1,
                    customdata=shown.astype(np.float32)[:, None], coloraxis="coloraxis",
                    hovertemplate=f"{vname}[%{{y}}] = %{{customdata:.3g}}<extra></extra>",
                    name=vname), row=1, col=col)
                names.append(vname)
                n_rows = len(shown)
            _frame_axes(fig, n_rows, 2 * len(payload) - 1, row=1, col=col)
            fig.update_xaxes(tickvals=[2 * j for j in range(len(names))], ticktext=names,
                             showticklabels=True, tickangle=0, row=1, col=col)
            if col == len(panels):
                fig.update_yaxes(showticklabels=True, tickvals=list(range(n_rows)),
                                 side="right", title=labels.get("proba"), row=1, col=col)
    fig.update_layout(
        coloraxis=dict(colorscale=DIVERGING, cmin=-127, cmax=127, showscale=False),
        showlegend=False,
        height=round(MARGIN_Y + 40 + max_rows * 600 * (1 - spacing * (len(panels) - 1))
                     / sum(widths)),
    )
    fig.update_annotations(font_size=None)  # titles keep the theme's size
    if sign_label:
        # above the panels' titles, which sit where sign_key puts it: a blank title gives the
        # figure the theme's taller top margin (viz.theme.style_figure) to hold it
        fig.update_layout(title_text=" ")
        sign_key(fig, sign_label).update_annotations(selector=dict(name="sign_key"),
                                                     yshift=SIGN_KEY_RAISE)
    return fig


def preprocess_figure(images: Sequence, titles: Sequence[str], *,
                      centres: Sequence[tuple[float, float] | None] | None = None,
                      height: int = 260) -> go.Figure:
    """The steps that turn a drawing into MNIST's format, side by side as small grey images.

    images: one 2-D array per step, any size (a 280×280 canvas, the cropped digit, 20×20,
    28×28), drawn over its own 0..max (uint8: 0..255). centres: per image, (row, col) of
    the centre of mass to mark with a cross, or None.
    """
    if len(images) == 0 or len(images) != len(titles):
        raise ValueError(f"need one title per image, got {len(images)} images and "
                         f"{len(titles)} titles")
    if centres is not None and len(centres) != len(images):
        raise ValueError(f"{len(images)} images but {len(centres)} centres")
    fig = make_subplots(rows=1, cols=len(images), subplot_titles=list(titles),
                        horizontal_spacing=0.04)
    for col, image in enumerate(images, start=1):
        img = _image_stack([to_numpy(image)], f"image {col}")[0]
        h, w = img.shape
        fig.add_trace(_image_trace(_ink_levels(img, None) + np.uint8(2), "gray_r"),
                      row=1, col=col)
        _frame_axes(fig, h, w, row=1, col=col, frame=True)
        fig.update_yaxes(scaleanchor=f"x{col}" if col > 1 else "x", scaleratio=1,
                         row=1, col=col)
        centre = centres[col - 1] if centres is not None else None
        if centre is not None:
            r, c = (float(v) for v in centre)
            fig.add_trace(go.Scatter(x=[c], y=[r], mode="markers", hoverinfo="skip",
                                     marker=dict(symbol="x-thin", size=14,
                                                 line=dict(color=palette.MARK, width=3))),
                          row=1, col=col)
    fig.update_layout(showlegend=False, height=height)
    fig.update_annotations(font_size=None)
    return fig
