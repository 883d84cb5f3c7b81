"""Lesson 6, the playground: TensorFlow Playground's data and network, on this engine.

The datasets follow TensorFlow Playground's generators (its src/dataset.ts), written again
from their definitions, vectorised and seeded with np.random.default_rng:

- circle: half the points at radius < 2.5, half at 3.5..5 (r = 5); a point's class is
  whether it lies inside 2.5 after a uniform jitter of ±5·noise per coordinate (class 1
  inside). xor: uniform in [-5, 5]², pushed 0.3 away from both axes, class 1 where
  x1·x2 >= 0 (after the same jitter). gauss: two Gaussians at (2, 2) (class 1) and
  (-2, -2) (class 0) of variance 0.5 + 7·noise, clipped to the plane. spiral: two arms
  of radius 0..5 turning 1.75 times, the second rotated by π, each point moved by up to
  ±noise. spiral3: seed 003's three arms (engine.datasets.spiral) scaled by 5, then
  moved as the spiral.
- plane: uniform in [-6, 6]², target (x1 + x2) / 10 at the jittered point (±6·noise).
  gauss_sum: six signed bumps max(0, 1 - d / 2), the largest in size, at the jittered point.

Noise runs 0..0.5 as in TFP (the page's 0..50 %). A run is one network and its trainer:

    run = build(PRESETS["circle"])       # the data, the split, the network, the trainer
    advance(run, 100)                    # 100 epochs; the per-epoch losses are recorded
    test_accuracy(run), region_probs(run), neuron_maps(run), edge_values(run, "grad")

A learner's own points come from a CSV (`parse_csv`) or from a link (`decode_points`).
Anything a learner can get wrong raises engine.backend.InputError with a code
(playground_*), which a page says in the learner's language.
"""

from __future__ import annotations

import base64
import binascii
import csv
import dataclasses
import io
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np

from engine.backend import InputError, positive_int, to_numpy
from engine.datasets import spiral
from engine.functions import softmax
from engine.network import MultiLayerNet
from engine.optimizers import OPTIMIZERS
from engine.saving import load, save
from engine.trainer import Trainer
from lessons.common import check_saved_network

LIM = 6.0  # every dataset lives in the plane [-LIM, LIM]² (as in TFP)
GRID = 50  # decision-map resolution (n × n)
NEURON_GRID = 20  # the small per-neuron heatmaps (n × n)
CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "spiral3")
REGRESSION = ("plane", "gauss_sum")
DATASETS = CLASSIFICATION + REGRESSION
CUSTOM = "custom"  # Settings.dataset for a learner's own points, passed to build as Data
FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
# the features as formulas, the same in every language
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂",
                  "sinx1": "sin(x₁)", "sinx2": "sin(x₂)"}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = ("none", "l1", "l2")
OPTIMIZER_NAMES = tuple(OPTIMIZERS)  # "SGD", "Momentum", ... "Adam"
MAX_LAYERS, MAX_NEURONS = 6, 8
MAX_POINTS = 1000  # cap on a learner's own data (drawn or uploaded)
CSV_MAX_BYTES = 64_000

# How many points each generator draws by default: TFP's 500 for classification and 1,200
# for regression; seed 003's 300 (100 a class) for its spiral.
N_POINTS = {"circle": 500, "xor": 500, "gauss": 500, "spiral": 500, "spiral3": 300,
            "plane": 1200, "gauss_sum": 1200}
MAX_GENERATED = 5000  # make_data's cap on n
NOISE_MAX = 0.5
TRAIN_FRACTION_RANGE = (0.1, 0.9)
BATCH_RANGE = (1, 30)
LR_RANGE = (1e-5, 10.0)  # TFP's choices run from 0.00001 to 10
REG_RATE_MAX = 10.0  # TFP's choices run from 0 to 10
DROPOUT_MAX = 0.9
SEED_MAX = 2**32 - 1
MAX_WEIGHT = 100.0  # set_weight / set_bias accept values in [-MAX_WEIGHT, MAX_WEIGHT]
HISTORY_LIMIT = 1000  # per-epoch loss points kept; past that, every other one is dropped
SPIRAL3_SCALE = 5.0  # seed 003's spiral has radius < 1; TFP's datasets reach radius 5
QUANT = 0.1  # a linked point's coordinates are kept to 0.1 on [-LIM, LIM]
_LEVELS = round(2 * LIM / QUANT) + 1  # 121 values per coordinate
POINTS_VERSION = "1."  # the prefix of encode_points' text
POINTS_TEXT_LIMIT = len(POINTS_VERSION) + math.ceil(2 * MAX_POINTS * 4 / 3)  # 2,669 chars

_NET_ACTIVATION = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "identity"}
_INIT = {"relu": "he", "tanh": "xavier", "sigmoid": "xavier", "linear": "xavier"}


# ---------------------------------------------------------------- checks

def _choice(value, allowed: Sequence[str], setting: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InputError("playground_choice",
                         f"{setting} must be one of {', '.join(allowed)}, got {value!r}",
                         setting=setting, value=str(value)[:40], choices=" / ".join(allowed))
    return value


def _number(value, setting: str, low: float, high: float, *, integer: bool = False):
    """`value` as a float (an int with integer=True) in [low, high], else an InputError."""
    kind = Integral if integer else Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise InputError("playground_not_number",
                         f"{setting} must be {'an integer' if integer else 'a number'}, "
                         f"got {value!r}", setting=setting, value=repr(value)[:40])
    v = int(value) if integer else float(value)
    if not low <= v <= high:  # NaN fails too
        raise InputError("playground_range",
                         f"{setting} must lie between {low:g} and {high:g}, got {v}",
                         setting=setting, value=v, low=low, high=high)
    return v


# ---------------------------------------------------------------- data

@dataclass(frozen=True, eq=False)
class Data:
    """Points x (N, 2) float64 and y (N,): int64 class ids, or float64 targets.

    task is "classification" (n_classes 2 or 3) or "regression" (n_classes 1).
    The arrays are read-only copies.
    """

    x: np.ndarray
    y: np.ndarray
    task: str
    n_classes: int

    def __post_init__(self) -> None:
        x = np.array(self.x, dtype=np.float64)
        classify = self.task == "classification"
        y = np.array(self.y, dtype=np.int64 if classify else np.float64)
        if x.ndim != 2 or x.shape[1] != 2 or y.shape != (len(x),):
            raise ValueError(f"Data needs x (N, 2) and y (N,), got {x.shape} and {y.shape}")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValueError("Data holds NaN or infinite values")
        if classify:
            if self.n_classes not in (2, 3) or (y.size and not 0 <= y.min() <= y.max()
                                                 < self.n_classes):
                raise ValueError(f"class ids must lie in 0..n_classes - 1 with n_classes 2 or "
                                 f"3, got n_classes {self.n_classes}")
        elif self.task != "regression" or self.n_classes != 1:
            raise ValueError(f"task must be classification, or regression with n_classes 1, "
                             f"got {self.task!r} with {self.n_classes}")
        x.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    def __len__(self) -> int:
        return len(self.x)


def _classes(x, y) -> Data:
    y = np.asarray(y, dtype=np.int64)
    return Data(x, y, "classification", max(2, int(y.max(initial=0)) + 1))


def _circle(rng, n: int, noise: float):
    n_in = n // 2
    r = np.concatenate([rng.uniform(0, 2.5, n_in), rng.uniform(3.5, 5.0, n - n_in)])
    angle = rng.uniform(0, 2 * math.pi, n)
    x = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    jitter = rng.uniform(-5, 5, (n, 2)) * noise
    return x, (np.hypot(*(x + jitter).T) < 2.5).astype(np.int64)


def _xor(rng, n: int, noise: float):
    x = rng.uniform(-5, 5, (n, 2))
    x += np.where(x > 0, 0.3, -0.3)
    shifted = x + rng.uniform(-5, 5, (n, 2)) * noise
    return x, (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int64)


def _gauss(rng, n: int, noise: float):
    std = math.sqrt(0.5 + 7.0 * noise)  # TFP: variance from 0.5 (noise 0) to 4 (noise 0.5)
    n_pos = n // 2
    centre = np.where(np.arange(n) < n_pos, 2.0, -2.0)[:, None]
    x = np.clip(centre + std * rng.standard_normal((n, 2)), -LIM, LIM)
    return x, (np.arange(n) < n_pos).astype(np.int64)


def _spiral(rng, n: int, noise: float):
    parts, labels = [], []
    for count, delta, label in ((n // 2, 0.0, 1), (n - n // 2, math.pi, 0)):
        i = np.arange(count) / count
        r, t = 5 * i, 1.75 * i * 2 * math.pi + delta
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(count, label))
    x = np.concatenate(parts)
    return x + rng.uniform(-1, 1, x.shape) * noise, np.concatenate(labels)


def _spiral3(rng, n: int, noise: float, seed: int):
    x, t = spiral(max(n // 3, 1), 3, seed, one_hot_label=False, dtype=np.float64)
    x = SPIRAL3_SCALE * x
    return x + rng.uniform(-1, 1, x.shape) * noise, t


def _plane(rng, n: int, noise: float):
    x = rng.uniform(-LIM, LIM, (n, 2))
    shifted = x + rng.uniform(-LIM, LIM, (n, 2)) * noise
    return x, shifted.sum(axis=1) / 10.0


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                   [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


def _gauss_sum(rng, n: int, noise: float):
    x = rng.uniform(-LIM, LIM, (n, 2))
    p = x + rng.uniform(-LIM, LIM, (n, 2)) * noise
    d = np.hypot(p[:, None, 0] - _BUMPS[:, 0], p[:, None, 1] - _BUMPS[:, 1])  # (n, 6)
    values = _BUMPS[:, 2] * np.clip(1 - d / 2, 0, 1)
    return x, values[np.arange(n), np.abs(values).argmax(axis=1)]


def make_data(name: str, *, n: int | None = None, noise: float = 0.0, seed: int = 0) -> Data:
    """`n` points (None: N_POINTS[name]) of dataset `name`, with `noise` in [0, 0.5].

    The same (name, n, noise, seed) always gives the same points. spiral3 rounds n down
    to a multiple of 3 (at least 3).
    """
    _choice(name, DATASETS, "dataset")
    n = N_POINTS[name] if n is None else _number(n, "n", 2, MAX_GENERATED, integer=True)
    noise = _number(noise, "noise", 0.0, NOISE_MAX)
    seed = _number(seed, "seed", 0, SEED_MAX, integer=True)
    rng = np.random.default_rng(seed)
    if name == "spiral3":
        return _classes(*_spiral3(rng, n, noise, seed))
    make = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral,
            "plane": _plane, "gauss_sum": _gauss_sum}[name]
    x, y = make(rng, n, noise)
    return Data(x, y, "regression", 1) if name in REGRESSION else _classes(x, y)


def _subset(data: Data, idx: np.ndarray) -> Data:
    return Data(data.x[idx], data.y[idx], data.task, data.n_classes)


def split(data: Data, train_fraction: float, seed: int = 0) -> tuple[Data, Data]:
    """(train, test): a shuffle drawn from `seed`, round(fraction · N) points to train.

    Each part keeps at least one point, so the data needs two.
    """
    f = _number(train_fraction, "train_fraction", *TRAIN_FRACTION_RANGE)
    if len(data) < 2:
        raise InputError("playground_too_few_points",
                         f"at least 2 points are needed, got {len(data)}", n=len(data), minimum=2)
    order = np.random.default_rng([seed, 1]).permutation(len(data))  # not make_data's stream
    n_train = min(max(round(f * len(data)), 1), len(data) - 1)
    return _subset(data, order[:n_train]), _subset(data, order[n_train:])


_FEATURE_FN = {
    "x1": lambda a, b: a, "x2": lambda a, b: b, "x1sq": lambda a, b: a * a,
    "x2sq": lambda a, b: b * b, "x1x2": lambda a, b: a * b,
    "sinx1": lambda a, b: np.sin(a), "sinx2": lambda a, b: np.sin(b),
}


def feature_matrix(x: np.ndarray, features: Sequence[str]) -> np.ndarray:
    """The network's inputs (N, F) float64: one column per feature, in the given order."""
    if isinstance(features, str) or not features:
        raise InputError("playground_no_features", "choose at least one input feature")
    for f in features:
        _choice(f, FEATURES, "feature")
    x = np.asarray(x, dtype=np.float64).reshape(-1, 2)
    a, b = x[:, 0], x[:, 1]
    return np.column_stack([_FEATURE_FN[f](a, b) for f in features])


# ---------------------------------------------------------------- settings

@dataclass(frozen=True)
class Settings:
    """Every setting of the page; compared by value. Bad values raise InputError.

    features are kept in FEATURES' order (duplicates dropped), hidden as a tuple of ints.
    dataset may also be CUSTOM, for data passed to build.
    """

    dataset: str = "circle"
    noise: float = 0.0
    train_fraction: float = 0.5
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    regularization: str = "none"
    reg_rate: float = 0.0
    dropout: float = 0.0
    lr: float = 0.03
    batch: int = 10
    optimizer: str = "SGD"
    seed: int = 0

    def __post_init__(self) -> None:
        def put(name, value):
            object.__setattr__(self, name, value)

        _choice(self.dataset, (*DATASETS, CUSTOM), "dataset")
        put("noise", _number(self.noise, "noise", 0.0, NOISE_MAX))
        put("train_fraction", _number(self.train_fraction, "train_fraction",
                                      *TRAIN_FRACTION_RANGE))
        features = self.features
        if isinstance(features, str) or not isinstance(features, Sequence) or not features:
            raise InputError("playground_no_features", "choose at least one input feature")
        chosen = {_choice(f, FEATURES, "feature") for f in features}
        put("features", tuple(f for f in FEATURES if f in chosen))
        hidden = self.hidden
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
            raise InputError("playground_not_number", f"hidden must be a list of layer sizes, "
                             f"got {hidden!r}", setting="hidden", value=repr(hidden)[:40])
        _number(len(hidden), "layers", 0, MAX_LAYERS, integer=True)
        put("hidden", tuple(_number(h, "neurons", 1, MAX_NEURONS, integer=True)
                            for h in hidden))
        _choice(self.activation, ACTIVATIONS, "activation")
        _choice(self.regularization, REGULARIZATIONS, "regularization")
        put("reg_rate", _number(self.reg_rate, "reg_rate", 0.0, REG_RATE_MAX))
        put("dropout", _number(self.dropout, "dropout", 0.0, DROPOUT_MAX))
        put("lr", _number(self.lr, "lr", *LR_RANGE))
        put("batch", _number(self.batch, "batch", *BATCH_RANGE, integer=True))
        _choice(self.optimizer, OPTIMIZER_NAMES, "optimizer")
        put("seed", _number(self.seed, "seed", 0, SEED_MAX, integer=True))


PRESETS: dict[str, Settings] = {
    # TFP's opening view: x1 and x2, hidden 4-2 tanh, SGD at 0.03, batch 10, half to train
    "circle": Settings("circle"),
    "xor": Settings("xor", hidden=(8, 4)),  # 4-2 misses on some seeds
    "gauss": Settings("gauss"),
    "spiral": Settings("spiral", features=("x1", "x2", "sinx1", "sinx2"), hidden=(8, 8),
                       lr=0.01, batch=30, optimizer="Adam"),
    # seed 003's network: one hidden sigmoid layer (8 here: its 10 is past MAX_NEURONS),
    # SGD at learning rate 1, batch 30, on its 300 points
    "spiral3": Settings("spiral3", hidden=(8,), activation="sigmoid", lr=1.0, batch=30),
    "plane": Settings("plane", hidden=(2,), activation="linear", lr=0.01),
    "gauss_sum": Settings("gauss_sum", hidden=(8, 8), lr=0.01, optimizer="Adam"),
}


# ---------------------------------------------------------------- a run

class Losses(NamedTuple):
    train: float  # data loss on the training set (no regularisation)
    test: float
    reg: float  # the regularisation part: ½λ·Σ‖W‖² (L2) or λ·Σ|W| (L1)


class NeuronDetail(NamedTuple):
    layer: int  # the Affine layer feeding the neuron, 1..L+1
    unit: int
    weights: np.ndarray  # (fan_in,)
    bias: float
    weight_grads: np.ndarray  # (fan_in,), as edge_values(run, "grad")
    bias_grad: float
    map: np.ndarray  # (n, n): the neuron's output over the plane


@dataclass(eq=False)
class Run:
    """What a page keeps in session state: the data, the network, its trainer, the curves."""

    settings: Settings
    data: Data
    train: Data
    test: Data
    net: MultiLayerNet
    trainer: Trainer
    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    x_test: np.ndarray | None = None  # the test set's feature matrix
    history_stride: int = 1  # the curves keep every history_stride-th epoch

    @property
    def classification(self) -> bool:
        return self.data.task == "classification"


def build(settings: Settings, data: Data | None = None) -> Run:
    """A fresh run: data (None: make_data from the settings), its split, network and trainer.

    Classification trains a softmax output with cross-entropy, regression a linear output
    with squared error. The losses before training are recorded as epoch 0.
    """
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, got {type(settings).__name__}")
    if data is None:
        if settings.dataset == CUSTOM:
            raise InputError("playground_no_data", "draw or upload points first")
        data = make_data(settings.dataset, noise=settings.noise, seed=settings.seed)
    elif not isinstance(data, Data):
        raise TypeError(f"data must be a Data, got {type(data).__name__}")
    s = settings
    train, test = split(data, s.train_fraction, s.seed)
    # the weights and the batch order get their own streams, unrelated to the data's
    net_seed, order_seed = (int(v) for v in np.random.SeedSequence(s.seed).generate_state(2))
    classify = data.task == "classification"
    net = MultiLayerNet(
        len(s.features), list(s.hidden), data.n_classes if classify else 1,
        activation=_NET_ACTIVATION[s.activation], weight_init_std=_INIT[s.activation],
        weight_decay_lambda=s.reg_rate if s.regularization == "l2" else 0.0,
        weight_decay_l1=s.reg_rate if s.regularization == "l1" else 0.0,
        use_dropout=s.dropout > 0, dropout_ratio=s.dropout or 0.5,
        output="softmax" if classify else "identity", backend="numpy", dtype=np.float64,
        seed=net_seed)
    trainer = Trainer(net, OPTIMIZERS[s.optimizer](lr=s.lr), feature_matrix(train.x, s.features),
                      train.y, batch_size=s.batch, seed=order_seed, eval_samples=0)
    run = Run(s, data, train, test, net, trainer, x_test=feature_matrix(test.x, s.features))
    _record(run)
    return run


def _scores(net: MultiLayerNet, x: np.ndarray) -> np.ndarray:
    """The network's outputs for feature rows x: class probabilities, or the regression value."""
    y = to_numpy(net.predict(x))
    return softmax(y) if net.output == "softmax" else y


def _data_loss(run: Run, x: np.ndarray, y: np.ndarray) -> float:
    """Cross-entropy (classes) or ½·mean squared error (regression), without weight decay."""
    out = to_numpy(run.net.predict(x))
    if run.classification:  # from log-softmax, so a confident mistake stays finite
        z = out - out.max(axis=1, keepdims=True)
        log_p = z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))
        return float(-log_p.mean())
    return float(0.5 * ((out[:, 0] - y) ** 2).mean())


def _record(run: Run) -> None:
    """Append this epoch's train and test losses, thinning the curves past HISTORY_LIMIT."""
    epoch = run.trainer.epoch
    if epoch % run.history_stride:
        return
    del run.trainer.history.epochs[:-100]  # the trainer's per-epoch records: the last 100
    run.epochs.append(epoch)
    run.train_loss.append(_data_loss(run, run.trainer.x_train, run.train.y))
    run.test_loss.append(_data_loss(run, run.x_test, run.test.y))
    if len(run.epochs) >= HISTORY_LIMIT:
        run.history_stride *= 2
        keep = [i for i, e in enumerate(run.epochs) if e % run.history_stride == 0]
        for series in (run.epochs, run.train_loss, run.test_loss):
            series[:] = [series[i] for i in keep]


def advance(run: Run, epochs: int = 1, max_seconds: float | None = None) -> int:
    """Train up to `epochs` more epochs, stopping once `max_seconds` have passed.

    Returns the epochs completed (an epoch cut short goes on at the next call).
    A loss that turns NaN raises engine.trainer.TrainingDiverged (code 'diverged').
    """
    epochs = positive_int(epochs, "epochs")
    deadline = None if max_seconds is None else time.perf_counter() + max_seconds
    done = 0
    while done < epochs:
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0:
            break
        before = run.trainer.epoch
        run.trainer.run(until_epoch=before + 1, max_seconds=left)
        if run.trainer.epoch > before:
            done += 1
            _record(run)
    return done


def set_live(run: Run, *, lr: float | None = None, batch: int | None = None) -> None:
    """Change the learning rate or batch size of a run as it trains, keeping its weights.

    Checked as Settings are (InputError); run.settings follows.
    """
    changes = {k: v for k, v in (("lr", lr), ("batch", batch)) if v is not None}
    run.settings = dataclasses.replace(run.settings, **changes)
    run.trainer.optimizer.lr = run.settings.lr
    run.trainer.batch_size = min(run.settings.batch, len(run.train))


def losses(run: Run) -> Losses:
    """The current data loss on the train and test sets, and the regularisation part."""
    return Losses(_data_loss(run, run.trainer.x_train, run.train.y),
                  _data_loss(run, run.x_test, run.test.y), float(run.net.reg_loss()))


def test_accuracy(run: Run) -> float | None:
    """The fraction of test points classified right; None for regression."""
    if not run.classification:
        return None
    return float((_scores(run.net, run.x_test).argmax(axis=1) == run.test.y).mean())


def confusion(run: Run) -> np.ndarray | None:
    """(k, k) counts on the test data: row = true class, column = predicted; None for regression."""
    if not run.classification:
        return None
    k = run.data.n_classes
    pred = _scores(run.net, run.x_test).argmax(axis=1)
    return np.bincount(run.test.y * k + pred, minlength=k * k).reshape(k, k)


def grad_flow(run: Run) -> dict[str, float]:
    """Mean |dW| per weight matrix (W1, W2, ...) from the last training step (0 before it)."""
    return run.net.grad_stats()


# ---------------------------------------------------------------- the plane

def grid(n: int = GRID) -> np.ndarray:
    """The n coordinates from -LIM to LIM, the same for both axes."""
    _number(n, "grid", 2, 300, integer=True)
    return np.linspace(-LIM, LIM, n)


def _grid_features(run: Run, n: int) -> np.ndarray:
    """The features of the n × n grid points, row-major with x2 down the rows: (n·n, F)."""
    xs = grid(n)
    x1, x2 = np.meshgrid(xs, xs)
    return feature_matrix(np.column_stack([x1.ravel(), x2.ravel()]), run.settings.features)


def region_probs(run: Run, n: int = GRID) -> np.ndarray:
    """Classification: (k, n, n) class probabilities; regression: (1, n, n) outputs.

    [.., i, j] is at x1 = grid(n)[j], x2 = grid(n)[i] (row = x2, as a heatmap's z).
    """
    out = _scores(run.net, _grid_features(run, n))
    return out.T.reshape(-1, n, n)


def neuron_maps(run: Run, n: int = NEURON_GRID) -> list[np.ndarray]:
    """One (units, n, n) array per column of the diagram, over the grid of `region_probs`.

    The F input features, each hidden layer's outputs (after its activation, in inference
    mode), and the output layer (class probabilities, or the regression output).
    """
    feats = _grid_features(run, n)
    trace = dict(run.net.forward_trace(feats))
    net = run.net
    columns = [feats] + [to_numpy(trace[f"Activation{i}"])
                         for i in range(1, net.hidden_layer_num + 1)]
    out = to_numpy(trace[f"Affine{net.hidden_layer_num + 1}"])
    out = softmax(out) if net.output == "softmax" else out
    return [c.T.reshape(-1, n, n) for c in (*columns, out)]


def _full_gradient(run: Run) -> dict[str, np.ndarray]:
    """The gradient of the training loss over the whole training set, dropout off.

    The network's gradient buffers are restored afterwards, so grad_flow still reports the
    last training step.
    """
    net = run.net
    saved = {k: g.copy() for k, g in net.grads.items()}
    _, grads = net.backprop(run.trainer.x_train, run.trainer.t_train, train_flg=False)
    fresh = {k: to_numpy(g).copy() for k, g in grads.items()}
    for k, g in net.grads.items():
        g[...] = saved[k]
    return fresh


def edge_values(run: Run, which: str = "weight") -> list[np.ndarray]:
    """One (fan_in, fan_out) array per Affine layer: the weights, or (which="grad") the
    gradient of the training loss over the whole training set."""
    keys = run.net.weight_keys()
    if which == "weight":
        return [to_numpy(run.net.params[k]).copy() for k in keys]
    if which == "grad":
        grads = _full_gradient(run)
        return [grads[k] for k in keys]
    raise ValueError(f"which must be 'weight' or 'grad', got {which!r}")


def _check_neuron(run: Run, layer, unit) -> None:
    net = run.net
    n_layers = net.hidden_layer_num + 1
    ok = (isinstance(layer, Integral) and not isinstance(layer, bool) and 1 <= layer <= n_layers
          and isinstance(unit, Integral) and not isinstance(unit, bool)
          and 0 <= unit < net.params[f"W{layer}"].shape[1])
    if not ok:
        raise InputError("playground_neuron", f"there is no neuron {unit!r} in layer {layer!r}",
                         layer=str(layer), unit=str(unit))


def neuron_detail(run: Run, layer: int, unit: int, n: int = NEURON_GRID) -> NeuronDetail:
    """Neuron `unit` fed by Affine layer `layer` (1 = the first hidden layer, L+1 the output):
    its incoming weights and bias, their gradients (as edge_values "grad"), and its map over
    grid(n) (by default the diagram's own map of it)."""
    _check_neuron(run, layer, unit)
    W, b = run.net.params[f"W{layer}"], run.net.params[f"b{layer}"]
    grads = _full_gradient(run)
    return NeuronDetail(layer, unit, to_numpy(W[:, unit]).copy(), float(b[unit]),
                        grads[f"W{layer}"][:, unit].copy(), float(grads[f"b{layer}"][unit]),
                        neuron_maps(run, n)[layer][unit])


def set_weight(run: Run, layer: int, unit: int, source: int, value: float) -> None:
    """Set the weight from input `source` of Affine layer `layer` into neuron `unit`."""
    _check_neuron(run, layer, unit)
    W = run.net.params[f"W{layer}"]
    if isinstance(source, bool) or not isinstance(source, Integral) or not 0 <= source < len(W):
        raise InputError("playground_edge", f"neuron {unit} of layer {layer} has no input "
                         f"{source!r}", layer=str(layer), unit=str(unit), source=str(source))
    W[source, unit] = _number(value, "weight", -MAX_WEIGHT, MAX_WEIGHT)


def set_bias(run: Run, layer: int, unit: int, value: float) -> None:
    """Set the bias of neuron `unit` fed by Affine layer `layer`."""
    _check_neuron(run, layer, unit)
    run.net.params[f"b{layer}"][unit] = _number(value, "bias", -MAX_WEIGHT, MAX_WEIGHT)


# ---------------------------------------------------------------- a learner's own points

def custom_data(x, labels) -> Data:
    """Points a learner placed, as classification Data: x (N, 2) clipped to the plane,
    labels 0, 1 or 2 (3 classes once a 2 appears). 1 to MAX_POINTS points."""
    x = np.asarray(x, dtype=np.float64).reshape(-1, 2)
    labels = np.asarray(labels)
    if not 1 <= len(x) <= MAX_POINTS:
        raise InputError("playground_points_count", f"place 1 to {MAX_POINTS} points, got "
                         f"{len(x)}", n=len(x), limit=MAX_POINTS)
    if labels.shape != (len(x),) or not np.isin(labels, (0, 1, 2)).all():
        raise ValueError("labels must be one class id (0, 1 or 2) per point")
    if not np.isfinite(x).all():
        raise ValueError("points must be finite")
    return _classes(np.clip(x, -LIM, LIM), labels)


def add_point(data: Data | None, point: tuple[float, float], label: int) -> Data:
    """`data` (None: no points yet) with one more point of class `label` (0, 1 or 2), clipped
    to the plane; past MAX_POINTS an InputError 'playground_points_count'."""
    if data is not None and data.task != "classification":
        raise InputError("playground_points_task", "only class points can be placed")
    x = np.zeros((0, 2)) if data is None else data.x
    y = np.zeros(0, dtype=np.int64) if data is None else data.y
    if isinstance(label, bool) or not isinstance(label, Integral) or label not in (0, 1, 2):
        raise ValueError(f"label must be 0, 1 or 2, got {label!r}")
    return custom_data(np.vstack([x, np.reshape(point, (1, 2))]), np.append(y, label))


def _labels_data(x: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> Data:
    """Classes when every label is 0, 1 or 2 (or every one -1 or 1, TFP's labels: -1 is
    class 0), with two classes present; otherwise regression targets in [-1, 1]."""
    whole = labels == np.round(labels)
    if whole.all() and np.isin(labels, (0, 1, 2)).all():
        y = labels.astype(np.int64)
    elif whole.all() and np.isin(labels, (-1, 1)).all():
        y = (labels > 0).astype(np.int64)
    else:
        bad = np.flatnonzero(np.abs(labels) > 1)
        if bad.size:
            raise InputError("playground_csv_label",
                             f"row {rows[bad[0]]}: label {labels[bad[0]]:g} is neither a class "
                             "(0, 1, 2) nor a target between -1 and 1",
                             row=int(rows[bad[0]]), value=float(labels[bad[0]]))
        return Data(x, labels, "regression", 1)
    if len(np.unique(y)) < 2:
        raise InputError("playground_csv_one_class",
                         "the labels name only one class: a classifier needs two",
                         label=int(y[0]))
    return _classes(x, y)


def parse_csv(raw: bytes) -> Data:
    """A learner's CSV as Data: rows x1,x2,label, an optional header row first.

    Read as UTF-8 text with the csv module, nothing else. At most CSV_MAX_BYTES bytes and
    MAX_POINTS rows; exactly 3 columns; finite numbers; x1, x2 in [-LIM, LIM] (a point
    outside is rejected, not clipped); labels 0/1/2 (or -1/1) make classes, any other
    labels regression targets in [-1, 1]. Blank lines are skipped. Every problem raises
    InputError (playground_csv_*), naming the row (1 = the file's first line).
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise TypeError(f"parse_csv reads bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    if len(raw) > CSV_MAX_BYTES:
        raise InputError("playground_csv_too_big", f"the file has {len(raw)} bytes, more than "
                         f"{CSV_MAX_BYTES}", size=len(raw), limit=CSV_MAX_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or any(ord(c) < 32 and c not in "\t\r\n" for c in text):  # NUL too
        raise InputError("playground_csv_not_text",
                         "the file is not UTF-8 text: a binary file, or another encoding")
    try:
        rows = [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text)), start=1)
                if any(cell.strip() for cell in row)]
    except csv.Error as err:
        raise InputError("playground_csv_not_text", f"the file is not CSV text ({err})") from err
    if rows and not any(map(_is_number, rows[0][1])):  # a header row: no cell is a number
        if len(rows[0][1]) != 3:
            raise InputError("playground_csv_columns", f"row 1 has {len(rows[0][1])} columns, "
                             "expected 3 (x1, x2, label)", row=1, found=len(rows[0][1]),
                             expected=3)
        rows = rows[1:]
    if not rows:
        raise InputError("playground_csv_empty", "the file has no data rows")
    if len(rows) > MAX_POINTS:
        raise InputError("playground_csv_too_many_rows", f"the file has {len(rows)} data rows, "
                         f"more than {MAX_POINTS}", rows=len(rows), limit=MAX_POINTS)
    values = np.empty((len(rows), 3))
    for k, (line, row) in enumerate(rows):
        if len(row) != 3:
            raise InputError("playground_csv_columns", f"row {line} has {len(row)} columns, "
                             "expected 3 (x1, x2, label)", row=line, found=len(row), expected=3)
        for col, cell in enumerate(row):
            try:
                values[k, col] = float(cell.strip())
            except ValueError:
                raise InputError("playground_csv_not_number",
                                 f"row {line}, column {col + 1}: {cell[:20]!r} is not a number",
                                 row=line, column=col + 1, value=cell.strip()[:20]) from None
            if not math.isfinite(values[k, col]):
                raise InputError("playground_csv_not_finite",
                                 f"row {line}, column {col + 1}: {cell.strip()[:20]} is not "
                                 "a finite number", row=line, column=col + 1)
    lines = np.array([line for line, _ in rows])
    outside = np.argwhere(np.abs(values[:, :2]) > LIM)
    if outside.size:
        k, col = outside[0]
        raise InputError("playground_csv_out_of_range",
                         f"row {lines[k]}, column {col + 1}: {values[k, col]:g} lies outside "
                         f"[-{LIM:g}, {LIM:g}]", row=int(lines[k]), column=int(col) + 1,
                         value=float(values[k, col]), limit=LIM)
    return _labels_data(values[:, :2], values[:, 2], lines)


def _is_number(cell: str) -> bool:
    try:
        float(cell.strip())
    except ValueError:
        return False
    return True


def encode_points(data: Data) -> str:
    """Classification points as compact URL-safe text: "1." and base64url without padding.

    Each point takes 2 bytes: x1 and x2 rounded to 0.1 on [-LIM, LIM] (121 steps each, a
    point outside clipped to the edge) and its class, packed as (q1·121 + q2)·3 + class.
    At most MAX_POINTS points: 1,000 points give 2,669 characters.
    """
    if not isinstance(data, Data):
        raise TypeError(f"encode_points needs Data, got {type(data).__name__}")
    if data.task != "classification":
        raise InputError("playground_points_task", "only class points can go into a link")
    if not 1 <= len(data) <= MAX_POINTS:
        raise InputError("playground_points_count", f"a link holds 1 to {MAX_POINTS} points, "
                         f"got {len(data)}", n=len(data), limit=MAX_POINTS)
    q = np.rint((np.clip(data.x, -LIM, LIM) + LIM) / QUANT).astype(np.int64)
    code = (q[:, 0] * _LEVELS + q[:, 1]) * 3 + data.y
    payload = code.astype(">u2").tobytes()
    return POINTS_VERSION + base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def decode_points(text: str) -> Data:
    """The points of an encode_points text; InputError 'playground_points_invalid' on
    anything else (wrong prefix, alphabet, length or value), 'playground_points_count'
    past POINTS_TEXT_LIMIT characters or with no points."""
    def invalid(why: str) -> InputError:
        return InputError("playground_points_invalid", f"the points in the link are "
                          f"damaged: {why}", reason=why)

    if not isinstance(text, str):
        raise invalid("not text")
    if len(text) > POINTS_TEXT_LIMIT:
        n = (len(text) - len(POINTS_VERSION)) * 3 // 8  # the points that many characters hold
        raise InputError("playground_points_count", f"the link holds about {n} points, more "
                         f"than {MAX_POINTS}", n=n, limit=MAX_POINTS)
    if not text.startswith(POINTS_VERSION):
        raise invalid("unknown format")
    body = text[len(POINTS_VERSION):]
    if not body:
        raise InputError("playground_points_count", "the link holds no points",
                         n=0, limit=MAX_POINTS)
    if not set(body) <= _B64URL or len(body) % 4 == 1:
        raise invalid("not base64url")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as err:
        raise invalid("not base64url") from err
    if len(payload) % 2 or base64.urlsafe_b64encode(payload).decode().rstrip("=") != body:
        raise invalid("wrong length")
    code = np.frombuffer(payload, dtype=">u2").astype(np.int64)
    if (code >= _LEVELS * _LEVELS * 3).any():
        raise invalid("a value out of range")
    q, label = np.divmod(code, 3)
    q1, q2 = np.divmod(q, _LEVELS)
    x = np.column_stack([q1, q2]) * QUANT - LIM
    return _classes(np.round(x, 10), label)


# ---------------------------------------------------------------- a run as a file

def network_bytes(run: Run) -> bytes:
    """The run as one .npz file (engine.saving): its network, optimizer and history, and as
    the file's settings the Settings, the curves, and a learner's own points (as CSV text,
    read back by parse_csv and its checks)."""
    tr, f = run.trainer, io.BytesIO()
    points = None
    if run.settings.dataset == CUSTOM:
        points = "x1,x2,label\n" + "".join(f"{a!r},{b!r},{v!r}\n" for (a, b), v in zip(
            run.data.x.tolist(), run.data.y.tolist(), strict=True))
    progress = {"step": tr.step_count, "epoch": tr.epoch, "epochs": run.epochs,
                "train_loss": run.train_loss, "test_loss": run.test_loss,
                "stride": run.history_stride}
    save(f, run.net, settings={"lesson": "playground", "settings": asdict(run.settings),
                               "points": points, "progress": progress},
         optimizer=tr.optimizer, history=tr.history)
    return f.getvalue()


def from_file(file, *, max_bytes: int) -> Run:
    """A run brought back from a file `network_bytes` wrote (engine.saving.load checks the
    file): its Settings are checked as the page's are, its data made again (or its own
    points read back), its network must be the one the settings build; it trains on from
    the epoch it was saved at. Anything else raises InputError."""
    saved = load(file, max_bytes=max_bytes, backend="numpy")
    s = saved.settings
    try:
        if s.get("lesson") != "playground":
            raise ValueError("a file from another lesson")
        c = s["settings"]
        settings = Settings(**{**c, "features": tuple(c["features"]), "hidden": tuple(c["hidden"])})
        text = s["points"]
        data = parse_csv(text.encode("utf-8")) if settings.dataset == CUSTOM else None
        run = build(settings, data)
        check_saved_network(saved, run.net, settings.optimizer, settings.lr)
        p, tr = s["progress"], run.trainer
        curves = [[float(v) for v in p[k]] for k in ("epochs", "train_loss", "test_loss")]
        counts = (p["step"], p["epoch"], p["stride"])
        if not all(type(n) is int and n >= 0 for n in counts) or len({*map(len, curves)}) != 1 \
                or len(curves[0]) > HISTORY_LIMIT:
            raise ValueError("its progress is out of bounds")
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        if isinstance(err, InputError):
            raise
        raise InputError("saving_settings", f"the file's settings do not fit this page ({err})",
                         lesson="playground") from None
    run.net = tr.network = saved.network
    tr.optimizer, tr.history = saved.optimizer or tr.optimizer, saved.history or tr.history
    tr.step_count, tr.epoch, run.history_stride = counts[0], counts[1], max(counts[2], 1)
    run.epochs = [int(e) for e in curves[0]]
    run.train_loss, run.test_loss = curves[1], curves[2]
    return run
