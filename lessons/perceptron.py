"""The perceptron: a weighted sum, a step, and what a single line can and cannot split.

A perceptron with two inputs computes

    a = w1·x1 + w2·x2 + b        (the weighted sum)
    y = step(a) = 1 if a > 0 else 0

so it answers 1 on one side of the line w1·x1 + w2·x2 + b = 0 and 0 on the
other. Suitable weights turn it into a logic gate (`GATES`); NAND is
w1 = w2 = -2, b = 3. XOR needs two layers (`xor_from_gates`) because no line
separates its two classes (`separating_line` finds one when it exists).
A network of sigmoid units learns XOR by backpropagation; `output_delta` shows
the delta rule of seed 004 at its output layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from engine.backend import to_numpy
from engine.datasets import GATE_INPUTS

# (w1, w2, b) per gate. AND and OR are the values of "Deep Learning from Scratch"
# (chapter 2): weighted sums -0.7, -0.2, -0.2, 0.3 (AND) and -0.2, 0.3, 0.3, 0.8 (OR)
# over the inputs 00, 01, 10, 11. NAND is the lecture's: sums 3, 1, 1, -1.
GATES: dict[str, tuple[float, float, float]] = {
    "AND": (0.5, 0.5, -0.7),
    "OR": (0.5, 0.5, -0.2),
    "NAND": (-2.0, -2.0, 3.0),
}

MAX_LEARN_STEPS = 1_000_000  # bound on samples × epochs, so the history stays small


def step(x):
    """step(x) = 1 where x > 0, else 0 (int64, the shape of x). NaN raises ValueError."""
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise ValueError(f"step expects real numbers, got dtype {a.dtype}")
    if np.isnan(a).any():
        raise ValueError("step got NaN: its output is undefined there")
    return (a > 0).astype(np.int64)


class TruthRow(NamedTuple):
    """One row of a truth table: the inputs, the weighted sum a, the output y."""

    x1: int
    x2: int
    a: float
    y: int


class Segment(NamedTuple):
    """A line segment from (x1[0], x2[0]) to (x1[1], x2[1]), ready to plot."""

    x1: tuple[float, float]
    x2: tuple[float, float]


@dataclass(frozen=True)
class Perceptron:
    """A two-input perceptron: y = step(w1·x1 + w2·x2 + b)."""

    w1: float
    w2: float
    b: float

    def __post_init__(self):
        for name in ("w1", "w2", "b"):
            object.__setattr__(self, name, _finite_scalar(getattr(self, name), name))

    @classmethod
    def gate(cls, name: str) -> Perceptron:
        """The preset for AND, OR or NAND (see GATES)."""
        key = str(name).strip().upper()
        if key == "XOR":
            raise ValueError(
                "XOR has no single-perceptron weights: no line separates its classes; "
                "use xor_from_gates (NAND and OR feeding AND)"
            )
        if key not in GATES:
            raise ValueError(f"unknown gate {name!r}: choose one of {', '.join(GATES)}")
        return cls(*GATES[key])

    @property
    def w(self) -> np.ndarray:
        """The weights as a vector (w1, w2)."""
        return np.array([self.w1, self.w2])

    def weighted_sum(self, x):
        """a = w1·x1 + w2·x2 + b: a float for one point (2,), an array (N,) for a batch (N, 2)."""
        p = _as_points(x)
        a = self.w1 * p[..., 0] + self.w2 * p[..., 1] + self.b
        return float(a) if p.ndim == 1 else a

    def predict(self, x):
        """y = step(a): an int 0/1 for one point, an int64 array (N,) for a batch."""
        y = step(self.weighted_sum(x))
        return int(y) if y.ndim == 0 else y

    __call__ = predict

    def truth_table(self) -> list[TruthRow]:
        """The four rows (x1, x2, a, y) for the inputs 00, 01, 10, 11."""
        rows = []
        for x1, x2 in GATE_INPUTS:
            a = self.weighted_sum((x1, x2))
            rows.append(TruthRow(x1, x2, a, int(step(a))))
        return rows

    def x2_on_line(self, x1):
        """x2 on the decision line at x1: x2 = -(w1·x1 + b) / w2 (needs w2 ≠ 0)."""
        if self.w2 == 0:
            if self.w1 == 0:
                raise ValueError("w1 = w2 = 0: there is no decision line, y = step(b) everywhere")
            raise ValueError(f"w2 = 0: the decision line is vertical, x1 = {-self.b / self.w1:g}")
        x1 = np.asarray(x1, dtype=np.float64)
        if not np.isfinite(x1).all():
            raise ValueError("x1 contains NaN or infinity")
        x2 = -(self.w1 * x1 + self.b) / self.w2
        return float(x2) if x2.ndim == 0 else x2

    def decision_line(self, lo: float = -0.5, hi: float = 1.5) -> Segment | None:
        """The part of the line w1·x1 + w2·x2 + b = 0 inside the square [lo, hi]².

        Handles vertical (w2 = 0) and horizontal (w1 = 0) lines. Returns None when
        there is no line (w1 = w2 = 0: the output is step(b) for every input) or
        when the line misses the square.
        """
        lo, hi = _finite_scalar(lo, "lo"), _finite_scalar(hi, "hi")
        if not lo < hi:
            raise ValueError(f"need lo < hi, got lo={lo}, hi={hi}")
        w1, w2, b = self.w1, self.w2, self.b
        hits = []
        if w2 != 0:  # crossings of the left and right edges
            hits += [(x1, -(w1 * x1 + b) / w2) for x1 in (lo, hi)]
        if w1 != 0:  # crossings of the bottom and top edges
            hits += [(-(w2 * x2 + b) / w1, x2) for x2 in (lo, hi)]
        inside = [(p, q) for p, q in hits if lo <= p <= hi and lo <= q <= hi]
        if len(inside) < 2:
            return None
        # a line through a corner crosses two edges there: keep the two points farthest apart
        start, end = max(
            ((p, q) for i, p in enumerate(inside) for q in inside[i + 1 :]),
            key=lambda pq: math.dist(*pq),
        )
        if math.dist(start, end) == 0:
            return None  # touches the square at a single corner
        return Segment((start[0], end[0]), (start[1], end[1]))


def gate_perceptron(name: str) -> Perceptron:
    """The preset perceptron for AND, OR or NAND."""
    return Perceptron.gate(name)


def xor_from_gates(x):
    """XOR with two layers of perceptrons: s1 = NAND(x), s2 = OR(x), y = AND(s1, s2).

    Returns (y, h) where h = (s1, s2) is the point x mapped into the hidden space:
    for one point (2,), y is an int and h has shape (2,); for a batch (N, 2), y has
    shape (N,) and h shape (N, 2). In the hidden space the four inputs land on
    (1, 0), (1, 1), (1, 1), (0, 1), and a single line (AND's) separates them.
    """
    p = _as_points(x)
    s1 = Perceptron.gate("NAND")(p)
    s2 = Perceptron.gate("OR")(p)
    h = np.stack([s1, s2], axis=-1)
    y = Perceptron.gate("AND")(h)
    return y, h


def separating_line(x, t) -> Perceptron | None:
    """A perceptron whose output equals t on every point of x, or None if there is none.

    x is (N, 2), t (N,) of 0/1. The check is exact for points in the plane, with no
    training and no linear program: a line with normal n separates the classes when
    n·p > n·q for every positive point p and negative point q, that is when every
    difference d = p - q lies strictly on one side of some line through the origin.
    Sorting the angles of the d's, that holds exactly when two neighbouring angles
    are more than 180° apart; n then points to the middle of the occupied arc, and b
    puts the line halfway between the two classes along n.
    """
    p = _as_points(x, batch=True)
    t = _as_labels(t, len(p))
    pos, neg = p[t == 1], p[t == 0]
    if len(pos) == 0 or len(neg) == 0:  # one class only: a constant output will do
        return Perceptron(0.0, 0.0, 1.0 if len(neg) == 0 else -1.0)
    d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, 2)
    if (d == 0).all(axis=1).any():
        return None  # the same point carries both labels
    angles = np.sort(np.arctan2(d[:, 1], d[:, 0]))
    gaps = np.diff(np.append(angles, angles[0] + 2 * np.pi))
    k = int(np.argmax(gaps))
    if gaps[k] <= np.pi + 1e-9:
        return None
    start = angles[(k + 1) % len(angles)]  # the occupied arc runs from here
    phi = start + (2 * np.pi - gaps[k]) / 2  # ... and this is its middle
    n = np.array([np.cos(phi), np.sin(phi)])
    b = -((pos @ n).min() + (neg @ n).max()) / 2
    line = Perceptron(n[0], n[1], b)
    if not np.array_equal(line(p), t):  # guards against rounding in near-degenerate cases
        return None
    return line


def is_linearly_separable(x, t) -> bool:
    """True when one line splits the points of x (N, 2) by their labels t (N,) of 0/1."""
    return separating_line(x, t) is not None


class LearnResult(NamedTuple):
    """What perceptron_learn returns.

    perceptron  the final weights
    history     (steps + 1, 3): (w1, w2, b) at the start and after every sample
    errors      (epochs run,): misclassified samples in each epoch
    converged   True when the last epoch made no mistake
    """

    perceptron: Perceptron
    history: np.ndarray
    errors: np.ndarray
    converged: bool


def perceptron_learn(
    x,
    t,
    lr: float = 0.1,
    epochs: int = 20,
    seed: int | None = 0,
    *,
    init: tuple[float, float, float] | None = None,
) -> LearnResult:
    """Rosenblatt's perceptron learning rule, one sample at a time.

    For each sample, in an order shuffled every epoch:
        y  = step(w1·x1 + w2·x2 + b)
        w ← w + lr·(t − y)·x
        b ← b + lr·(t − y)
    A correct answer (t = y) leaves the weights alone. Stops after the first
    epoch with no mistake; when the classes are linearly separable that epoch is
    sure to come (the perceptron convergence theorem), for XOR it never does.
    The start is `init` = (w1, w2, b), or small random weights 0.1·N(0, 1) drawn,
    like the order, from np.random.RandomState(seed).
    """
    p = _as_points(x, batch=True)
    t = _as_labels(t, len(p))
    lr = _finite_scalar(lr, "lr")
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if len(p) * epochs > MAX_LEARN_STEPS:
        raise ValueError(
            f"{len(p)} samples × {epochs} epochs exceeds {MAX_LEARN_STEPS} steps; use fewer epochs"
        )
    rng = np.random.RandomState(seed)
    if init is None:
        w1, w2, b = (float(v) for v in 0.1 * rng.randn(3))
    else:
        if len(init) != 3:
            raise ValueError(f"init must be (w1, w2, b), got {init!r}")
        start = Perceptron(*init)
        w1, w2, b = start.w1, start.w2, start.b
    history = [(w1, w2, b)]
    errors = []
    for _ in range(int(epochs)):
        mistakes = 0
        for i in rng.permutation(len(p)):
            x1, x2 = p[i]
            y = 1 if w1 * x1 + w2 * x2 + b > 0 else 0
            delta = lr * (t[i] - y)
            w1, w2, b = w1 + delta * x1, w2 + delta * x2, b + delta
            mistakes += int(y != t[i])
            history.append((w1, w2, b))
        errors.append(mistakes)
        if mistakes == 0:
            break
    return LearnResult(
        Perceptron(w1, w2, b),
        np.array(history, dtype=np.float64),
        np.array(errors, dtype=np.int64),
        errors[-1] == 0,
    )


class OutputDelta(NamedTuple):
    """The delta rule at the output layer of a sigmoid network, for a batch of N samples.

    y_h    (N, H)  what the last hidden layer hands to the output layer
    y_o    (N, K)  the network's outputs (after the output sigmoid)
    y_t    (N, K)  the targets
    delta  (N, K)  δ = (y_o − y_t)·y_o·(1 − y_o), one per sample (seed 004)
    dW     (H, K)  y_hᵀ·δ / N, the gradient of the last weights
    db     (K,)    Σ_n δ / N, the gradient of the last bias
    """

    y_h: np.ndarray
    y_o: np.ndarray
    y_t: np.ndarray
    delta: np.ndarray
    dW: np.ndarray
    db: np.ndarray


def output_delta(net, x, t) -> OutputDelta:
    """Seed 004's delta rule at the output of `net` (a MultiLayerNet with output='sigmoid').

    For one sample, loss = ½(y_o − y_t)² and y_o = σ(y_h·W + b), so
        ∂loss/∂W = (y_o − y_t) · y_o·(1 − y_o) · y_h = δ·y_h
    and gradient descent is w ← w − lr·δ·y_h. The network's loss is the mean
    over the batch, 1/(2N)·Σ_n ‖y_o − y_t‖², so its gradient carries 1/N:
    dW = y_hᵀ·δ / N, which is what backprop (net.gradient) computes for the last W
    when there is no weight decay. Returns float64 numpy arrays.
    """
    if getattr(net, "output", None) != "sigmoid":
        raise ValueError("output_delta needs a network with output='sigmoid' "
                         "(sigmoid outputs with squared error, as in seed 004)")
    trace = net.forward_trace(x)
    names = [name for name, _ in trace]
    last = names.index(f"Affine{net.hidden_layer_num + 1}")
    y_h = to_numpy(trace[last - 1][1]).astype(np.float64)
    y_o = to_numpy(trace[-1][1]).astype(np.float64)
    y_t = np.asarray(to_numpy(t), dtype=np.float64)
    if y_t.ndim == 1 and y_o.shape[1] == 1:
        y_t = y_t.reshape(-1, 1)
    if y_t.shape != y_o.shape:
        raise ValueError(f"t must have the shape of the outputs {y_o.shape}, got {y_t.shape}")
    n = y_o.shape[0]
    delta = (y_o - y_t) * y_o * (1 - y_o)
    return OutputDelta(y_h, y_o, y_t, delta, y_h.T @ delta / n, delta.sum(axis=0) / n)


# ---------------------------------------------------------------- checks


def _finite_scalar(value, name: str) -> float:
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a real number, got {value!r}") from err
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    return v


def _as_points(x, batch: bool = False) -> np.ndarray:
    """x as float64 of shape (2,) or (N, 2) (only (N, 2) when batch), finite."""
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise ValueError(f"x must hold real numbers, got dtype {a.dtype}")
    if batch and (a.ndim != 2 or a.shape[1] != 2 or a.shape[0] == 0):
        raise ValueError(f"x must be a batch of points of shape (N, 2), got shape {a.shape}")
    if a.ndim not in (1, 2) or a.shape[-1] != 2:
        raise ValueError(
            f"x must be one point of shape (2,) or a batch of shape (N, 2), got shape {a.shape}"
        )
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise ValueError("x contains NaN or infinity")
    return a


def _as_labels(t, n: int) -> np.ndarray:
    """t as int64 of shape (n,), every value 0 or 1."""
    a = np.asarray(t)
    if a.dtype.kind not in "biuf":
        raise ValueError(f"t must hold 0/1 labels, got dtype {a.dtype}")
    if a.shape != (n,):
        raise ValueError(f"t must have shape ({n},), one label per point, got shape {a.shape}")
    if not np.isin(a, (0, 1)).all():  # NaN is not in (0, 1) either
        raise ValueError(f"t must hold only 0 and 1, got {np.unique(a).tolist()}")
    return a.astype(np.int64)
