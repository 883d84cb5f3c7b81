"""Lesson 3, the layer zoo: what every tab computes, in the order of the tabs.

Affine with its shapes, the matrix chain of seed 000, the activations, softmax with
its losses, broadcasting, and a gradient check of every layer. Every number the page
shows can be rebuilt in a notebook:

    p = affine_pass(n=4, d=2, h=3, seed=0)                 # x·W + b, and dx, dW, db
    run_chain([SEED_W1, SEED_W2, SEED_W3], SEED_X).y       # [-3, 0, -2]
    matmul_worked().C                                      # [[19, 22], [43, 50]]
    dx_derivation(seed=0).dx                               # Σ_j dy_j·W_ij = (dy·Wᵀ)_i
    softmax_loss([0.3, 2.9, 4.0], target=2).da             # (y - t) / N
    softmax_jacobian_pass([0.3, 2.9, 4.0], 2).dL_da        # Jᵀ·(−t/y) = y − t
    losses([0.3, 2.9, 4.0], 2)                             # CE, SE, MSE, BCE and their grads
    broadcast_demo((2, 3), (3,), "+").result                # numpy's own A + B
    run_check(gradcheck_case("affine", 4, 2, 3)).max_rel_error   # ~1e-10

Values are drawn from one seed and rounded to one decimal, so they are easy to read on
a slide; arrays are float64, as gradient checks need.

The chain uses the column convention of seed 000 (a matrix times a column vector):
L1 = W1·X, L2 = W2·L1, Y = W3·L2. Without an activation the three steps equal one
matrix, W3·W2·W1; with one between them (ReLU, sigmoid) they do not, which is why
networks need them.

Broadcasting, axis by axis from the right: two sizes fit when they are equal or one of
them is 1 (a missing axis counts as 1); the result takes the larger size, and an array
of size 1 along an axis is copied along it. The arrays are numbered so that every value
is easy to follow: A = 1, 2, 3, ... and B carries on after A (for (2, 2) and (2, 2) that
is the seed's A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]]). The seed's 3-D cases count
both arrays from 0 (np.arange(10).reshape(2, 1, 5)). The operation itself is numpy's: a
shape that does not fit raises numpy's own ValueError, unchanged.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.backend import InputError
from engine.functions import cross_entropy_error, softmax
from engine.gradcheck import GradCheckResult, check_layer
from engine.layers import (
    ACTIVATIONS,
    NETWORK_ACTIVATIONS,
    Affine,
    BatchNormalization,
    Layer,
    ReLU,
    Sigmoid,
    SoftmaxWithLoss,
    SquaredErrorLoss,
    Tanh,
)
from lessons.graph import dx_sums

MAX_SIZE = 10  # N, D and H stay this small (seed 003's (10, 2)·(2, 4) fits): read, not timed


def _rounded(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 1.0):
    return np.round(scale * rng.standard_normal(shape), 1)


def _check_sizes(**sizes: int) -> None:
    for name, size in sizes.items():
        if not 1 <= int(size) <= MAX_SIZE:
            raise InputError("layers_size_range",
                             f"{name} must lie between 1 and {MAX_SIZE}, got {size}",
                             name=name, size=int(size), max=MAX_SIZE)


# --- 1. Affine --------------------------------------------------------------------------------

def affine_example(n: int, d: int, h: int, seed: int = 0):
    """x (N, D), W (D, H), b (H,): one decimal each, from `seed`."""
    _check_sizes(N=n, D=d, H=h)
    rng = np.random.default_rng(seed)
    return _rounded(rng, (n, d)), _rounded(rng, (d, h)), _rounded(rng, (h,))


def upstream(shape: tuple[int, ...], seed: int = 0):
    """A gradient dout arriving from the layer above (one decimal, from `seed`)."""
    return _rounded(np.random.default_rng([seed, 1]), tuple(shape))


@dataclass(frozen=True)
class AffinePass:
    """Affine forward, y = x·W + b, and backward from dy: dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ dy."""

    x: np.ndarray
    W: np.ndarray
    b: np.ndarray
    y: np.ndarray
    dy: np.ndarray
    dx: np.ndarray
    dW: np.ndarray
    db: np.ndarray


def affine_pass(n: int, d: int, h: int, seed: int = 0) -> AffinePass:
    """The Affine tab's example: affine_example's x, W, b through the engine's Affine layer,
    then upstream's dy back through it."""
    x, W, b = affine_example(n, d, h, seed)
    layer = Affine(W.copy(), b.copy())
    y = layer.forward(x)
    dy = upstream(y.shape, seed)
    dx = layer.backward(dy)
    dW, db = (g.copy() for g in layer.grads)
    return AffinePass(x, W, b, y, dy, dx, dW, db)


SEED_A = np.array([[1, 2], [3, 4]])  # seed 003's worked product A·B = [[19, 22], [43, 50]]
SEED_B = np.array([[5, 6], [7, 8]])


@dataclass(frozen=True)
class MatmulWorked:
    """C = A·B entry by entry: C[i, j] = Σ_k A[i, k]·B[k, j], row i of A against column j
    of B. `terms[i][j]` lists the pairs (A[i, k], B[k, j]) that are multiplied and summed."""

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    terms: tuple[tuple[tuple[tuple[float, float], ...], ...], ...]


def matmul_worked(A=SEED_A, B=SEED_B) -> MatmulWorked:
    """Each entry of A·B as its row·column sum, added up here term by term (not by numpy's
    matmul): matmul_worked().C is seed 003's [[19, 22], [43, 50]] (19 = 1·5 + 2·7)."""
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"A·B needs A's columns = B's rows, got {A.shape} and {B.shape}")
    terms = tuple(tuple(tuple((float(A[i, k]), float(B[k, j])) for k in range(A.shape[1]))
                        for j in range(B.shape[1])) for i in range(A.shape[0]))
    C = np.array([[sum(a * b for a, b in entry) for entry in row] for row in terms])
    return MatmulWorked(A, B, C.reshape(A.shape[0], B.shape[1]), terms)


@dataclass(frozen=True)
class DxDerivation:
    """Where dx = dy·Wᵀ comes from, for one sample with D = H = 2 (the notes count from 1).

    y_j = Σ_i x_i·W_ij + b_j, so ∂y_j/∂x_i = W_ij, and the chain rule over every y_j that
    x_i feeds gives ∂L/∂x_i = Σ_j ∂L/∂y_j · W_ij. `terms[i]` holds the pairs
    (∂L/∂y_j, W_ij) of that sum, `dx` the sums added up term by term; `matrix` is the same
    written as one product, dy·Wᵀ, and `backward` what the engine's Affine returns."""

    x: np.ndarray  # (2,)
    W: np.ndarray  # (2, 2)
    b: np.ndarray  # (2,)
    y: np.ndarray  # x·W + b
    dy: np.ndarray  # ∂L/∂y, from above
    terms: tuple[tuple[tuple[float, float], ...], ...]
    dx: np.ndarray  # Σ_j dy_j·W_ij, entry by entry
    matrix: np.ndarray  # dy·Wᵀ
    backward: np.ndarray  # Affine(W, b).backward(dy)


def dx_derivation(seed: int = 0) -> DxDerivation:
    """dx for one sample of D = H = 2 drawn from `seed` (as affine_pass draws it), three ways:
    the element-wise sums, the matrix product dy·Wᵀ, and the engine's Affine.backward."""
    p = affine_pass(1, 2, 2, seed)
    x, W, dy = p.x[0], p.W, p.dy[0]
    sums = dx_sums(dy, W)  # the graph lesson's element-wise sums, for this layer's numbers
    terms = tuple(tuple((term.dy, term.w) for term in s.terms) for s in sums)
    dx = np.array([s.value for s in sums])
    return DxDerivation(x, W, p.b, p.y[0], dy, terms, dx, dy @ W.T, p.dx[0])


# --- 2. The matrix chain ----------------------------------------------------------------------

SEED_X = np.array([0, 0, 1])
SEED_W1 = np.array([[2, 2, -1], [2, 2, 0], [0, -1, -1]])
SEED_W2 = np.array([[2, 2, -1], [-1, 0, 0], [2, -1, 2]])
SEED_W3 = np.array([[2, -1, 0], [-1, -1, 0], [2, 0, 0]])

CHAIN_ACTIVATIONS = NETWORK_ACTIVATIONS  # the ones a network learns through
CHAIN_NAMES = ("X", "W1", "W2", "W3")  # what the learner edits
CHAIN_INPUTS = {"X": ("X",), "W1": ("X0", "X1", "X2"), "W2": ("L10", "L11", "L12"),
                "W3": ("L20", "L21", "L22")}  # what each one's columns multiply
CHAIN_BOUND = 9  # the learner's entries are whole numbers in -9..9
CHAIN_MAX_ROWS = 8  # rows of one matrix (or entries of X)
CHAIN_VALUES = ("X", "L1", "L2", "Y")  # what flows through: X, then each step's output


@dataclass
class ChainStep:
    """One layer of the chain: out = f(W·x_in) (f the identity when no activation)."""

    name: str
    W: np.ndarray
    x_in: np.ndarray
    pre_activation: np.ndarray
    out: np.ndarray


def _check_chain(matrices: Sequence, x) -> tuple[list[np.ndarray], np.ndarray]:
    if len(matrices) == 0:
        raise ValueError("the chain needs at least one matrix")
    mats = [np.asarray(W, dtype=np.float64) for W in matrices]
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"X must be a vector, got shape {x.shape}")
    size = x.shape[0]
    for i, W in enumerate(mats, start=1):
        if W.ndim != 2:
            raise ValueError(f"W{i} must be a matrix, got shape {W.shape}")
        if W.shape[1] != size:
            raise InputError("layers_chain_shape",
                             f"W{i} has {W.shape[1]} columns but its input has {size} "
                             f"entries: W{i}·v needs columns = len(v)",
                             name=f"W{i}", columns=int(W.shape[1]), entries=int(size),
                             input=CHAIN_VALUES[i - 1] if i <= len(CHAIN_VALUES) else "v")
        if not np.isfinite(W).all():
            raise InputError("layers_chain_empty", f"W{i} contains NaN or infinite values "
                             "(is a cell empty?)", name=f"W{i}")
        size = W.shape[0]
    if not np.isfinite(x).all():
        raise InputError("layers_chain_empty", "X contains NaN or infinite values "
                         "(is a cell empty?)", name="X")
    return mats, x


def matrix_chain(matrices: Sequence, x, activation: str | None = None) -> list[ChainStep]:
    """Apply W1, W2, ... to x in turn; `activation` between layers (not after the last)."""
    mats, v = _check_chain(matrices, x)
    if activation is not None and activation not in CHAIN_ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: use None or one of "
                         f"{', '.join(CHAIN_ACTIVATIONS)}")
    steps = []
    for i, W in enumerate(mats, start=1):
        pre = W @ v
        last = i == len(mats)
        out = pre if (activation is None or last) else ACTIVATIONS[activation].f(pre)
        steps.append(ChainStep(f"L{i}" if not last else "Y", W, v, pre, out))
        v = out
    return steps


def collapse(matrices: Sequence) -> np.ndarray:
    """The single matrix W_n ··· W2·W1 that a stack of linear layers amounts to."""
    mats, _ = _check_chain(matrices, np.zeros(np.asarray(matrices[0]).shape[1]))
    product = mats[0]
    for W in mats[1:]:
        product = W @ product
    return product


def _fmt_coef(c: float) -> str:
    return str(int(c)) if float(c).is_integer() else f"{c:g}"


def linear_equations(W, in_names: Sequence[str], out_names: Sequence[str]) -> list[str]:
    """Each row of W written as an equation, e.g. 'L10 = 2X0 + 2X1 - X2' (zeros left out)."""
    W = np.asarray(W, dtype=np.float64)
    if W.shape != (len(out_names), len(in_names)):
        raise ValueError(f"W has shape {W.shape} but names give "
                         f"({len(out_names)}, {len(in_names)})")
    lines = []
    for name, row in zip(out_names, W, strict=True):
        terms = []
        for c, var in zip(row, in_names, strict=True):
            if c == 0:
                continue
            mag = abs(c)
            coef = "" if mag == 1 else _fmt_coef(mag)
            sign = "-" if c < 0 else "+"
            terms.append((sign, f"{coef}{var}"))
        if not terms:
            lines.append(f"{name} = 0")
            continue
        first_sign, first = terms[0]
        text = ("-" if first_sign == "-" else "") + first
        text += "".join(f" {s} {t}" for s, t in terms[1:])
        lines.append(f"{name} = {text}")
    return lines


def collapse_gap(matrices: Sequence, x, activation: str | None = None) -> float:
    """max |Y_steps − (W_n ··· W1)·x|: 0 for a stack of linear layers (up to rounding).

    With an activation between the layers the steps no longer equal one matrix,
    and the gap is usually far from 0 (it is 0 only where the activation happens
    to act like the identity on this x, e.g. ReLU on positive values).
    """
    steps = matrix_chain(matrices, x, activation)
    direct = collapse(matrices) @ np.asarray(x, dtype=np.float64)
    return float(np.max(np.abs(steps[-1].out - direct), initial=0.0))


def random_chain(seed: int = 0, size: int = 3, layers: int = 3,
                 low: int = -2, high: int = 2) -> tuple[list[np.ndarray], np.ndarray]:
    """`layers` random integer size×size matrices and an integer X, entries in low..high."""
    if low > high:
        raise ValueError(f"low must not exceed high, got {low} > {high}")
    rng = np.random.default_rng(seed)
    mats = [rng.integers(low, high + 1, (size, size)) for _ in range(layers)]
    return mats, rng.integers(low, high + 1, size)


def seed_chain_rows() -> dict[str, list]:
    """Seed 000's X, W1, W2, W3 as lists of rows (X as a list of entries)."""
    return {"X": SEED_X.tolist(), "W1": SEED_W1.tolist(), "W2": SEED_W2.tolist(),
            "W3": SEED_W3.tolist()}


def random_chain_rows(seed: int) -> dict[str, list]:
    """random_chain(seed) as seed_chain_rows lays it out."""
    mats, x = random_chain(seed=seed)
    return {"X": x.tolist(), **{f"W{i}": W.tolist() for i, W in enumerate(mats, start=1)}}


def chain_rows(name: str, values: np.ndarray) -> list:
    """An edited (rows, columns) array back as lists of whole numbers (None where empty)."""
    rows = [[None if math.isnan(v) else int(v) for v in row] for row in values]
    return [row[0] for row in rows] if name == "X" else rows


@dataclass(frozen=True)
class ChainRun:
    """The chain computed two ways: step by step (with `activation` between the layers)
    and as one product matrix, W3·W2·W1·X."""

    x: np.ndarray
    matrices: tuple[np.ndarray, ...]
    activation: str | None
    steps: tuple[ChainStep, ...]
    product: np.ndarray  # W_n ··· W1
    direct: np.ndarray  # product · x
    gap: float  # collapse_gap

    @property
    def y(self) -> np.ndarray:
        return self.steps[-1].out

    @property
    def zmax(self) -> float:
        """The largest |value| among X, the matrices and every W·v: one colour scale for
        the step figures (the product's larger numbers get their own)."""
        arrays = [self.x, *self.matrices, *(s.pre_activation for s in self.steps)]
        return max(float(np.abs(a).max(initial=0)) for a in arrays) or 1.0


def run_chain(matrices: Sequence, x, activation: str | None = None) -> ChainRun:
    """Everything the chain tab shows; ValueError (from matrix_chain) when shapes do not fit."""
    steps = matrix_chain(matrices, x, activation)
    product = collapse(matrices)
    direct = matrix_chain([product], x)[-1].out
    mats = tuple(np.asarray(W, dtype=np.float64) for W in matrices)
    return ChainRun(np.asarray(x, dtype=np.float64), mats, activation, tuple(steps), product,
                    direct, collapse_gap(matrices, x, activation))


# --- 3. Activations ---------------------------------------------------------------------------

ACTIVATION_INPUTS = (-2.0, -0.5, 0.0, 0.5, 2.0)  # the x the table starts from (dout = 1)
ACTIVATION_BOUND = 10.0  # the learner's x and dout lie in -10..10


@dataclass
class ActivationPass:
    """One activation layer's forward and backward on a small input."""

    x: np.ndarray
    y: np.ndarray
    local: np.ndarray  # dy/dx at x: ReLU's mask, sigmoid's y(1 - y), tanh's 1 - y², step's 0
    dout: np.ndarray
    dx: np.ndarray


def activation_pass(name: str, x, dout) -> ActivationPass:
    """Run ACTIVATIONS[name] forward on x and backward on dout."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: use one of {', '.join(ACTIVATIONS)}")
    x = np.asarray(x, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    if x.shape != dout.shape:
        raise ValueError(f"dout must have the shape of x {x.shape}, got {dout.shape}")
    if not (np.isfinite(x).all() and np.isfinite(dout).all()):
        empty = [f"{row}[{i}]" for row, v in (("x", x), ("dout", dout))
                 for i in np.flatnonzero(~np.isfinite(v.ravel()))]
        raise InputError("layers_activation_empty",
                         "x and dout must be finite numbers (is a cell empty?)",
                         cells=", ".join(empty))
    layer = ACTIVATIONS[name].layer()
    y = layer.forward(x)
    local = layer.backward(np.ones_like(x))
    dx = layer.backward(dout)
    return ActivationPass(x, np.asarray(y), np.asarray(local), dout, np.asarray(dx))


def activation_curve(name: str, lo: float = -6.0, hi: float = 6.0, points: int = 481):
    """xs, f(xs), f'(xs) for drawing ACTIVATIONS[name]."""
    xs = np.linspace(lo, hi, points)
    return xs, ACTIVATIONS[name].f(xs), ACTIVATIONS[name].grad(xs)


# --- 4. Softmax and the losses ----------------------------------------------------------------

WORKED_LOGITS = (0.3, 2.9, 4.0)  # the loss tab opens with these, target class 2
WORKED_TARGET = 2


@dataclass(frozen=True)
class SoftmaxLoss:
    """Softmax with cross-entropy, and squared error on the same probabilities, for a batch."""

    a: np.ndarray  # logits (N, C)
    labels: np.ndarray  # (N,)
    onehot: np.ndarray  # t (N, C)
    y: np.ndarray  # softmax(a)
    loss: float  # SoftmaxWithLoss: -(1/N) Σ log y[n, t_n]
    da: np.ndarray  # its backward: (y - t) / N
    ce: float  # cross_entropy_error(softmax(a), t): the same loss, with the book's delta
    se_loss: float  # SquaredErrorLoss(y, t): 1/(2N) Σ ‖y - t‖²
    dy: np.ndarray  # its backward, with respect to the probabilities y: (y - t) / N
    se_da: np.ndarray  # the same gradient carried back to the scores a: J_nᵀ·dy_n, row by row


def softmax_loss(logits, target) -> SoftmaxLoss:
    """The loss tab's numbers for logits (C,) or (N, C) and target label(s)."""
    a = np.atleast_2d(np.asarray(logits, dtype=np.float64))
    labels = np.atleast_1d(np.asarray(target, dtype=np.int64))
    onehot = np.eye(a.shape[1])[labels]
    swl = SoftmaxWithLoss()
    loss = swl.forward(a, labels)
    da = swl.backward()
    se = SquaredErrorLoss()
    se_loss = se.forward(swl.y, onehot)
    dy = se.backward()
    se_da = np.stack([softmax_jacobian(yn).T @ g for yn, g in zip(swl.y, dy, strict=True)])
    return SoftmaxLoss(a, labels, onehot, swl.y, float(loss), da,
                       float(cross_entropy_error(softmax(a), labels)), float(se_loss), dy, se_da)


def softmax_jacobian(y) -> np.ndarray:
    """J[i, j] = ∂y_i/∂a_j = y_i(δ_ij − y_j) for y = softmax(a): the matrix diag(y) − y·yᵀ."""
    y = np.asarray(y, dtype=np.float64).ravel()
    return np.diag(y) - np.outer(y, y)


def numerical_jacobian(f: Callable, a, h: float = 1e-5) -> np.ndarray:
    """J[i, j] ≈ (f(a + h·e_j)_i − f(a − h·e_j)_i) / 2h, column by column."""
    a = np.asarray(a, dtype=np.float64).ravel()
    cols = []
    for j in range(a.size):
        e = np.zeros_like(a)
        e[j] = h
        cols.append((np.ravel(f(a + e)) - np.ravel(f(a - e))) / (2 * h))
    return np.stack(cols, axis=1)


@dataclass(frozen=True)
class SoftmaxJacobian:
    """How y − t falls out of the softmax Jacobian, for one sample.

    Cross-entropy L = −Σ_k t_k log y_k has ∂L/∂y = −t/y. Through softmax, ∂L/∂a = Jᵀ·(−t/y):
    entry j is Σ_i (−t_i/y_i)·y_i(δ_ij − y_j) = −t_j + y_j·Σ_i t_i = y_j − t_j, since the
    t_i add up to 1."""

    a: np.ndarray  # scores (C,)
    y: np.ndarray  # softmax(a)
    t: np.ndarray  # target (C,), one-hot
    J: np.ndarray  # diag(y) − y yᵀ
    numerical: np.ndarray  # J by central differences
    dL_dy: np.ndarray  # −t/y
    dL_da: np.ndarray  # Jᵀ·(−t/y)
    y_minus_t: np.ndarray  # y − t

    @property
    def max_gap(self) -> float:
        """max |J − numerical J|."""
        return float(np.max(np.abs(self.J - self.numerical)))


def _one_sample(logits, target) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(logits, dtype=np.float64).ravel()
    t = np.asarray(target, dtype=np.float64)
    if t.ndim == 0:  # a class label
        t = np.eye(a.size)[int(t)]
    return a, t.ravel()


def softmax_jacobian_pass(logits, target) -> SoftmaxJacobian:
    """The Jacobian of softmax at these scores, checked numerically, and Jᵀ·(−t/y) = y − t
    for a target `target` (a class label, or a vector t that sums to 1)."""
    a, t = _one_sample(logits, target)
    y = softmax(a[None, :])[0]
    J = softmax_jacobian(y)
    numerical = numerical_jacobian(lambda v: softmax(v[None, :])[0], a)
    with np.errstate(divide="ignore", invalid="ignore"):
        dL_dy = np.where(t != 0, -t / y, 0.0)
    return SoftmaxJacobian(a, y, t, J, numerical, dL_dy, J.T @ dL_dy, y - t)


@dataclass(frozen=True)
class LossRow:
    """One loss on the same prediction y and target t (one sample, C outputs): its value,
    its gradient with respect to y, and with respect to the scores a, Jᵀ·∂L/∂y."""

    name: str  # 'ce', 'se', 'mse', 'bce'
    value: float
    dy: np.ndarray
    da: np.ndarray


def losses(logits, target) -> tuple[LossRow, ...]:
    """Seed 003's three losses and seed 001's squared error, for y = softmax(a) and t:

    ce   cross-entropy        −Σ t log y                      ∂/∂y = −t/y
    se   squared error (001)  ½ Σ (y − t)²                     ∂/∂y = y − t
    mse  mean squared error   (1/C) Σ (y − t)²                 ∂/∂y = 2(y − t)/C
    bce  binary cross-entropy −(1/C) Σ [t log y + (1 − t) log(1 − y)]
                                                               ∂/∂y = (y − t)/(C·y(1 − y))

    C is the number of outputs (the seed's N, or "output size"). Every ∂/∂a is Jᵀ·∂L/∂y,
    J the softmax Jacobian at a: for cross-entropy that is y − t.
    """
    a, t = _one_sample(logits, target)
    y = softmax(a[None, :])[0]
    J = softmax_jacobian(y)
    c = y.size
    with np.errstate(divide="ignore", invalid="ignore"):
        rows = [
            ("ce", -float(np.sum(t * np.log(y))), np.where(t != 0, -t / y, 0.0)),
            ("se", 0.5 * float(np.sum((y - t) ** 2)), y - t),
            ("mse", float(np.mean((y - t) ** 2)), 2 * (y - t) / c),
            ("bce", -float(np.mean(t * np.log(y) + (1 - t) * np.log1p(-y))),
             (y - t) / (c * y * (1 - y))),
        ]
    return tuple(LossRow(name, value, dy, J.T @ dy) for name, value, dy in rows)


def loss_row(rows: Sequence[LossRow], name: str) -> LossRow:
    return next(r for r in rows if r.name == name)


# --- 5. Broadcasting --------------------------------------------------------------------------

OPS: dict[str, Callable] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}
MAX_NDIM = 3
MAX_DIM = 6  # sizes stay small enough to print and draw

_SEPARATORS = re.compile(r"[\s,]+")


def parse_shape(text: str) -> tuple[int, ...]:
    """A shape typed as '(2, 3)', '2,3', '2 3', '(3,)' or '()' (a scalar); never eval'd.

    Raises ValueError for anything else, and for sizes outside 1..MAX_DIM or more
    than MAX_NDIM axes.
    """
    body = str(text).strip()
    if body.startswith(("(", "[")) and body.endswith((")", "]")):
        body = body[1:-1]
    tokens = [tok for tok in _SEPARATORS.split(body.strip()) if tok]
    if not tokens and not str(text).strip().startswith(("(", "[")):
        raise InputError("layers_shape_empty",
                         "type a shape such as (2, 3), or () for a single number")
    shape = []
    for tok in tokens:
        if not (tok.isascii() and tok.isdigit()):  # '²' and '٣' are digits to isdigit
            raise InputError("layers_shape_not_number",
                             f"{tok!r} is not a whole number: a shape lists sizes, e.g. (2, 3)",
                             token=tok)
        size = int(tok)
        if not 1 <= size <= MAX_DIM:
            raise InputError("layers_shape_size",
                             f"each size must lie between 1 and {MAX_DIM}, got {size}",
                             size=size, max=MAX_DIM)
        shape.append(size)
    if len(shape) > MAX_NDIM:
        raise InputError("layers_shape_axes", f"at most {MAX_NDIM} axes here, got {len(shape)}",
                         axes=len(shape), max=MAX_NDIM)
    return tuple(shape)


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as Python prints it: (2, 3), (3,), ()."""
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def operation_text(shape_a: tuple[int, ...], op: str, shape_b: tuple[int, ...]) -> str:
    """'(2, 3) + (3,)'."""
    return f"{shape_text(shape_a)} {op} {shape_text(shape_b)}"


def numbered(shape: tuple[int, ...], start: int = 1) -> np.ndarray:
    """start, start + 1, ... laid out in `shape` (a 0-d array for shape ())."""
    return np.arange(start, start + math.prod(shape)).reshape(shape)


@dataclass(frozen=True)
class AxisRule:
    """One axis of the rule, counted from the right (-1 is the last axis).

    `how` is one of: 'equal' (same size), 'stretch_a' / 'stretch_b' (that array
    has size 1 here and is copied), 'new_a' / 'new_b' (that array lacks the axis:
    it counts as 1 and is copied), 'mismatch' (different sizes, neither 1).
    """

    axis: int
    a: int | None
    b: int | None
    out: int | None
    how: str


def broadcast_axes(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> list[AxisRule]:
    """The broadcasting rule applied axis by axis, from the right."""
    rules = []
    for k in range(1, max(len(shape_a), len(shape_b)) + 1):
        a = shape_a[-k] if k <= len(shape_a) else None
        b = shape_b[-k] if k <= len(shape_b) else None
        if a is None:
            how, out = ("new_a", b) if b != 1 else ("equal", 1)
        elif b is None:
            how, out = ("new_b", a) if a != 1 else ("equal", 1)
        elif a == b:
            how, out = "equal", a
        elif a == 1:
            how, out = "stretch_a", b
        elif b == 1:
            how, out = "stretch_b", a
        else:
            how, out = "mismatch", None
        rules.append(AxisRule(-k, a, b, out, how))
    return rules[::-1]


def copied_cells(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> np.ndarray:
    """A bool mask of out_shape: True where broadcasting an array of `shape` made a copy.

    False marks the cells that hold the array's own values (index 0 along every
    axis it was stretched along).
    """
    padded = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    own = np.zeros(out_shape, dtype=bool)
    own[tuple(slice(0, 1) if n == 1 else slice(None) for n in padded)] = True
    return ~own


@dataclass
class BroadcastDemo:
    """A op B for two numbered arrays; `result` is numpy's answer."""

    a: np.ndarray
    b: np.ndarray
    op: str
    result: np.ndarray
    rules: list[AxisRule]

    @property
    def a_stretched(self) -> np.ndarray:
        """A as numpy sees it in the operation: copied out to the result's shape."""
        return np.broadcast_to(self.a, self.result.shape)

    @property
    def b_stretched(self) -> np.ndarray:
        return np.broadcast_to(self.b, self.result.shape)

    @property
    def a_copied(self) -> np.ndarray:
        return copied_cells(self.a.shape, self.result.shape)

    @property
    def b_copied(self) -> np.ndarray:
        return copied_cells(self.b.shape, self.result.shape)


def broadcast_demo(shape_a, shape_b, op: str = "+", *, a=None, b=None,
                   a_start: int = 1, b_start: int | None = None) -> BroadcastDemo:
    """Build numbered A (shape_a) and B (shape_b), or use the given arrays, and apply `op`.

    A counts from `a_start`; B from `b_start`, by default where A stopped.

    A shape pair that cannot broadcast raises numpy's own ValueError, unchanged,
    e.g. "operands could not be broadcast together with shapes (2,3) (2,)".
    """
    if op not in OPS:
        raise ValueError(f"unknown operation {op!r}: use one of {' '.join(OPS)}")
    shape_a, shape_b = tuple(shape_a), tuple(shape_b)
    a = numbered(shape_a, a_start) if a is None else np.asarray(a)
    if b is None:
        b = numbered(shape_b, a_start + a.size if b_start is None else b_start)
    b = np.asarray(b)
    if a.shape != shape_a or b.shape != shape_b:
        raise ValueError(f"the arrays have shapes {a.shape} and {b.shape}, "
                         f"not {shape_a} and {shape_b}")
    result = OPS[op](a, b)  # numpy decides; its ValueError goes to the caller as it is
    return BroadcastDemo(a, b, op, np.asarray(result), broadcast_axes(shape_a, shape_b))


@dataclass(frozen=True)
class BroadcastCase:
    """A teaching case: two shapes, an operation, and optionally the seed's own values."""

    id: str
    shape_a: tuple[int, ...]
    shape_b: tuple[int, ...]
    op: str
    b_value: float | None = None  # a scalar B, as in the seed's A * 10
    start: int | None = None  # both count from here (the seed's np.arange(10), arange(20))


CASES: tuple[BroadcastCase, ...] = (
    BroadcastCase("same", (2, 2), (2, 2), "+"),
    BroadcastCase("product", (2, 2), (2, 2), "*"),
    BroadcastCase("scalar", (2, 2), (), "*", b_value=10),
    BroadcastCase("bias", (2, 3), (3,), "+"),
    BroadcastCase("column", (2, 3), (2, 1), "+"),
    BroadcastCase("outer", (3, 1), (1, 4), "*"),
    BroadcastCase("three_d", (2, 1, 5), (2, 2, 5), "*", start=0),
    BroadcastCase("bad_vector", (2, 3), (2,), "+"),
    BroadcastCase("bad_three_d", (2, 5, 1), (2, 2, 5), "*", start=0),
)


def find_case(case_id: str) -> BroadcastCase | None:
    """The teaching case called `case_id`, or None (for 'custom')."""
    return next((c for c in CASES if c.id == case_id), None)


def run_case(case: BroadcastCase, op: str | None = None) -> BroadcastDemo:
    """broadcast_demo for a teaching case (`op` overrides the case's operation)."""
    b = None if case.b_value is None else np.array(case.b_value)
    if case.start is None:
        return broadcast_demo(case.shape_a, case.shape_b, op or case.op, b=b)
    return broadcast_demo(case.shape_a, case.shape_b, op or case.op, b=b,
                          a_start=case.start, b_start=case.start)


def case_operands(case: BroadcastCase) -> tuple[np.ndarray, np.ndarray]:
    """The numbered A and B of a case, as broadcast_demo would number them: the operands
    to show when the operation fails."""
    a = numbered(case.shape_a, 1 if case.start is None else case.start)
    b = numbered(case.shape_b, a.size + 1 if case.start is None else case.start)
    return a, b


# --- 6. Gradient check ------------------------------------------------------------------------

CHECK_TOLERANCE = 1e-6  # a relative error below this passes


@dataclass
class CheckCase:
    """A layer with its input (and targets for a loss), ready for check_layer."""

    name: str
    layer: Layer
    x: np.ndarray
    t: np.ndarray | None
    param_names: tuple[str, ...]


def _away_from_zero(x: np.ndarray, gap: float = 0.05) -> np.ndarray:
    """Push values off 0, where ReLU has a kink that central differences straddle."""
    return np.where(np.abs(x) < gap, np.where(x < 0, -gap, gap), x)


def _affine(rng, n, d, h):
    x, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal(h)
    return Affine(W, b), x, None, ("W", "b")


def _relu(rng, n, d, h):
    return ReLU(), _away_from_zero(rng.standard_normal((n, h))), None, ()


def _sigmoid(rng, n, d, h):
    return Sigmoid(), rng.standard_normal((n, h)), None, ()


def _tanh(rng, n, d, h):
    return Tanh(), rng.standard_normal((n, h)), None, ()


def _softmax_with_loss(rng, n, d, h):
    return SoftmaxWithLoss(), 2 * rng.standard_normal((n, h)), rng.integers(0, h, n), ()


def _squared_error(rng, n, d, h):
    return SquaredErrorLoss(), rng.standard_normal((n, h)), rng.standard_normal((n, h)), ()


def _batchnorm(rng, n, d, h):
    if n < 3:
        raise InputError("layers_batchnorm_batch",
                         "batch normalization needs a batch of N ≥ 3 samples to check: with "
                         "one sample every variance is 0, and with two every normalized value "
                         "is ±1 whatever x is, so its gradient with respect to x is 0",
                         n=int(n), min=3)
    layer = BatchNormalization(1.0 + 0.5 * rng.standard_normal(h), rng.standard_normal(h))
    return layer, 2.0 + rng.standard_normal((n, h)), None, ("gamma", "beta")


CHECK_CASES: dict[str, Callable] = {
    "affine": _affine,
    "relu": _relu,
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "softmax_with_loss": _softmax_with_loss,
    "squared_error": _squared_error,
    "batchnorm": _batchnorm,
}
CHECK_LABELS = {  # each case by the name of the engine's class
    "affine": "Affine", "relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh",
    "softmax_with_loss": "SoftmaxWithLoss", "squared_error": "SquaredErrorLoss",
    "batchnorm": "BatchNormalization",
}


def gradcheck_case(name: str, n: int, d: int, h: int, seed: int = 0) -> CheckCase:
    """Layer `name` (a key of CHECK_CASES) with a float64 input of batch N from `seed`.

    Affine maps D features to H; the other layers take (N, H) inputs. A loss layer
    comes with targets t (labels for softmax with loss, an (N, H) array for squared error).
    """
    if name not in CHECK_CASES:
        raise ValueError(f"unknown layer {name!r}: use one of {', '.join(CHECK_CASES)}")
    _check_sizes(N=n, D=d, H=h)
    layer, x, t, param_names = CHECK_CASES[name](np.random.default_rng(seed), n, d, h)
    return CheckCase(name, layer, x, t, param_names)


def array_names(case: CheckCase) -> list[str]:
    """The names of the checked arrays in check_layer's order: x, then the parameters."""
    return ["x", *case.param_names]


def run_check(case: CheckCase) -> GradCheckResult:
    """check_layer on the case (float64, central differences)."""
    return check_layer(case.layer, case.x, case.t)


def slowdown(result: GradCheckResult) -> float:
    """How many times longer the numerical gradient took than backprop."""
    return result.numerical_seconds / max(result.backprop_seconds, 1e-9)


@dataclass
class CheckSummary:
    name: str
    max_rel_error: float
    backprop_seconds: float
    numerical_seconds: float
    error: str | None = None  # why the layer could not be checked at these sizes

    @property
    def passed(self) -> bool:
        return self.error is None and self.max_rel_error < CHECK_TOLERANCE


def check_all(n: int, d: int, h: int, seed: int = 0) -> list[CheckSummary]:
    """Every layer of CHECK_CASES checked at the same sizes: one row per layer."""
    rows = []
    for name in CHECK_CASES:
        try:
            result = run_check(gradcheck_case(name, n, d, h, seed))
        except ValueError as err:
            rows.append(CheckSummary(name, float("nan"), float("nan"), float("nan"), str(err)))
            continue
        rows.append(CheckSummary(name, result.max_rel_error, result.backprop_seconds,
                                 result.numerical_seconds))
    return rows
