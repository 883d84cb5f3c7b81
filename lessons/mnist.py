"""Lesson 5, MNIST: what the page computes, without Streamlit. A notebook reproduces it:

    from engine import load_mnist
    from lessons import mnist
    data = load_mnist(keep_uint8=True)          # ((x_train, t_train), (x_test, t_test))
    run = mnist.build(mnist.MnistConfig(), data)  # the page's default network, untrained
    run.advance(steps=600)                      # one epoch of batches of 100
    run.analysis.acc, run.analysis.cm           # the test set's accuracy and confusion
    run.reached                                 # when the test accuracy first passed 97 %

Four parts, in the order the page uses them:

- the data: class_counts, mean_images, pixel_stats, sample_indices (STEP 2);
- a network's answers: predict_labels, predict_proba, confusion_matrix, misclassified;
- the training run (STEPS 1, 6, 7 and the weight chain): MnistConfig (the settings, a
  frozen dataclass; notes_config gives the lecture notes' 784-15-10 network), build ->
  MnistRun (network, trainer, history), run.advance(), run.analyse(), first_reaching
  (the 97 % mark), samples_per_second; chain_forms (the chain W1, W2, ... as the engine
  computes it and as the notes write it);
- a learner's drawing made MNIST-like: preprocess_steps, preprocess_digit.

Images may be uint8 (0..255, as MNIST is kept in memory) or floats in [0, 1], of
shape (N, H·W) with square images, (N, H, W) or (N, 1, H, W). Big uint8 arrays are
read in chunks of CHUNK images, so 60,000 images are never all copied to float.

Drawings: MNIST's digits are white ink on black. The ink's bounding box was scaled,
aspect ratio kept, to fit a 20×20 box (anti-aliased, so edges turn grey), then placed in
a 28×28 field so that the ink's centre of mass sits at the field's centre. Coordinates
are (row, col) pixel indices: pixel (0, 0) is at (0.0, 0.0). In those coordinates
MNIST's centres of mass lie within half a pixel of (14.0, 14.0), that is
(size / 2, size / 2): the centre of the field, rounded to whole pixels the way MNIST's
shift was. `preprocess_steps` aims there too.
"""

from __future__ import annotations

import io
import math
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from numbers import Real
from typing import NamedTuple

import numpy as np

from engine.backend import InputError, positive_int, to_numpy
from engine.datasets import to_float_batch
from engine.functions import softmax
from engine.gradcheck import GradCheckResult, check_network
from engine.network import MultiLayerNet
from engine.optimizers import OPTIMIZERS
from engine.saving import load, save
from engine.trainer import Trainer, measure_speed
from lessons.common import check_saved_network

CHUNK = 4096  # images converted to float64 at a time: 4096 × 784 × 8 bytes ≈ 26 MB
SAMPLE_MODES = ("by_class", "random", "index")
LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601 weights of R, G, B (as PIL's convert("L"))
MNIST_BOX = 20
MNIST_SIZE = 28


# ================================================================ the data

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


# ================================================================ a network's answers


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


def worst_confusion(cm) -> tuple[int, int, int, int]:
    """(true, predicted, count, all wrong): the most frequent mistake in a confusion matrix,
    the largest cell off its diagonal, and how many answers were wrong in all."""
    cm = np.asarray(cm)
    off = cm - np.diag(np.diag(cm))
    true, pred = np.unravel_index(off.argmax(), off.shape)
    return int(true), int(pred), int(off.max()), int(off.sum())


@dataclass(frozen=True)
class DataStats:
    """What STEP 2 shows of the data: samples per digit in both splits, the average digit
    of each class, and pixel statistics of the training images (pixel_stats)."""

    train_counts: np.ndarray
    test_counts: np.ndarray
    means: np.ndarray
    pixels: dict

    def counts_note(self) -> dict[str, int]:
        """The commonest and rarest training digit and the test split's range of counts."""
        train, test = self.train_counts, self.test_counts
        return {"most": int(train.argmax()), "most_n": int(train.max()),
                "least": int(train.argmin()), "least_n": int(train.min()),
                "test_min": int(test.min()), "test_max": int(test.max())}


def data_stats(x_train, t_train, t_test) -> DataStats:
    return DataStats(train_counts=class_counts(t_train), test_counts=class_counts(t_test),
                     means=mean_images(x_train, t_train), pixels=pixel_stats(x_train))


# ================================================================ the training run

# The settings a learner can choose, bounded for a shared 2-core host: at most
# 3 × 256 hidden units and 20 epochs ("one more epoch" stops at TOTAL_EPOCH_CAP).
# 15 is the lecture notes' hidden layer (seed 001: 784-15-10).
HIDDEN_CHOICES = (15, 16, 32, 50, 64, 100, 128, 200, 256)
NOTES_HIDDEN = (15,)
LR_CHOICES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_CHOICES = (16, 32, 64, 100, 128, 256, 512)
INITS = ("he", "xavier", "0.01")
GOOD_LR = {"SGD": 0.1, "Momentum": 0.03, "Nesterov": 0.03, "AdaGrad": 0.01,
           "RMSProp": 0.001, "Adam": 0.001}
MAX_LAYERS, MAX_EPOCHS, TOTAL_EPOCH_CAP = 3, 20, 30
EVAL_TRAIN = 10_000  # training samples scored at each epoch's end (the test set: all 10,000)
WRONG_SHOWN = 24  # the most confident mistakes kept by analyse()
TARGET_ACC = 0.97  # the mark the page reports reaching
RATE_WINDOW_S = 3.0  # samples/s is measured over the chunks of the last few seconds
CHECK_HIDDEN, CHECK_BATCH = (5, 10, 20), (1, 3, 10)  # STEP 1's small networks and batches


@dataclass(frozen=True)
class MnistConfig:
    """The settings a network is built from (STEP 6); the defaults are the page's."""

    hidden: tuple[int, ...] = (100,)
    activation: str = "relu"
    init: str = "he"  # "he", "xavier", or "0.01" (a fixed standard deviation)
    optimizer: str = "Adam"
    lr: float = 0.001
    batch: int = 100
    epochs: int = 5
    seed: int = 0
    backend: str = "numpy"

    @property
    def sizes(self) -> str:
        """'784-100-10': the layer sizes, input to output."""
        return "-".join(str(s) for s in (784, *self.hidden, 10))


def notes_config(base: MnistConfig | None = None) -> MnistConfig:
    """The lecture notes' network (seed 001): 784 inputs, one hidden layer of 15 sigmoid
    neurons, 10 outputs, with Xavier's initial weights (the scale for a sigmoid); the
    optimizer, learning rate, batch, epochs, seed and backend stay those of `base`."""
    return replace(base or MnistConfig(), hidden=NOTES_HIDDEN, activation="sigmoid",
                   init="xavier")


@dataclass(frozen=True)
class Score:
    """The test set's accuracy at the end of `epoch`, after `seconds` of training."""

    epoch: int
    step: int
    seconds: float
    acc: float


@dataclass(frozen=True)
class Analysis:
    """The whole test set through the network after `epoch` epochs (`step` steps)."""

    epoch: int
    step: int
    cm: np.ndarray  # confusion_matrix(pred, t_test): rows true, columns predicted
    wrong: list[Miss]  # the WRONG_SHOWN most confident mistakes
    acc: float  # trace(cm) / cm.sum()


def first_reaching(scores: Iterable[Score], target: float = TARGET_ACC) -> Score | None:
    """The first score at or above `target`, or None while none is."""
    return next((s for s in scores if s.acc >= target), None)


def samples_per_second(marks: Sequence[tuple[float, int]], now: float,
                       window: float = RATE_WINDOW_S) -> float | None:
    """Samples trained per second over the marks (time, samples so far) of the last
    `window` seconds before `now`: Δsamples / Δtime; None with fewer than two."""
    recent = [m for m in marks if m[0] >= now - window]
    if len(recent) < 2 or recent[-1][0] <= recent[0][0]:
        return None
    return (recent[-1][1] - recent[0][1]) / (recent[-1][0] - recent[0][0])


@dataclass(eq=False)
class MnistRun:
    """One network in training: what the page holds, and all it shows of it.

    advance() trains a chunk; each epoch's end scores the whole test set (analyse) and
    records a Score. `target` is the epoch the run trains to; `finished` when it got
    there, or when the learner stopped it. `seconds` counts training and scoring time,
    on `clock` (a test sets its own).
    """

    config: MnistConfig
    trainer: Trainer
    x_test: np.ndarray
    t_test: np.ndarray
    target: int
    finished: bool = False
    seconds: float = 0.0
    scores: list[Score] = field(default_factory=list)
    analysis: Analysis | None = None
    marks: deque = field(default_factory=lambda: deque(maxlen=64))  # (clock, samples)
    clock: Callable[[], float] = time.perf_counter
    uid: str = field(default_factory=lambda: uuid.uuid4().hex)  # a new one per network

    @property
    def network(self) -> MultiLayerNet:
        return self.trainer.network

    @property
    def reached(self) -> Score | None:
        """When the test accuracy first reached TARGET_ACC."""
        return first_reaching(self.scores)

    @property
    def test_acc(self) -> dict[int, float]:
        """The test accuracy after each scored epoch."""
        return {s.epoch: s.acc for s in self.scores}

    @property
    def train_acc(self) -> float | None:
        """The last epoch's accuracy on EVAL_TRAIN training samples."""
        epochs = self.trainer.history.epochs
        return epochs[-1].train_acc if epochs else None

    @property
    def progress(self) -> float:
        """Steps done over the steps to `target`, at most 1."""
        total = max(self.target, 1) * self.trainer.steps_per_epoch
        return min(self.trainer.step_count / total, 1.0)

    def analyse(self) -> Analysis:
        """Predictions on the whole test set: the confusion matrix and the worst mistakes."""
        proba = predict_proba(self.network, self.x_test)
        pred = proba.argmax(axis=1)
        self.analysis = Analysis(epoch=self.trainer.epoch, step=self.trainer.step_count,
                                 cm=confusion_matrix(pred, self.t_test),
                                 wrong=misclassified(pred, self.t_test, proba,
                                                     limit=WRONG_SHOWN),
                                 acc=float((pred == self.t_test).mean()))
        return self.analysis

    def advance(self, seconds: float | None = None, steps: int | None = None,
                interrupted: Callable[[], bool] | None = None) -> bool:
        """Train for up to `seconds` or `steps`, ending at the next epoch's end (so that
        every epoch gets its test score), or as soon as `interrupted()` says so (it is asked
        after every mini-batch: a click on Pause waits for one, not for the whole chunk);
        True once `target` epochs are done."""
        trainer, start = self.trainer, self.clock()
        epoch_before = trainer.epoch
        trainer.run(max_steps=steps, max_seconds=seconds,
                    until_epoch=min(self.target, epoch_before + 1), stop=interrupted)
        if trainer.epoch > epoch_before:
            acc = self.analyse().acc
            self.scores.append(Score(trainer.epoch, trainer.step_count,
                                     self.seconds + self.clock() - start, acc))
        self.seconds += self.clock() - start
        self.marks.append((self.clock(), trainer.step_count * trainer.batch_size))
        if trainer.epoch >= self.target:
            self.finished = True
        return self.finished

    def samples_per_second(self) -> float | None:
        return samples_per_second(self.marks, self.clock())

    def stop(self) -> None:
        """Stop here: the run is finished at the epoch it is in."""
        self.finished = True
        self.target = self.trainer.epoch

    def one_more(self) -> None:
        """Train on to the end of the next epoch (never past TOTAL_EPOCH_CAP)."""
        self.target = min(self.trainer.epoch + 1, TOTAL_EPOCH_CAP)
        self.finished = False


def build(config: MnistConfig, data) -> MnistRun:
    """A new, untrained network and its trainer for `config`, on
    data = ((x_train, t_train), (x_test, t_test)) as load_mnist returns it.

    The trainer scores EVAL_TRAIN training samples at each epoch's end; the test set is
    scored by analyse(), which also needs the predictions themselves: one pass over it.
    """
    (x_train, t_train), (x_test, t_test) = data
    init = float(config.init) if config.init == "0.01" else config.init
    net = MultiLayerNet(784, list(config.hidden), 10, activation=config.activation,
                        weight_init_std=init, backend=config.backend, seed=config.seed)
    optimizer = OPTIMIZERS[config.optimizer](lr=config.lr)
    trainer = Trainer(net, optimizer, x_train, t_train, batch_size=config.batch,
                      seed=config.seed, eval_samples=EVAL_TRAIN)
    return MnistRun(config=config, trainer=trainer, x_test=x_test, t_test=t_test,
                    target=config.epochs)


SEED_MAX = 9999  # the page's largest seed


def network_bytes(run: MnistRun) -> bytes:
    """The run as one .npz file (engine.saving): its network, optimizer and history, and as
    the file's settings the config and the progress the page shows (epochs, test scores)."""
    tr, f = run.trainer, io.BytesIO()
    progress = {"step": tr.step_count, "epoch": tr.epoch, "train_seconds": tr.train_seconds,
                "seconds": run.seconds, "target": run.target, "finished": run.finished,
                "scores": [[s.epoch, s.step, s.seconds, s.acc] for s in run.scores]}
    config = {**asdict(run.config), "hidden": list(run.config.hidden)}
    save(f, run.network, settings={"lesson": "mnist", "config": config, "progress": progress},
         optimizer=tr.optimizer, history=tr.history)
    return f.getvalue()


def _saved_config(settings: dict, backends: Sequence[str]) -> MnistConfig:
    """The file's config, every value one the page offers; its backend one of `backends`."""
    c = settings["config"]
    config = MnistConfig(**{**c, "hidden": tuple(c["hidden"])})
    ok = (settings.get("lesson") == "mnist" and 1 <= len(config.hidden) <= MAX_LAYERS
          and all(h in HIDDEN_CHOICES for h in config.hidden)
          and config.activation in ACTIVATION_TEX and config.init in INITS
          and config.optimizer in OPTIMIZERS and config.lr in LR_CHOICES
          and config.batch in BATCH_CHOICES and type(config.epochs) is int
          and 1 <= config.epochs <= MAX_EPOCHS and type(config.seed) is int
          and 0 <= config.seed <= SEED_MAX)
    if not ok:
        raise ValueError("a setting the page does not offer")
    return replace(config, backend=config.backend if config.backend in backends else backends[0])


def from_file(file, data, *, max_bytes: int, backends: Sequence[str] = ("numpy",)) -> MnistRun:
    """A run brought back from a file `network_bytes` wrote (engine.saving.load checks the
    file): its config must be one the page offers and must have built the network, then the
    run goes on from the epoch it was saved at. Anything else raises InputError."""
    saved = load(file, max_bytes=max_bytes, backend=backends[0])
    try:
        config = _saved_config(saved.settings, backends)
        run = build(config, data)
        p, tr = saved.settings["progress"], run.trainer
        check_saved_network(saved, run.network, config.optimizer, config.lr)
        counts = [p[k] for k in ("step", "epoch", "target")]
        if not all(type(n) is int and n >= 0 for n in counts) \
                or max(counts[1:]) > TOTAL_EPOCH_CAP:
            raise ValueError("its progress is out of bounds")
        tr.network, tr.optimizer = saved.network, saved.optimizer or tr.optimizer
        tr.history = saved.history or tr.history
        tr.step_count, tr.epoch, run.target = counts
        tr.train_seconds, run.seconds = float(p["train_seconds"]), float(p["seconds"])
        run.finished = bool(p["finished"])
        run.scores = [Score(int(e), int(s), float(sec), float(acc))
                      for e, s, sec, acc in p["scores"]]
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, InputError):
            raise
        raise InputError("saving_settings", f"the file's settings do not fit this page ({err})",
                         lesson="MNIST") from None
    if tr.epoch:
        run.analyse()
    return run


def backend_speed(config: MnistConfig, data, backend: str, seconds: float = 1.0) -> float:
    """Samples/s of `config`'s network on `backend`, measured on a throwaway copy."""
    return measure_speed(build(replace(config, backend=backend), data).trainer,
                         seconds=seconds)


def gradcheck_network(hidden: int) -> MultiLayerNet:
    """STEP 1's network: 784-hidden-10, float64 (central differences need it), seed 0."""
    return MultiLayerNet(784, [hidden], 10, dtype=np.float64, seed=0)


def gradient_check(net: MultiLayerNet, x, t, batch: int) -> GradCheckResult:
    """Backprop against numerical gradients on the first `batch` samples of (x, t)."""
    return check_network(net, to_float_batch(x[:batch], np.float64), t[:batch])


def all_finite(*arrays) -> bool:
    """True when every value of every array (numpy or cupy) is finite. A network whose run
    diverged is not, and neither are its activations: the page says so instead of drawing."""
    return all(bool(np.isfinite(to_numpy(a)).all()) for a in arrays)


ACTIVATION_TEX = {"relu": r"\operatorname{ReLU}", "sigmoid": r"\sigma", "tanh": r"\tanh"}


@dataclass(frozen=True)
class ChainForms:
    """A network's chain of weight matrices, written out for the page.

    The engine holds samples as rows, so it computes X·W1·W2·... left to right (`row`);
    the lecture notes hold them as columns and write the same product right to left,
    ...·W2·W1·X (`column`). `latex` is the whole forward pass in the row form, biases,
    activation h and softmax included: y = softmax(h(X·W1 + b1)·W2 + b2).
    """

    depth: int  # weight matrices: hidden layers + 1
    activation: str  # the hidden layers' activation: 'relu', 'sigmoid' or 'tanh'
    row: str  # 'X·W1·W2'
    column: str  # 'W2·W1·X'
    latex: str


def chain_forms(net: MultiLayerNet) -> ChainForms:
    """The chain of `net` (any depth, its own activation) in both forms, and as LaTeX."""
    _check_net(net)
    names = net.weight_keys()
    h = ACTIVATION_TEX[net.activation]
    inner = "X"
    for i in range(1, len(names) + 1):
        inner = rf"{inner} \cdot W_{{{i}}} + b_{{{i}}}"
        if i < len(names):
            inner = rf"{h}\!\left({inner}\right)"
    return ChainForms(depth=len(names), activation=net.activation,
                      row="·".join(["X", *names]), column="·".join([*names[::-1], "X"]),
                      latex=rf"y = \operatorname{{softmax}}\!\left({inner}\right)")


def weight_chain(net: MultiLayerNet, x) -> tuple[list[dict], np.ndarray]:
    """One image x (1, 784) through the network: for each weight matrix W, the vector
    entering it (x_in), x_in·W + b (z) and the vector leaving it (a: the activation,
    or the softmax probabilities after the last one). Returns (steps, probabilities)."""
    trace = [(name, to_numpy(out)[0])
             for name, out in net.forward_trace(to_float_batch(x, net.dtype))]
    proba = predict_proba(net, x)[0]
    outputs = dict(trace)
    steps, x_in = [], trace[0][1]
    for i, key in enumerate(net.weight_keys(), start=1):
        a = outputs.get(f"Activation{i}", proba)
        steps.append({"name": key, "W": to_numpy(net.params[key]), "x_in": x_in,
                      "z": outputs[f"Affine{i}"], "a": a})
        x_in = a
    return steps, proba


# ================================================================ a drawn digit


def _overlap_matrix(n_out: int, n_in: int) -> np.ndarray:
    """R (n_out, n_in): R[i, j] = the share of output cell i that input cell j covers.

    Both axes span the same length: input cell j is [j·n_out, (j+1)·n_out) and
    output cell i is [i·n_in, (i+1)·n_in), in whole numbers, so overlaps are exact.
    Every row sums to 1.
    """
    i = np.arange(n_out)[:, None]
    j = np.arange(n_in)[None, :]
    lo = np.maximum(i * n_in, j * n_out)
    hi = np.minimum((i + 1) * n_in, (j + 1) * n_out)
    return np.maximum(hi - lo, 0) / n_in


def _image_2d(img, name: str = "img") -> np.ndarray:
    """A non-empty, finite, real 2-D array as float64."""
    a = to_numpy(img)
    if a.ndim != 2:
        raise InputError("mnist_image_shape", f"{name} must be a 2-D array (H, W), got "
                         f"shape {a.shape}", shape=a.shape)
    if a.size == 0:
        raise InputError("mnist_image_empty", f"{name} is empty (shape {a.shape})",
                         shape=a.shape)
    if a.dtype.kind not in "uif":
        raise InputError("mnist_image_dtype", f"{name} must hold real numbers, got dtype "
                         f"{a.dtype}", dtype=str(a.dtype))
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise InputError("mnist_image_nan", f"{name} contains NaN or infinite values")
    return a


def resize_area(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """img (H, W) resampled to (out_h, out_w) by area: out = R_y @ img @ R_x.T.

    Each output pixel is the area-weighted mean of the input pixels it covers
    (R_y, R_x: overlap weights, rows summing to 1). Shrinking averages; enlarging
    repeats, blending where cells straddle. A constant image stays constant, and
    sum(out) / (out_h·out_w) = sum(img) / (H·W): the mean is kept.
    """
    a = _image_2d(img)
    out_h = positive_int(out_h, "out_h")
    out_w = positive_int(out_w, "out_w")
    R_y = _overlap_matrix(out_h, a.shape[0])
    R_x = _overlap_matrix(out_w, a.shape[1])
    return R_y @ a @ R_x.T


def center_of_mass(img) -> tuple[float, float]:
    """(row, col) = (Σ i·img[i, j], Σ j·img[i, j]) / Σ img, in pixel indices.

    img must be non-negative with some mass: an all-zero image has no centre.
    """
    a = _image_2d(img)
    if (a < 0).any():
        raise ValueError("img must be non-negative (it is a mass: ink per pixel)")
    total = a.sum()
    if total == 0:
        raise ValueError("img is all zero: it has no centre of mass")
    rows = a.sum(axis=1) @ np.arange(a.shape[0]) / total
    cols = a.sum(axis=0) @ np.arange(a.shape[1]) / total
    return float(rows), float(cols)


def to_gray(image) -> np.ndarray:
    """A gray (H, W), RGB (H, W, 3) or RGBA (H, W, 4) image as float64 gray levels in [0, 1].

    uint8 is read as 0..255, floats as 0..1. RGB becomes 0.299 R + 0.587 G + 0.114 B.
    RGBA is composited over black (gray · alpha): the app's canvas draws white ink
    on black, so a transparent pixel is background, not ink.
    """
    a = to_numpy(image)
    if a.size == 0:
        raise InputError("mnist_image_empty", f"the image is empty (shape {a.shape})",
                         shape=a.shape)
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))):
        raise InputError("mnist_image_shape", f"the image must have shape (H, W), (H, W, 3) "
                         f"or (H, W, 4), got {a.shape}", shape=a.shape)
    if a.dtype == np.uint8:
        a = a / 255.0
    elif a.dtype.kind == "f":
        a = a.astype(np.float64)
        if not np.isfinite(a).all():
            raise InputError("mnist_image_nan", "the image contains NaN or infinite values")
        if a.min() < 0 or a.max() > 1:
            raise InputError("mnist_image_range", f"float images must lie in [0, 1], got "
                             f"{a.min():g}..{a.max():g} (divide 0..255 values by 255, or "
                             "pass them as uint8)", lo=float(a.min()), hi=float(a.max()))
    else:
        raise InputError("mnist_image_dtype", f"the image must be uint8 (0..255) or float "
                         f"(0..1), got {a.dtype}", dtype=str(a.dtype))
    if a.ndim == 2:
        return a
    gray = a[..., :3] @ np.array(LUMA)
    if a.shape[2] == 4:
        gray = gray * a[..., 3]
    return np.clip(gray, 0.0, 1.0)


@dataclass(frozen=True)
class DigitPrep:
    """Every step of `preprocess_steps`, for a page to show one after another."""

    gray: np.ndarray  # (H, W) the input as gray levels in [0, 1]
    inverted: bool  # True when the input was dark ink on light paper
    background: float  # the background level removed (median of the border)
    ink: np.ndarray  # (H, W) white ink on black: background 0, brightest ink 1
    bbox: tuple[int, int, int, int]  # (top, bottom, left, right): ink[top:bottom, left:right]
    cropped: np.ndarray  # the ink's bounding box
    scaled: np.ndarray  # cropped resized by area, longer side = box
    boxed: np.ndarray  # (size, size) scaled placed with its bounding box centred
    final: np.ndarray  # (size, size) float32: scaled placed by its centre of mass
    offset: tuple[int, int]  # (row, col) of scaled's top-left corner in final
    target: float  # where the centre of mass should land, in both axes: size / 2
    com_before: tuple[float, float]  # centre of mass of boxed
    com_after: tuple[float, float]  # centre of mass of final

    @property
    def images(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The four pictures of the pipeline: gray, cropped, scaled, final."""
        return self.gray, self.cropped, self.scaled, self.final


def _border(a: np.ndarray) -> np.ndarray:
    """The pixels of the outermost rows and columns."""
    return np.concatenate([a[0], a[-1], a[1:-1, 0], a[1:-1, -1]])


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the True pixels, bottom and right exclusive."""
    rows, cols = mask.any(axis=1), mask.any(axis=0)
    top, bottom = int(rows.argmax()), len(rows) - int(rows[::-1].argmax())
    left, right = int(cols.argmax()), len(cols) - int(cols[::-1].argmax())
    return top, bottom, left, right


def _mean3x3(a: np.ndarray) -> np.ndarray:
    """The mean of each pixel's 3×3 neighbourhood (zeros beyond the edge)."""
    p = np.pad(a, 1)
    h, w = a.shape
    return sum(p[i:i + h, j:j + w] for i in range(3) for j in range(3)) / 9


def _paste(patch: np.ndarray, size: int, top: int, left: int) -> np.ndarray:
    out = np.zeros((size, size))
    out[top:top + patch.shape[0], left:left + patch.shape[1]] = patch
    return out


def preprocess_steps(image, *, box: int = MNIST_BOX, size: int = MNIST_SIZE,
                     invert: bool | None = None, threshold: float = 0.1) -> DigitPrep:
    """A drawing or photo made MNIST-like, keeping every intermediate image.

    1. gray = to_gray(image); invert when asked, or (invert=None) when the border
       is mostly light (median > 0.5): dark ink on light paper, as in a photo.
    2. ink = clip((gray − background) / (peak − background), 0, 1), background the
       border's median and peak the maximum.
    3. The ink is the pixels > threshold whose 3×3 neighbourhood also averages
       > threshold (so a photo's isolated specks don't count); none means the
       drawing is empty: ValueError. Crop to the ink's bounding box, and
       resize_area so the longer side is `box` (aspect kept; small drawings are
       enlarged, as MNIST's were).
    4. Paste into size×size at the whole-pixel offset that brings the centre of
       mass nearest (size / 2, size / 2), clamped so all the ink stays inside.
    """
    box = positive_int(box, "box")
    size = positive_int(size, "size")
    if box > size:
        raise ValueError(f"box ({box}) must not be larger than size ({size})")
    if invert is not None and not isinstance(invert, bool):
        raise ValueError(f"invert must be True, False or None, got {invert!r}")
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not 0 <= threshold < 1:
        raise ValueError(f"threshold must be a number in [0, 1), got {threshold!r}")

    gray = to_gray(image)
    if invert is None:
        invert = bool(np.median(_border(gray)) > 0.5)
    ink = 1.0 - gray if invert else gray
    background = float(np.median(_border(ink)))
    contrast = float(ink.max()) - background
    ink = np.clip((ink - background) / max(contrast, 1e-12), 0.0, 1.0)
    mask = (ink > threshold) & (_mean3x3(ink) > threshold)
    if contrast <= threshold or not mask.any():
        raise InputError("mnist_empty_drawing", f"the drawing is empty: no stroke stands more "
                         f"than {threshold:g} out from the background; draw a digit (light "
                         "ink on dark, or dark on light)", threshold=threshold)

    top, bottom, left, right = _bbox(mask)
    cropped = ink[top:bottom, left:right]
    scale = box / max(cropped.shape)
    h = max(1, round(cropped.shape[0] * scale))
    w = max(1, round(cropped.shape[1] * scale))
    scaled = np.clip(resize_area(cropped, h, w), 0.0, 1.0)

    boxed = _paste(scaled, size, (size - h) // 2, (size - w) // 2)
    target = size / 2
    r, c = center_of_mass(scaled)
    row = min(max(math.floor(target - r + 0.5), 0), size - h)
    col = min(max(math.floor(target - c + 0.5), 0), size - w)
    final = _paste(scaled, size, row, col).astype(np.float32)
    return DigitPrep(gray=gray, inverted=invert, background=background, ink=ink,
                     bbox=(top, bottom, left, right), cropped=cropped, scaled=scaled,
                     boxed=boxed, final=final, offset=(row, col), target=target,
                     com_before=center_of_mass(boxed), com_after=center_of_mass(final))


def preprocess_digit(image, *, box: int = MNIST_BOX, size: int = MNIST_SIZE,
                     invert: bool | None = None, threshold: float = 0.1) -> np.ndarray:
    """A drawing or photo as a (size, size) float32 MNIST-like digit in [0, 1].

    Flatten it for a network: preprocess_digit(img).reshape(1, -1).
    See preprocess_steps for the steps and the arguments.
    """
    return preprocess_steps(image, box=box, size=size, invert=invert, threshold=threshold).final
