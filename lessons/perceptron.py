"""The perceptron: a weighted sum, a step, and what a single line can and cannot split.

A perceptron with two inputs computes

    a = w1·x1 + w2·x2 + b        (the weighted sum)
    y = step(a) = 1 if a > 0 else 0

so it answers 1 on one side of the line w1·x1 + w2·x2 + b = 0 and 0 on the
other. Suitable weights turn it into a logic gate (`GATES`); NAND is
w1 = w2 = -2, b = 3. XOR needs two layers (`xor_from_gates`) because no line
separates its two classes (`separating_line` finds one when it exists).
A network of sigmoid units learns XOR by backpropagation; `output_delta` shows
the delta rule of seed 004 at its output layer, and `hidden_backprop` carries it into the
hidden layer as seed 001 writes it, δʰ = h′(aʰ)·Σₖ wₖ·δᵒₖ and ∂C/∂w = (input of w)·(δ of
the unit it feeds), checked against backprop and numerical gradients by `backprop_gaps`.
Bad input raises engine.backend.InputError (a ValueError) with a code the app's catalogs
say in the learner's language.

The runs the page drives, reproducible in a notebook:

    run = build_xor(XorConfig(hidden=2, seed=0))       # lr 2, as the page starts
    while advance_xor(run).event != "learned": pass    # 100 epochs a call
    run.trainer.epoch                                  # 2,200 for seed 0

and `build_spiral(SpiralConfig(10))` with `advance_spiral` for seed 003's spiral.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from engine.backend import InputError, to_numpy
from engine.datasets import GATE_INPUTS, GATE_NAMES, logic_gate, spiral
from engine.network import MultiLayerNet
from engine.optimizers import SGD
from engine.trainer import Trainer
from lessons.common import grid

# (w1, w2, b) per gate. AND and OR are the values of "Deep Learning from Scratch"
# (chapter 2): weighted sums -0.7, -0.2, -0.2, 0.3 (AND) and -0.2, 0.3, 0.3, 0.8 (OR)
# over the inputs 00, 01, 10, 11. NAND is the lecture's: sums 3, 1, 1, -1.
GATES: dict[str, tuple[float, float, float]] = {
    "AND": (0.5, 0.5, -0.7),
    "OR": (0.5, 0.5, -0.2),
    "NAND": (-2.0, -2.0, 3.0),
}

MAX_LEARN_STEPS = 1_000_000  # bound on samples × epochs, so the history stays small
SQUARE = (-0.5, 1.5)  # the view of the four inputs, both axes
LEARN_EPOCHS = 30  # the perceptron learning rule, per gate, in the lesson's table
XOR_X, XOR_T = logic_gate("XOR", np.float64)  # the four inputs and XOR's targets, read-only
XOR_X.setflags(write=False)
XOR_T.setflags(write=False)


def step(x):
    """step(x) = 1 where x > 0, else 0 (int64, the shape of x). NaN raises InputError
    (a ValueError)."""
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise InputError("perceptron_not_real", f"step expects real numbers, got dtype {a.dtype}",
                         name="x", value=str(a.dtype))
    if np.isnan(a).any():
        raise InputError("perceptron_step_nan", "step got NaN: its output is undefined there")
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
            raise InputError(
                "perceptron_xor_single",
                "XOR has no single-perceptron weights: no line separates its classes; "
                "use xor_from_gates (NAND and OR feeding AND)"
            )
        if key not in GATES:
            raise InputError("perceptron_unknown_gate",
                             f"unknown gate {name!r}: choose one of {', '.join(GATES)}",
                             gate=str(name), choices="/".join(GATES))
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
                raise InputError("perceptron_no_line", "w1 = w2 = 0: there is no decision line, "
                                 "y = step(b) everywhere", y=int(self.b > 0))
            raise InputError("perceptron_vertical_line",
                             f"w2 = 0: the decision line is vertical, x1 = {-self.b / self.w1:g}",
                             x1=-self.b / self.w1)
        x1 = np.asarray(x1, dtype=np.float64)
        if not np.isfinite(x1).all():
            raise InputError("perceptron_not_finite", "x1 contains NaN or infinity", name="x1")
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
            raise InputError("perceptron_bad_square", f"need lo < hi, got lo={lo}, hi={hi}",
                             lo=lo, hi=hi)
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
        raise InputError("perceptron_lr_not_positive", f"lr must be positive, got {lr}", lr=lr)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise InputError("perceptron_bad_epochs",
                         f"epochs must be a positive integer, got {epochs!r}", epochs=repr(epochs))
    if len(p) * epochs > MAX_LEARN_STEPS:
        raise InputError(
            "perceptron_too_many_steps",
            f"{len(p)} samples × {epochs} epochs exceeds {MAX_LEARN_STEPS} steps; use fewer epochs",
            samples=len(p), epochs=int(epochs), cap=MAX_LEARN_STEPS)
    rng = np.random.RandomState(seed)
    if init is None:
        w1, w2, b = (float(v) for v in 0.1 * rng.randn(3))
    else:
        if len(init) != 3:
            raise InputError("perceptron_bad_init", f"init must be (w1, w2, b), got {init!r}",
                             init=repr(init))
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
        raise InputError("perceptron_not_sigmoid_net",
                         "output_delta needs a network with output='sigmoid' "
                         "(sigmoid outputs with squared error, as in seed 004)",
                         network=repr(net))
    trace = net.forward_trace(x)
    names = [name for name, _ in trace]
    last = names.index(f"Affine{net.hidden_layer_num + 1}")
    y_h = to_numpy(trace[last - 1][1]).astype(np.float64)
    y_o = to_numpy(trace[-1][1]).astype(np.float64)
    y_t = np.asarray(to_numpy(t), dtype=np.float64)
    if y_t.ndim == 1 and y_o.shape[1] == 1:
        y_t = y_t.reshape(-1, 1)
    if y_t.shape != y_o.shape:
        raise InputError("perceptron_target_shape",
                         f"t must have the shape of the outputs {y_o.shape}, got {y_t.shape}",
                         expected=str(y_o.shape), shape=str(y_t.shape))
    n = y_o.shape[0]
    delta = (y_o - y_t) * y_o * (1 - y_o)
    return OutputDelta(y_h, y_o, y_t, delta, y_h.T @ delta / n, delta.sum(axis=0) / n)


# ---------------------------------------------------------------- the lesson, step by step


class GateCheck(NamedTuple):
    """A perceptron against one gate: its truth table, outputs, the gate's targets, and
    how many of the four rows agree. x (4, 2) are the inputs 00, 01, 10, 11."""

    rows: list[TruthRow]
    x: np.ndarray
    outputs: np.ndarray
    targets: np.ndarray
    right: int

    @property
    def ok(self) -> list[bool]:
        """Row by row: does the output equal the target?"""
        return [bool(o == g) for o, g in zip(self.outputs, self.targets, strict=True)]

    def columns(self) -> dict[str, list]:
        """The truth table's columns x1, x2, a, y."""
        return {"x1": [r.x1 for r in self.rows], "x2": [r.x2 for r in self.rows],
                "a": [r.a for r in self.rows], "y": self.outputs}


def check_gate(perceptron: Perceptron, gate: str) -> GateCheck:
    """Which of the four inputs `perceptron` answers as `gate` (AND, OR, NAND, XOR) does."""
    x, targets = logic_gate(gate, np.float64)
    rows = perceptron.truth_table()
    outputs = np.array([r.y for r in rows])
    return GateCheck(rows, x, outputs, targets, int((outputs == targets).sum()))


class GateVerdict(NamedTuple):
    """One gate: a separating line (None for XOR) and the learning rule's run on it."""

    line: Perceptron | None
    learned: LearnResult

    @property
    def line_text(self) -> str:
        """The line's (w1, w2, b) to two decimals, '—' when there is none."""
        return "—" if self.line is None else ", ".join(
            f"{v:.2f}" for v in (self.line.w1, self.line.w2, self.line.b))


def gate_verdicts(lr: float = 0.1, epochs: int = LEARN_EPOCHS,
                  seed: int = 0) -> dict[str, GateVerdict]:
    """Every gate: can one line split it, and does the perceptron learning rule get there?"""
    verdicts = {}
    for name in GATE_NAMES:
        x, t = logic_gate(name, np.float64)
        verdicts[name] = GateVerdict(separating_line(x, t),
                                     perceptron_learn(x, t, lr=lr, epochs=epochs, seed=seed))
    return verdicts


def latex_number(v: float) -> str:
    """A number for LaTeX: negatives in parentheses, as the seed writes (−2)×0."""
    text = f"{v:g}"
    return f"({text})" if v < 0 else text


def worked_sums(p: Perceptron) -> list[str]:
    r"""The four cases worked through as seed 001 does, one LaTeX line per input:
    NAND gives '(-2)\cdot0 + (-2)\cdot0 + 3 = 3 \;>\; 0 \Rightarrow y = 1', ..."""
    w1, w2, b = (latex_number(v) for v in (p.w1, p.w2, p.b))
    return [rf"{w1}\cdot{r.x1} + {w2}\cdot{r.x2} + {b} = {r.a:.3g} \;"
            + (">" if r.a > 0 else r"\le") + rf"\; 0 \Rightarrow y = {r.y}"
            for r in p.truth_table()]


def xor_gates_columns() -> dict[str, np.ndarray]:
    """XOR built from gates, one row per input: x1, x2, s1 = NAND, s2 = OR, y = AND(s1, s2)."""
    x = XOR_X
    y, h = xor_from_gates(x)
    return {"x1": x[:, 0].astype(int), "x2": x[:, 1].astype(int), "s1 = NAND": h[:, 0],
            "s2 = OR": h[:, 1], "y = AND(s1, s2)": y}


# ---------------------------------------------------------------- XOR learned (seed 004)

XOR_LR = 2.0  # the page's starting rate; a running network takes a new one at once
XOR_EPOCHS_PER_CALL = 100  # full-batch epochs (one step each) per advance_xor
XOR_MAX_EPOCHS = 20_000
XOR_STALL_WINDOW = 2000  # epochs over which a stuck loss hardly moves
XOR_GRID = 81  # the probability map: 81 × 81 points over SQUARE
HIDDEN_SQUARE = (-0.1, 1.1)  # sigmoid outputs lie in (0, 1)


@dataclass(frozen=True)
class XorConfig:
    """What a new XOR network is built from: H hidden sigmoid units, the seed."""

    hidden: int = 2
    seed: int = 0


@dataclass
class XorRun:
    """A 2-H-1 sigmoid network learning XOR by full-batch SGD, and the notes it gave."""

    trainer: Trainer
    said: set[str] = field(default_factory=set)

    @property
    def network(self) -> MultiLayerNet:
        return self.trainer.network


def build_xor(config: XorConfig, lr: float = XOR_LR) -> XorRun:
    """Seed 004's network: sigmoid hidden and output units, squared error, weights N(0, 1)."""
    net = MultiLayerNet(2, [config.hidden], 1, activation="sigmoid", weight_init_std=1.0,
                        output="sigmoid", dtype=np.float64, seed=config.seed)
    return XorRun(Trainer(net, SGD(lr=lr), XOR_X, XOR_T, batch_size=4, seed=config.seed,
                          eval_samples=0))


def xor_loss(net) -> float:
    """The loss over the four inputs, after the last update."""
    return float(net.loss(XOR_X, XOR_T))


def xor_learned(net) -> bool:
    """Every output within 0.1 of its target."""
    return bool((np.abs(to_numpy(net.predict(XOR_X)).ravel() - XOR_T) < 0.1).all())


def xor_stalled(trainer: Trainer, window: int = XOR_STALL_WINDOW) -> bool:
    """The loss fell by less than 5% over the last `window` epochs (one step each).

    At lr 2 with H = 2, seeds that trip this by epoch 4,000 (5, 6, 13, 18, ...) never learn
    XOR in 12,000 epochs; at smaller rates a long plateau can trip it too (the note says so).
    """
    steps, losses = trainer.history.loss.x, trainer.history.loss.y
    now = trainer.step_count
    if now < 2 * window:
        return False
    before = float(np.interp(now - window, steps, losses))
    return before - losses[-1] < 0.05 * losses[-1]


class XorStep(NamedTuple):
    """What one advance_xor did. event: 'learned', 'stalled' or 'cap' the first time each
    happens ('cap' every time), else None; epoch and loss after it."""

    event: str | None
    epoch: int
    loss: float


def advance_xor(run: XorRun, steps: int = XOR_EPOCHS_PER_CALL, max_seconds: float | None = None,
                cap: int = XOR_MAX_EPOCHS) -> XorStep:
    """Train up to `steps` epochs (and `max_seconds`), never past `cap`, then say whether XOR
    is learned or the loss has stalled (each said once per run)."""
    trainer, said = run.trainer, run.said
    if trainer.epoch >= cap:
        return XorStep("cap", trainer.epoch, xor_loss(run.network))
    trainer.run(max_steps=min(steps, cap - trainer.epoch), max_seconds=max_seconds)
    loss = xor_loss(run.network)
    event = None
    if "learned" not in said and xor_learned(run.network):
        event = "learned"
    elif "learned" not in said and "stalled" not in said and xor_stalled(trainer):
        event = "stalled"
    elif trainer.epoch >= cap:
        event = "cap"
    if event is not None:
        said.add(event)
    return XorStep(event, trainer.epoch, loss)


def probability_map(net, lo: float = SQUARE[0], hi: float = SQUARE[1], n: int = XOR_GRID):
    """The network's output over an n × n grid of [lo, hi]²: xs, ys (n,) and z (n, n)."""
    xs, ys, X, Y = grid((lo, hi), (lo, hi), n)
    z = to_numpy(net.predict(np.column_stack([X.ravel(), Y.ravel()]))).reshape(n, n)
    return xs, ys, z


def output_line(net) -> tuple[float, float, float] | None:
    """With two hidden units, the output unit as a line in the hidden space: (w1, w2, b) of
    σ(w1·y_h1 + w2·y_h2 + b) = 0.5. None for any other hidden layer."""
    if net.hidden_size_list != [2]:
        return None
    W2, b2 = (to_numpy(net.params[k]).astype(float) for k in ("W2", "b2"))
    return float(W2[0, 0]), float(W2[1, 0]), float(b2[0])


def delta_gap(net, x=XOR_X, t=XOR_T) -> float:
    """The largest difference between the delta rule's dW and backprop's for the last W."""
    d = output_delta(net, x, t)
    last = f"W{net.hidden_layer_num + 1}"
    return float(np.abs(d.dW - to_numpy(net.gradient(x, t)[last])).max())


DELTA_COLUMN = "δ = (y_o − y_t)·y_o·(1 − y_o)"


def delta_columns(d: OutputDelta, x=XOR_X) -> dict[str, np.ndarray]:
    """The delta rule's table, one row per input: x1, x2, y_t, y_o, δ and δ / N."""
    x = np.asarray(x)
    return {"x1": x[:, 0].astype(int), "x2": x[:, 1].astype(int),
            "y_t": d.y_t[:, 0].astype(int), "y_o": d.y_o[:, 0], DELTA_COLUMN: d.delta[:, 0],
            "δ / N": d.delta[:, 0] / len(x)}


# ---------------------------------------------------------- into the hidden layer (seeds 001, 004)

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
INPUT_NAMES = tuple(f"({x1}, {x2})" for x1, x2 in GATE_INPUTS)  # the four inputs, as columns


def sub(n: int) -> str:
    """12 -> '₁₂': an index written as the notes write it."""
    return str(n).translate(_SUB)


def sup(n: int) -> str:
    """2 -> '²': a layer number written as the notes write it."""
    return str(n).translate(_SUP)


@dataclass(frozen=True, eq=False)
class HiddenBackprop:
    """Seeds 001 and 004's backward pass through a sigmoid network with one hidden layer
    (D inputs, H hidden units, K outputs) and squared error, for a batch of N samples.

    Seed 001's notation: layer 1 holds the inputs x, layer 2 the hidden units y_h, layer 3
    the outputs y_o; wˡⱼₖ is the weight from unit k of layer l to unit j of layer l + 1. The
    code writes the rows y_h = σ(x·W1 + b1) and y_o = σ(y_h·W2 + b2), so w¹ⱼₖ = W1[k, j] and
    w²ₖⱼ = W2[j, k] (the notes count from 1, the arrays from 0).

    For one sample, C = ½·Σₖ (y_oₖ − y_tₖ)², and with h′(a) = σ(a)·(1 − σ(a)):

        δᵒₖ = (y_oₖ − y_tₖ)·y_oₖ·(1 − y_oₖ)                         (seed 004's delta)
        δʰⱼ = h′(aʰⱼ)·Σₖ w²ₖⱼ·δᵒₖ = y_hⱼ·(1 − y_hⱼ)·(δᵒ·W2ᵀ)ⱼ       (seed 001)
        ∂C/∂w¹ⱼₖ = xₖ·δʰⱼ    ∂C/∂w²ₖⱼ = y_hⱼ·δᵒₖ    ∂C/∂b = the δ of its unit

    that is, the input of the weight times the δ of the unit it feeds. The engine's loss is
    the mean over the batch, so the gradient it steps along is the mean of the samples'
    (`grads`): seed 001's w → w − η/m·Σₓ δˣ·(aˣ)ᵀ.

    x (N, D), y_t (N, K), W1 (D, H), W2 (H, K); a_h, y_h, h_prime, back (= δᵒ·W2ᵀ), delta_h
    (N, H); y_o, delta_o (N, K); dW1 (N, D, H) and dW2 (N, H, K): every sample's ∂C/∂w.
    """

    x: np.ndarray
    y_t: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    a_h: np.ndarray
    y_h: np.ndarray
    y_o: np.ndarray
    delta_o: np.ndarray
    h_prime: np.ndarray
    back: np.ndarray
    delta_h: np.ndarray
    dW1: np.ndarray
    dW2: np.ndarray

    def grads(self) -> dict[str, np.ndarray]:
        """The mean of the samples' gradients, keyed like net.params: what backprop gives."""
        return {"W1": self.dW1.mean(axis=0), "b1": self.delta_h.mean(axis=0),
                "W2": self.dW2.mean(axis=0), "b2": self.delta_o.mean(axis=0)}


def hidden_backprop(net, x=XOR_X, t=XOR_T) -> HiddenBackprop:
    """The deltas of every unit and every sample's gradient, from `net`'s current weights.

    `net` is a MultiLayerNet with one hidden layer of sigmoid units and output='sigmoid'
    (the XOR network of build_xor), without weight decay, dropout or batch norm. Computed
    here from the weights alone, not from the network's own backward pass, so that the two
    can be compared (`backprop_gaps`). Returns float64 numpy arrays.
    """
    if (getattr(net, "output", None) != "sigmoid" or getattr(net, "hidden_layer_num", 0) != 1
            or net.activation != "sigmoid" or net.use_batchnorm or net.use_dropout
            or net.weight_decay_lambda):
        raise InputError("perceptron_backprop_net",
                         "hidden_backprop needs one hidden layer of sigmoid units, sigmoid "
                         "outputs and squared error, without weight decay, dropout or batch "
                         f"norm (the XOR network of build_xor); got {net!r}", network=repr(net))
    W1, b1, W2, b2 = (to_numpy(net.params[k]).astype(np.float64)
                      for k in ("W1", "b1", "W2", "b2"))
    x = np.asarray(to_numpy(x))
    if x.dtype.kind not in "biuf":
        raise InputError("perceptron_not_real", f"x must hold real numbers, got dtype {x.dtype}",
                         name="x", value=str(x.dtype))
    if x.ndim != 2 or x.shape[1] != W1.shape[0] or x.shape[0] == 0:
        raise InputError("perceptron_points_shape",
                         f"x must be a batch of shape (N, {W1.shape[0]}), got shape {x.shape}",
                         expected=f"(N, {W1.shape[0]})", shape=str(x.shape))
    x = x.astype(np.float64)
    y_t = np.asarray(to_numpy(t), dtype=np.float64)
    if y_t.ndim == 1 and W2.shape[1] == 1:
        y_t = y_t.reshape(-1, 1)
    if y_t.shape != (x.shape[0], W2.shape[1]):
        raise InputError("perceptron_target_shape",
                         f"t must have the shape of the outputs {(x.shape[0], W2.shape[1])}, "
                         f"got {y_t.shape}", expected=str((x.shape[0], W2.shape[1])),
                         shape=str(y_t.shape))
    a_h = x @ W1 + b1
    y_h = 1 / (1 + np.exp(-a_h))
    y_o = 1 / (1 + np.exp(-(y_h @ W2 + b2)))
    delta_o = (y_o - y_t) * y_o * (1 - y_o)
    h_prime = y_h * (1 - y_h)
    back = delta_o @ W2.T  # Σₖ w²ₖⱼ·δᵒₖ for every hidden unit j
    delta_h = h_prime * back
    dW1 = x[:, :, None] * delta_h[:, None, :] + 0.0  # xₖ·δʰⱼ for every sample (+ 0: no −0)
    dW2 = y_h[:, :, None] * delta_o[:, None, :]  # y_hⱼ·δᵒₖ
    return HiddenBackprop(x, y_t, W1, W2, a_h, y_h, y_o, delta_o, h_prime, back, delta_h,
                          dW1, dW2)


class GradRow(NamedTuple):
    """One parameter's gradient, sample by sample: its name in the notes' notation (w¹₂₁),
    the product that gives it (x₁·δʰ₂), the N samples' values, their mean (the update's),
    and the key and index of the parameter in net.params."""

    name: str
    formula: str
    each: np.ndarray
    mean: float
    key: str
    index: tuple[int, ...]


def gradient_rows(bp: HiddenBackprop) -> list[GradRow]:
    """Every weight and bias of the network, in the order W1, b1, W2, b2: ∂C/∂w per sample
    as (input of w)·(δ of the unit it feeds), and the mean over the samples."""
    d, h = bp.W1.shape
    k_out = bp.W2.shape[1]
    rows = []
    for j in range(h):  # into hidden unit j: from each input k, then the bias
        for k in range(d):
            each = bp.dW1[:, k, j]
            rows.append(GradRow(f"w¹{sub(j + 1)}{sub(k + 1)}", f"x{sub(k + 1)}·δʰ{sub(j + 1)}",
                                each, float(each.mean()), "W1", (k, j)))
        each = bp.delta_h[:, j]
        rows.append(GradRow(f"bʰ{sub(j + 1)}", f"1·δʰ{sub(j + 1)}", each, float(each.mean()),
                            "b1", (j,)))
    for k in range(k_out):  # into output unit k: from each hidden unit j, then the bias
        for j in range(h):
            each = bp.dW2[:, j, k]
            rows.append(GradRow(f"w²{sub(k + 1)}{sub(j + 1)}",
                                f"y_h{sub(j + 1)}·δᵒ{sub(k + 1)}", each, float(each.mean()),
                                "W2", (j, k)))
        each = bp.delta_o[:, k]
        rows.append(GradRow(f"bᵒ{sub(k + 1)}", f"1·δᵒ{sub(k + 1)}", each, float(each.mean()),
                            "b2", (k,)))
    return rows


class BackpropGaps(NamedTuple):
    """The largest difference, over every weight and bias, between the δ-built gradient and
    the network's own backprop (`backprop`), and a central-difference estimate (`numerical`)."""

    backprop: float
    numerical: float


def backprop_gaps(net, x=XOR_X, t=XOR_T, h: float = 1e-5) -> BackpropGaps:
    """How far hidden_backprop's gradients are from net.gradient and net.numerical_gradient."""
    mine = hidden_backprop(net, x, t).grads()
    engine = {k: to_numpy(v).astype(np.float64) for k, v in net.gradient(x, t).items()}
    numeric = {k: to_numpy(v).astype(np.float64)
               for k, v in net.numerical_gradient(x, t, h=h).items()}
    return BackpropGaps(max(float(np.abs(mine[k] - engine[k]).max()) for k in mine),
                        max(float(np.abs(mine[k] - numeric[k]).max()) for k in mine))


QUANTITY_COLUMN = "quantity"  # the first column of hidden_delta_table: what each row holds
MEAN_COLUMN = "∂loss/∂w = (1/N)·Σₓ"  # the last column of gradient_table


def hidden_delta_table(bp: HiddenBackprop) -> dict[str, list]:
    """The hidden deltas, the four inputs as columns: for each hidden unit j the rows y_hⱼ,
    h′(aʰⱼ) = y_hⱼ·(1 − y_hⱼ), Σₖ w²ₖⱼ·δᵒₖ and δʰⱼ, after the output's δᵒ."""
    names, values = [], []
    for k in range(bp.delta_o.shape[1]):
        names.append(f"δᵒ{sub(k + 1)}")
        values.append(bp.delta_o[:, k])
    for j in range(bp.delta_h.shape[1]):
        s = sub(j + 1)
        names += [f"y_h{s}", f"h′(aʰ{s}) = y_h{s}·(1 − y_h{s})", f"Σₖ w²ₖ{s}·δᵒₖ", f"δʰ{s}"]
        values += [bp.y_h[:, j], bp.h_prime[:, j], bp.back[:, j], bp.delta_h[:, j]]
    return {QUANTITY_COLUMN: names, **{name: [float(v[i]) for v in values]
                          for i, name in enumerate(input_names(bp.x))}}


def input_names(x) -> list[str]:
    """'(0, 1)' for every input row of x: the columns of the backprop tables."""
    return ["(" + ", ".join(f"{v:g}" for v in row) + ")" for row in np.asarray(x)]


def gradient_table(bp: HiddenBackprop) -> dict[str, list]:
    """gradient_rows as columns: the parameter, its product, the inputs' values, the mean."""
    rows = gradient_rows(bp)
    inputs = input_names(bp.x)
    return {"w": [r.name for r in rows], "∂C/∂w": [r.formula for r in rows],
            **{name: [float(r.each[i]) for r in rows] for i, name in enumerate(inputs)},
            MEAN_COLUMN: [r.mean for r in rows]}




def latex_sig(v: float, digits: int = 4, paren: bool = True) -> str:
    r"""v to `digits` significant digits for LaTeX: 1.234\times 10^{-5} rather than 1.234e-05,
    and, with `paren`, negatives in parentheses as in latex_number."""
    text = f"{float(v):.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return f"({text})" if paren and v < 0 else text


def hidden_delta_lines(bp: HiddenBackprop, j: int = 0) -> list[str]:
    r"""Hidden unit j's delta worked out with the live numbers, for LaTeX's aligned: two
    lines per input, h′(aʰⱼ)·Σₖ w²ₖⱼ·δᵒₖ with every w·δ term written out, then the value:
    '\delta^h_{1}\,(1, 0) &= 0.2493\cdot (-0.417)\cdot (-0.1236)', '&= 0.01285', ..."""
    lines = []
    for i, name in enumerate(input_names(bp.x)):
        terms = " + ".join(rf"{latex_sig(bp.W2[j, k])}\cdot {latex_sig(bp.delta_o[i, k])}"
                           for k in range(bp.W2.shape[1]))
        if bp.W2.shape[1] > 1:
            terms = f"({terms})"
        lines += [rf"\delta^h_{{{j + 1}}}\,{name} &= {latex_sig(bp.h_prime[i, j])}\cdot {terms}",
                  rf"&= {latex_sig(bp.delta_h[i, j], paren=False)}"]
    return lines


def gradient_lines(bp: HiddenBackprop, j: int = 0, k: int = 0) -> list[str]:
    r"""∂loss/∂w¹ⱼₖ worked out, for LaTeX's aligned: the mean over the inputs of xₖ·δʰⱼ,
    each term written out (two to a line, to fit a phone), then the value."""
    n = len(bp.x)
    terms = [rf"{bp.x[i, k]:g}\cdot{latex_sig(bp.delta_h[i, j])}" for i in range(n)]
    rows = [" + ".join(terms[i:i + 2]) for i in range(0, n, 2)]
    body = [rf"&= \frac{{1}}{{{n}}}\big({rows[0]}"] + [rf"&\qquad + {row}" for row in rows[1:]]
    body[-1] += r"\big)"
    return [rf"\frac{{\partial\,\mathrm{{loss}}}}{{\partial w^1_{{{j + 1}{k + 1}}}}} "
            rf"&= \frac{{1}}{{{n}}}\sum_x x_{{{k + 1}}}\,\delta^h_{{{j + 1}}}", *body,
            rf"&= {latex_sig(bp.dW1[:, k, j].mean(), paren=False)}"]


# ---------------------------------------------------------------- the spiral (seed 003)

SPIRAL_LR = 1.0
SPIRAL_EPOCHS = 300  # seed 003's max_epoch
SPIRAL_EPOCHS_PER_CALL = 10
SPIRAL_LIM = 1.1  # the map covers [-1.1, 1.1]²
SPIRAL_GRID = 100


@dataclass(frozen=True)
class SpiralConfig:
    """What a new spiral network is built from: H hidden sigmoid units."""

    hidden: int = 10


def build_spiral(config: SpiralConfig, data=None, lr: float = SPIRAL_LR) -> Trainer:
    """Seed 003: 2-H-3 sigmoid network, softmax with loss, SGD, batch 30, seed 0.
    data: (x, t one-hot), spiral() when None."""
    x, t = spiral() if data is None else data
    net = MultiLayerNet(2, [config.hidden], 3, activation="sigmoid", weight_init_std=0.01,
                        seed=0)
    return Trainer(net, SGD(lr=lr), x, t, batch_size=30, seed=0, eval_samples=None)


def advance_spiral(trainer: Trainer, epochs: int = SPIRAL_EPOCHS_PER_CALL,
                   max_seconds: float | None = None, cap: int = SPIRAL_EPOCHS) -> float | None:
    """Train up to `epochs` more epochs, never past `cap`. Once `cap` epochs are done, the
    accuracy on the training points (seed 003's 300), else None."""
    if trainer.epoch < cap:
        trainer.run(until_epoch=min(trainer.epoch + epochs, cap), max_seconds=max_seconds)
    if trainer.epoch < cap:
        return None
    return float(trainer.network.accuracy(trainer.x_train, trainer.t_train))


def class_regions(net, lim: float = SPIRAL_LIM, n: int = SPIRAL_GRID):
    """The class the network picks over an n × n grid of [-lim, lim]²: xs, ys, regions (n, n)."""
    xs, ys, X, Y = grid((-lim, lim), (-lim, lim), n)
    scores = to_numpy(net.predict(np.column_stack([X.ravel(), Y.ravel()])))
    return xs, ys, scores.argmax(axis=1).reshape(n, n)


# ---------------------------------------------------------------- checks


def _finite_scalar(value, name: str) -> float:
    if isinstance(value, (str, bytes)):
        raise InputError("perceptron_not_real", f"{name} must be a real number, got {value!r}",
                         name=name, value=repr(value))
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise InputError("perceptron_not_real", f"{name} must be a real number, got {value!r}",
                         name=name, value=repr(value)) from err
    if not math.isfinite(v):
        raise InputError("perceptron_not_finite", f"{name} must be finite, got {v}", name=name)
    return v


def _as_points(x, batch: bool = False) -> np.ndarray:
    """x as float64 of shape (2,) or (N, 2) (only (N, 2) when batch), finite."""
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise InputError("perceptron_not_real", f"x must hold real numbers, got dtype {a.dtype}",
                         name="x", value=str(a.dtype))
    if batch and (a.ndim != 2 or a.shape[1] != 2 or a.shape[0] == 0):
        raise InputError("perceptron_points_shape",
                         f"x must be a batch of points of shape (N, 2), got shape {a.shape}",
                         expected="(N, 2)", shape=str(a.shape))
    if a.ndim not in (1, 2) or a.shape[-1] != 2:
        raise InputError(
            "perceptron_points_shape",
            f"x must be one point of shape (2,) or a batch of shape (N, 2), got shape {a.shape}",
            expected="(2,) | (N, 2)", shape=str(a.shape))
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise InputError("perceptron_not_finite", "x contains NaN or infinity", name="x")
    return a


def _as_labels(t, n: int) -> np.ndarray:
    """t as int64 of shape (n,), every value 0 or 1."""
    a = np.asarray(t)
    if a.dtype.kind not in "biuf":
        raise InputError("perceptron_labels_values", f"t must hold 0/1 labels, got dtype {a.dtype}",
                         values=str(a.dtype))
    if a.shape != (n,):
        raise InputError("perceptron_labels_shape",
                         f"t must have shape ({n},), one label per point, got shape {a.shape}",
                         n=n, shape=str(a.shape))
    if not np.isin(a, (0, 1)).all():  # NaN is not in (0, 1) either
        raise InputError("perceptron_labels_values",
                         f"t must hold only 0 and 1, got {np.unique(a).tolist()}",
                         values=str(np.unique(a).tolist()))
    return a.astype(np.int64)
