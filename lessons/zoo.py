"""The layer zoo's worked examples: small seeded inputs for every layer, and their checks.

Everything the layer lesson shows can be rebuilt in a notebook:

    x, W, b = affine_example(n=4, d=2, h=3, seed=0)
    layer = Affine(W, b); y = layer.forward(x); dx = layer.backward(upstream(y.shape, seed=0))
    case = gradcheck_case("affine", n=4, d=2, h=3, seed=0)
    check_layer(case.layer, case.x, case.t).max_rel_error     # ~1e-10

Values are drawn from one seed and rounded to one decimal, so they are easy to
read on a slide; arrays are float64, as gradient checks need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.gradcheck import GradCheckResult, check_layer
from engine.layers import (
    ACTIVATIONS,
    Affine,
    BatchNormalization,
    Layer,
    ReLU,
    Sigmoid,
    SoftmaxWithLoss,
    SquaredErrorLoss,
    Tanh,
)

MAX_SIZE = 8  # N, D and H stay this small: the lesson is read, not benchmarked


def _rounded(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 1.0):
    return np.round(scale * rng.standard_normal(shape), 1)


def _check_sizes(**sizes: int) -> None:
    for name, size in sizes.items():
        if not 1 <= int(size) <= MAX_SIZE:
            raise ValueError(f"{name} must lie between 1 and {MAX_SIZE}, got {size}")


def affine_example(n: int, d: int, h: int, seed: int = 0):
    """x (N, D), W (D, H), b (H,): one decimal each, from `seed`."""
    _check_sizes(N=n, D=d, H=h)
    rng = np.random.default_rng(seed)
    return _rounded(rng, (n, d)), _rounded(rng, (d, h)), _rounded(rng, (h,))


def upstream(shape: tuple[int, ...], seed: int = 0):
    """A gradient dout arriving from the layer above (one decimal, from `seed`)."""
    return _rounded(np.random.default_rng([seed, 1]), tuple(shape))


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
        raise ValueError("x and dout must be finite numbers (is a cell empty?)")
    layer = ACTIVATIONS[name].layer()
    y = layer.forward(x)
    local = layer.backward(np.ones_like(x))
    dx = layer.backward(dout)
    return ActivationPass(x, np.asarray(y), np.asarray(local), dout, np.asarray(dx))


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
        raise ValueError("batch normalization needs a batch of N ≥ 3 samples to check: with "
                         "one sample every variance is 0, and with two every normalized value "
                         "is ±1 whatever x is, so its gradient with respect to x is 0")
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


@dataclass
class CheckSummary:
    name: str
    max_rel_error: float
    backprop_seconds: float
    numerical_seconds: float
    error: str | None = None  # why the layer could not be checked at these sizes


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
