"""Seed 003, 1-5 계산 고속화, 비트 정밀도: the same network in float64, float32 and float16.

numpy computes in float64 by default; the seed says inference and learning work as well in
float32, with half the memory and faster arithmetic, and that float16 saves memory too but
gains little speed, because CPUs (and most GPUs) compute in 32 bits. This lesson checks all
of that live: one draw of weights in float64, rounded to each type, then the same forward
pass and one SGD step with the engine's own layers, on the same mini-batch:

    cfg = PrecisionConfig(net="mnist", batch_size=100)
    result = compare(cfg, x_uint8, labels)          # MNIST pixels (N, 784) and labels
    result.rows["float16"].loss_diff                 # |loss16 − loss64|
    float_facts()["float16"].max                     # 65504: exp(12) is already inf
    softmax_overflow(scores, 12.0).naive_has_nan     # exp(a)/Σexp(a) in float16 breaks

MultiLayerNet accepts float32 and float64 only (engine.backend.resolve_dtype: the engine
trains in those), so the three networks here are built from the layers themselves
(Affine, an activation, SoftmaxWithLoss) and stepped by engine.optimizers.SGD; in float64
and float32 they are exactly MultiLayerNet's (tests/unit/test_lessons_precision.py).
Times are medians of a few repeats measured on this machine; they are shown, never tested.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from engine.functions import softmax
from engine.layers import ACTIVATIONS, NETWORK_ACTIVATIONS, Affine, Layer, SoftmaxWithLoss
from engine.network import init_scale
from engine.optimizers import SGD

DTYPES = ("float64", "float32", "float16")  # the reference first
REFERENCE = "float64"
# The networks the section offers: the book's two-layer MNIST net and seed 003's spiral net.
NETS = {"mnist": (784, 50, 10), "spiral": (2, 10, 3)}
BATCH_SIZES = (1, 10, 50, 100)  # float16 matmuls on a CPU are slow: 100 stays well under 1 s
MAX_BATCH = max(BATCH_SIZES)
REPEATS = 3  # forward passes and steps timed per type; the median is shown
BLAS_DTYPES = ("float64", "float32")  # numpy hands their matrix products to BLAS, not float16's
SMALL_ADDEND = 1e-4  # 1 + this: kept in float32, lost in float16 (its gap near 1 is ~0.001)


@dataclass(frozen=True)
class PrecisionConfig:
    """What the three networks share: their sizes, the mini-batch, the draw and the step."""

    net: str = "mnist"
    batch_size: int = 100
    seed: int = 0
    lr: float = 0.1
    activation: str = "relu"
    repeats: int = REPEATS

    def __post_init__(self) -> None:
        if self.net not in NETS:
            raise ValueError(f"net must be one of {', '.join(NETS)}, got {self.net!r}")
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be in 1..{MAX_BATCH}, got {self.batch_size}")
        if self.activation not in NETWORK_ACTIVATIONS:
            raise ValueError(f"activation must be one of {NETWORK_ACTIVATIONS}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {self.lr}")
        if self.repeats < 1:
            raise ValueError(f"repeats must be >= 1, got {self.repeats}")

    @property
    def sizes(self) -> tuple[int, ...]:
        return NETS[self.net]


def draw_params(sizes: tuple[int, ...], seed: int, activation: str = "relu") -> dict:
    """The float64 weights every type starts from, drawn as MultiLayerNet draws them:
    W{i} ~ N(0, scale²) with He's scale for ReLU (Xavier's otherwise), b{i} = 0."""
    rng = np.random.default_rng(seed)
    init = "he" if activation == "relu" else "xavier"
    params = {}
    for i in range(1, len(sizes)):
        fan_in, fan_out = sizes[i - 1], sizes[i]
        params[f"W{i}"] = init_scale(init, fan_in) * rng.standard_normal((fan_in, fan_out))
        params[f"b{i}"] = np.zeros(fan_out)
    return params


class LayerNet:
    """Affine → activation → ... → Affine → SoftmaxWithLoss, in any float type numpy has.

    `params` are the layers' own arrays (a copy of the given ones in `dtype`), so an
    optimizer's update changes what the next forward pass uses, as in MultiLayerNet.
    """

    def __init__(self, params: dict, dtype, activation: str = "relu") -> None:
        self.dtype = np.dtype(dtype)
        self.params = {k: np.array(v, dtype=self.dtype) for k, v in params.items()}
        n_affine = len(self.params) // 2
        self.layers: list[tuple[str, Layer]] = []
        for i in range(1, n_affine + 1):
            self.layers.append((f"Affine{i}", Affine(self.params[f"W{i}"], self.params[f"b{i}"])))
            if i < n_affine:
                self.layers.append((f"Activation{i}", ACTIVATIONS[activation].layer()))
        self.last_layer = SoftmaxWithLoss()
        self.grads = {}
        for name, layer in self.layers:
            if layer.params:
                i = name.removeprefix("Affine")
                self.grads[f"W{i}"], self.grads[f"b{i}"] = layer.grads

    def predict(self, x) -> tuple[np.ndarray, int]:
        """(the scores, the bytes of every array the pass made: the activations)."""
        made = 0
        for _, layer in self.layers:
            x = layer.forward(x)
            made += x.nbytes
        return x, made

    def loss(self, x, t):
        scores, _ = self.predict(x)
        return self.last_layer.forward(scores, t)

    def gradient(self, x, t) -> dict:
        """Backprop through the layers, as MultiLayerNet.backprop (grads: the layers' own)."""
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for _, layer in reversed(self.layers):
            dout = layer.backward(dout)
        return self.grads

    def param_bytes(self) -> int:
        return int(sum(p.nbytes for p in self.params.values()))


@dataclass(frozen=True)
class DtypeRow:
    """One type's run: memory, time, and its results next to float64's."""

    dtype: str
    bits: int
    param_bytes: int  # the weights and biases
    activation_bytes: int  # what one forward pass keeps: each layer's output
    input_bytes: int  # the mini-batch of images in this type
    forward_s: float  # median time of a forward pass (scores and loss)
    step_s: float  # median time of one training step (forward, backward, SGD update)
    loss: float
    scores_diff: float  # max |scores − float64's scores|
    prob_diff: float  # max |softmax − float64's softmax|
    loss_diff: float  # |loss − float64's loss|
    weight_diff: float  # max |updated weights − float64's updated weights|
    step_rel_error: float  # ‖Δθ − Δθ₆₄‖ / ‖Δθ₆₄‖, Δθ the change one step made
    lost_updates: float  # share of weights the step should change (float64) but did not
    finite: bool  # no inf or NaN anywhere in scores, loss or updated weights


@dataclass(frozen=True)
class Comparison:
    config: PrecisionConfig
    rows: dict[str, DtypeRow]
    n_params: int
    n_classes: int
    scores64: np.ndarray = field(repr=False)  # float64's scores of the mini-batch


def mini_batch(x, t, batch_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`batch_size` samples drawn without replacement from `seed`: x as float64 (uint8
    pixels divided by 255), t as int64 labels (one-hot rows become labels)."""
    x, t = np.asarray(x), np.asarray(t)
    if x.shape[0] != t.shape[0] or x.shape[0] < batch_size:
        raise ValueError(f"need {batch_size} samples with one label each, got x {x.shape}, "
                         f"t {t.shape}")
    idx = np.sort(np.random.default_rng(seed).choice(x.shape[0], batch_size, replace=False))
    xb = x[idx].reshape(batch_size, -1)
    xb = xb / 255.0 if xb.dtype == np.uint8 else xb.astype(np.float64)
    tb = t[idx]
    tb = tb.argmax(axis=1) if tb.ndim == 2 else tb.astype(np.int64)
    return xb, tb


def _flat(params: dict) -> np.ndarray:
    return np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in params.values()])


def _run(dtype: str, start: dict, x64, t, cfg: PrecisionConfig) -> dict:
    """One type: a forward pass (scores and loss), then one SGD step, on a fresh network
    `cfg.repeats` times; every repeat computes the same numbers, the times are medians."""
    x = x64.astype(dtype)
    forward_times, step_times, runs = [], [], []
    with np.errstate(all="ignore"):  # float16 may overflow: that is a result, shown
        if dtype in BLAS_DTYPES:  # the first BLAS call starts its threads: not timed
            warm = LayerNet(start, dtype, cfg.activation)
            SGD(lr=cfg.lr).update(warm.params, warm.gradient(x, t))
        for _ in range(cfg.repeats):
            net = LayerNet(start, dtype, cfg.activation)
            before = _flat(net.params)
            tick = time.perf_counter()
            scores, act_bytes = net.predict(x)
            loss = float(net.last_layer.forward(scores, t))
            tock = time.perf_counter()
            SGD(lr=cfg.lr).update(net.params, net.gradient(x, t))  # its own forward, again
            forward_times.append(tock - tick)
            step_times.append(time.perf_counter() - tock)
            runs.append((net, scores, loss, act_bytes, before))
    net, scores, loss, act_bytes, before = runs[0]
    probs = softmax(scores).astype(np.float64)
    return dict(net=net, x=x, scores=scores.astype(np.float64), probs=probs, loss=loss,
                act_bytes=act_bytes, before=before, after=_flat(net.params),
                forward_s=float(np.median(forward_times)), step_s=float(np.median(step_times)))


def compare(cfg: PrecisionConfig, x, t) -> Comparison:
    """The forward pass and one training step of the same network in every type of DTYPES,
    on the same mini-batch of (x, t) (pixels and labels), and each next to float64's."""
    sizes = cfg.sizes
    if np.asarray(x)[0].size != sizes[0]:
        raise ValueError(f"the {cfg.net} network takes {sizes[0]} inputs per sample, "
                         f"got {np.asarray(x)[0].size}")
    x64, tb = mini_batch(x, t, cfg.batch_size, cfg.seed)
    start = draw_params(sizes, cfg.seed, cfg.activation)
    runs = {dt: _run(dt, start, x64, tb, cfg) for dt in DTYPES}
    ref = runs[REFERENCE]
    step64 = ref["after"] - ref["before"]
    moved = step64 != 0
    rows = {}
    for dt, r in runs.items():
        step = r["after"] - r["before"]
        finite = bool(np.isfinite(r["scores"]).all() and math.isfinite(r["loss"])
                      and np.isfinite(r["after"]).all())
        with np.errstate(invalid="ignore"):
            rows[dt] = DtypeRow(
                dtype=dt, bits=np.dtype(dt).itemsize * 8,
                param_bytes=r["net"].param_bytes(), activation_bytes=r["act_bytes"],
                input_bytes=r["x"].nbytes, forward_s=r["forward_s"], step_s=r["step_s"],
                loss=r["loss"],
                scores_diff=float(np.abs(r["scores"] - ref["scores"]).max()),
                prob_diff=float(np.abs(r["probs"] - ref["probs"]).max()),
                loss_diff=abs(r["loss"] - ref["loss"]),
                weight_diff=float(np.abs(r["after"] - ref["after"]).max()),
                step_rel_error=float(np.linalg.norm(step - step64) / np.linalg.norm(step64)),
                lost_updates=float((step[moved] == 0).mean()) if moved.any() else 0.0,
                finite=finite)
    return Comparison(config=cfg, rows=rows, n_params=int(ref["before"].size),
                      n_classes=sizes[-1], scores64=ref["scores"])


# ------------------------------------------------------------------ what each type can hold

@dataclass(frozen=True)
class FloatFacts:
    """np.finfo's numbers for one type, and what they mean for a network."""

    dtype: str
    bits: int
    mantissa_bits: int  # stored fraction bits; the precision is one more
    decimal_digits: int  # about this many significant decimal digits
    eps: float  # the gap between 1 and the next number: the smallest step near 1
    max: float  # the largest finite number
    tiny: float  # the smallest normal positive number
    exp_limit: float  # ln(max): exp(a) is inf for any a above it
    one_plus_small: float  # 1 + SMALL_ADDEND in this type (1.0 in float16)
    exp12: float  # exp(12) in this type (inf in float16)


def float_facts() -> dict[str, FloatFacts]:
    facts = {}
    for dt in DTYPES:
        info, one = np.finfo(dt), np.dtype(dt).type(1)
        with np.errstate(over="ignore"):
            exp12 = float(np.exp(np.dtype(dt).type(12)))
        facts[dt] = FloatFacts(
            dtype=dt, bits=info.bits, mantissa_bits=int(info.nmant),
            decimal_digits=int(info.precision), eps=float(info.eps), max=float(info.max),
            tiny=float(info.smallest_normal), exp_limit=math.log(float(info.max)),
            one_plus_small=float(one + np.dtype(dt).type(SMALL_ADDEND)), exp12=exp12)
    return facts


@dataclass(frozen=True)
class Overflow:
    """Scores a (one sample's, scaled so that the largest is `largest`), and softmax of
    them two ways in float16, next to float64."""

    largest: float
    scores: np.ndarray  # a, float64
    exp16: np.ndarray  # exp(a) in float16: inf where a > ln(65504) ≈ 11.09
    naive16: np.ndarray  # exp(a) / Σ exp(a) in float16: NaN once any exp is inf
    shifted16: np.ndarray  # engine.functions.softmax in float16: exp(a − max a) / Σ ...
    ref64: np.ndarray  # softmax in float64
    n_inf: int  # how many exp(a) overflowed
    naive_has_nan: bool
    shifted_error: float  # max |shifted16 − ref64|


def widest_sample(scores) -> int:
    """The row of (N, C) scores with the largest score in size (not an all-zero one)."""
    return int(np.abs(np.asarray(scores)).max(axis=1).argmax())


def softmax_overflow(scores, largest: float) -> Overflow:
    """What float16 does with large scores: `scores` times the factor that makes the
    largest one `largest` (the largest in size, when none is positive)."""
    a = np.asarray(scores, dtype=np.float64).ravel()
    if not (a.size and math.isfinite(largest) and largest > 0 and np.abs(a).max() > 0):
        raise ValueError("need nonzero scores and a positive largest score")
    top = a.max() if a.max() > 0 else np.abs(a).max()
    a = a * (largest / top)
    a16 = a.astype(np.float16)
    with np.errstate(over="ignore", invalid="ignore"):
        exp16 = np.exp(a16)
        naive16 = exp16 / exp16.sum()
    shifted16 = softmax(a16)
    ref64 = softmax(a)
    return Overflow(largest=float(largest), scores=a, exp16=exp16.astype(np.float64),
                    naive16=naive16.astype(np.float64), shifted16=shifted16.astype(np.float64),
                    ref64=ref64, n_inf=int(np.isinf(exp16).sum()),
                    naive_has_nan=bool(np.isnan(naive16).any()),
                    shifted_error=float(np.abs(shifted16.astype(np.float64) - ref64).max()))
