"""The numbers behind the MNIST lesson's data and analysis views.

    (x_train, t_train), (x_test, t_test) = load_mnist(keep_uint8=True)
    class_counts(t_train)                   # samples per digit
    mean_images(x_train, t_train)           # (10, 28, 28): the average 0, 1, ..., 9
    pixel_stats(x_train)["zero_fraction"]   # most pixels are exactly black
    pred = predict_labels(net, x_test)
    confusion_matrix(pred, t_test)          # rows: true digit, columns: predicted
    misclassified(pred, t_test, predict_proba(net, x_test))

Images may be uint8 (0..255, as MNIST is kept in memory) or floats in [0, 1], of
shape (N, H·W) with square images, (N, H, W) or (N, 1, H, W). Big uint8 arrays are
read in chunks of CHUNK images, so 60,000 images are never all copied to float.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from engine.backend import positive_int, to_numpy
from engine.datasets import to_float_batch
from engine.functions import softmax
from engine.network import MultiLayerNet

CHUNK = 4096  # images converted to float64 at a time: 4096 × 784 × 8 bytes ≈ 26 MB
SAMPLE_MODES = ("by_class", "random", "index")



def _labels(t, n_classes: int, name: str = "t") -> np.ndarray:
    """t as a 1-D int64 array of labels in 0..n_classes-1."""
    t = to_numpy(t)
    if t.ndim != 1 or t.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a 1-D array of integer labels, "
                         f"got shape {t.shape}, dtype {t.dtype}")
    if t.size and (t.min() < 0 or t.max() >= n_classes):
        raise ValueError(f"{name} must lie in 0..{n_classes - 1}, got {t.min()}..{t.max()}")
    return t.astype(np.int64)


def _images(x) -> tuple[np.ndarray, tuple[int, int]]:
    """x as rows (N, H·W) of uint8 or float pixels, and the image shape (H, W)."""
    x = x if hasattr(x, "ndim") else np.asarray(x)
    shape = tuple(x.shape)
    if x.ndim == 2:
        side = math.isqrt(shape[1])
        if side * side != shape[1]:
            raise ValueError(f"rows of {shape[1]} pixels are not square images; "
                             "pass x as (N, H, W)")
        image_shape = (side, side)
    elif x.ndim == 3 or (x.ndim == 4 and shape[1] == 1):
        image_shape = shape[-2:]
    else:
        raise ValueError(f"x must have shape (N, H·W), (N, H, W) or (N, 1, H, W), got {shape}")
    if x.dtype != np.uint8 and x.dtype.kind != "f":
        raise ValueError(f"x must be uint8 (0..255) or float (0..1), got {x.dtype}")
    if shape[0] == 0 or 0 in image_shape:
        raise ValueError(f"x is empty (shape {shape})")
    return x.reshape(shape[0], -1), image_shape


def _float_chunks(rows):
    """(start, chunk as float64 in [0, 1]) for every CHUNK rows."""
    for start in range(0, rows.shape[0], CHUNK):
        chunk = to_numpy(rows[start:start + CHUNK])
        if chunk.dtype == np.uint8:
            yield start, chunk / 255.0
            continue
        chunk = chunk.astype(np.float64)
        lo, hi = chunk.min(), chunk.max()
        if not (lo >= 0 and hi <= 1):  # NaN fails both
            raise ValueError(f"float pixels must lie in [0, 1], got {lo:g}..{hi:g} "
                             "(divide 0..255 values by 255, or pass them as uint8)")
        yield start, chunk


def class_counts(t, n_classes: int = 10) -> np.ndarray:
    """How many samples of each class: counts[k] = #{i : t[i] = k} (int64)."""
    n_classes = positive_int(n_classes, "n_classes")
    return np.bincount(_labels(t, n_classes), minlength=n_classes).astype(np.int64)


def mean_images(x, t, n_classes: int = 10) -> np.ndarray:
    """The average image of each class, (n_classes, H, W) in [0, 1].

    mean[k] = Σ_{i: t[i] = k} x[i] / counts[k]; a class without samples gets zeros.
    """
    n_classes = positive_int(n_classes, "n_classes")
    rows, image_shape = _images(x)
    t = _labels(t, n_classes)
    if len(t) != rows.shape[0]:
        raise ValueError(f"x has {rows.shape[0]} images but t has {len(t)} labels")
    sums = np.zeros((n_classes, rows.shape[1]))
    for start, chunk in _float_chunks(rows):
        labels = t[start:start + len(chunk)]
        sums += (labels[:, None] == np.arange(n_classes)).T @ chunk  # one-hot.T @ pixels
    counts = np.bincount(t, minlength=n_classes)
    means = sums / np.maximum(counts, 1)[:, None]
    return means.reshape(n_classes, *image_shape)


def pixel_stats(x, bins: int = 256) -> dict:
    """Statistics of every pixel of x, in [0, 1] units.

    mean, std           over all pixels of all images
    zero_fraction       the fraction of pixels exactly 0 (black)
    bright_fraction     the fraction of pixels > 0.5
    hist_counts         (bins,) int64: pixels per bin [k/bins, (k+1)/bins), the last bin
                        closed; with uint8 and 256 bins, bin k holds the value k exactly
    hist_edges          (bins + 1,) the bin edges from 0 to 1
    mean_image          (H, W) the average image
    n_images, n_pixels  how many images, and pixels in all
    """
    bins = positive_int(bins, "bins")
    rows, image_shape = _images(x)
    total = total_sq = 0.0
    zeros = above = 0
    hist = np.zeros(bins, dtype=np.int64)
    col_sums = np.zeros(rows.shape[1])
    for _, chunk in _float_chunks(rows):
        total += chunk.sum()
        total_sq += (chunk * chunk).sum()
        zeros += np.count_nonzero(chunk == 0)
        above += np.count_nonzero(chunk > 0.5)
        index = np.minimum((chunk * bins).astype(np.intp), bins - 1)
        hist += np.bincount(index.ravel(), minlength=bins)
        col_sums += chunk.sum(axis=0)
    n = rows.size
    mean = total / n
    return {
        "mean": float(mean),
        "std": float(math.sqrt(max(total_sq / n - mean * mean, 0.0))),
        "zero_fraction": float(zeros / n),
        "bright_fraction": float(above / n),
        "hist_counts": hist,
        "hist_edges": np.linspace(0.0, 1.0, bins + 1),
        "mean_image": (col_sums / rows.shape[0]).reshape(image_shape),
        "n_images": int(rows.shape[0]),
        "n_pixels": int(n),
    }


def sample_indices(t, how: str, *, per_class: int = 10, n: int = 100, index: int | None = None,
                   seed: int | None = 0, n_classes: int = 10) -> np.ndarray:
    """Indices of samples to show, as int64.

    'by_class'  the first `per_class` samples of each class, class 0 first (fewer
                where a class has fewer)
    'random'    `n` different samples drawn with `seed` (all of them if there are fewer)
    'index'     sample `index` and the ones after it, `n` in all (fewer at the end)
    """
    n_classes = positive_int(n_classes, "n_classes")
    t = _labels(t, n_classes)
    if how == "by_class":
        per_class = positive_int(per_class, "per_class")
        firsts = [np.flatnonzero(t == k)[:per_class] for k in range(n_classes)]
        return np.concatenate(firsts).astype(np.int64)
    n = positive_int(n, "n")
    if how == "random":
        rng = np.random.default_rng(seed)
        return rng.choice(len(t), size=min(n, len(t)), replace=False).astype(np.int64)
    if how == "index":
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise ValueError(f"how='index' needs an integer index, got {index!r}")
        if not 0 <= index < len(t):
            raise ValueError(f"index {index} is out of range: there are {len(t)} samples "
                             f"(0..{len(t) - 1})")
        return np.arange(index, min(index + n, len(t)), dtype=np.int64)
    raise ValueError(f"unknown how {how!r}: choose one of {', '.join(SAMPLE_MODES)}")


def confusion_matrix(pred, t, n_classes: int = 10) -> np.ndarray:
    """counts (n_classes, n_classes): counts[i, j] = #{samples of class i predicted as j}.

    Rows are the true classes, columns the predicted ones; the diagonal is what is right.
    """
    n_classes = positive_int(n_classes, "n_classes")
    pred = _labels(pred, n_classes, "pred")
    t = _labels(t, n_classes)
    if len(pred) != len(t):
        raise ValueError(f"pred has {len(pred)} labels but t has {len(t)}")
    flat = np.bincount(t * n_classes + pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def _check_net(net) -> None:
    if not isinstance(net, MultiLayerNet):
        raise ValueError(f"net must be a MultiLayerNet, got {type(net).__name__}")


def _scores(net: MultiLayerNet, x, batch_size: int):
    """net.predict(x) batch by batch, on the net's backend: uint8 is scaled there."""
    _check_net(net)
    batch_size = positive_int(batch_size, "batch_size")
    x = x if hasattr(x, "ndim") else np.asarray(x)
    if x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty batch (N, {net.input_size}), got {x.shape}")
    for start in range(0, x.shape[0], batch_size):
        xb = net.xp.asarray(x[start:start + batch_size])
        xb = xb.reshape(xb.shape[0], -1)
        if xb.dtype == np.uint8:
            xb = to_float_batch(xb, net.dtype)
        yield net.predict(xb)


def predict_labels(net: MultiLayerNet, x, batch_size: int = 1000) -> np.ndarray:
    """The class `net` predicts for each image: argmax of its scores (int64).

    A net with one output answers 1 where it is above 0.5 (sigmoid) or 0, as net.accuracy.
    """
    labels = []
    for y in _scores(net, x, batch_size):
        if y.shape[1] == 1:
            labels.append(to_numpy(y[:, 0] > (0.5 if net.output == "sigmoid" else 0.0)))
        else:
            labels.append(to_numpy(y.argmax(axis=1)))
    return np.concatenate(labels).astype(np.int64)


def predict_proba(net: MultiLayerNet, x, batch_size: int = 1000) -> np.ndarray:
    """softmax(net.predict(x)): each image's probability for each class, (N, classes)."""
    _check_net(net)
    if net.output != "softmax":
        raise ValueError(f"predict_proba needs a network with output='softmax', "
                         f"not {net.output!r}")
    return np.concatenate([to_numpy(softmax(y)) for y in _scores(net, x, batch_size)])


class Miss(NamedTuple):
    """One misclassified sample: its index, true class, predicted class, confidence."""

    index: int
    true: int
    predicted: int
    confidence: float  # the probability given to the wrong answer (NaN without proba)


def misclassified(pred, t, proba=None, limit: int | None = 24) -> list[Miss]:
    """The samples where pred ≠ t, most confident wrong answers first, at most `limit`.

    confidence = proba[i, pred[i]]. Without proba, in index order with NaN confidence.
    limit=None returns them all.
    """
    pred, t = to_numpy(pred), to_numpy(t)
    if pred.ndim != 1 or t.ndim != 1 or len(pred) != len(t):
        raise ValueError(f"pred and t must be 1-D of the same length, got shapes "
                         f"{pred.shape} and {t.shape}")
    if limit is not None:
        limit = positive_int(limit, "limit")
    wrong = np.flatnonzero(pred != t)
    if proba is None:
        confidence = np.full(len(wrong), np.nan)
    else:
        proba = to_numpy(proba)
        if proba.ndim != 2 or proba.shape[0] != len(t):
            raise ValueError(f"proba must have shape ({len(t)}, classes), got {proba.shape}")
        if pred.size and (pred.min() < 0 or pred.max() >= proba.shape[1]):
            raise ValueError(f"pred must lie in 0..{proba.shape[1] - 1}, the columns of proba")
        confidence = proba[wrong, pred[wrong]].astype(np.float64)
        order = np.argsort(-confidence, kind="stable")
        wrong, confidence = wrong[order], confidence[order]
    return [Miss(int(i), int(t[i]), int(pred[i]), float(c))
            for i, c in zip(wrong[:limit], confidence[:limit], strict=True)]
