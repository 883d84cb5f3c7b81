"""Gradient checks: backprop beside central differences, for any layer or loss.

    result = check_layer(Affine(W, b), x)
    result.max_rel_error   # ~1e-10 in float64 when backward is right

A layer is checked through the scalar L = Σ forward(x) ⊙ dout for a fixed
random `dout`: then ∂L/∂x is exactly what backward(dout) must return, and
∂L/∂θ what it must leave in `grads`. A loss layer is checked through its loss.
`check_network(net, x, t)` compares a whole MultiLayerNet's gradients, with timings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .backend import get_array_module, positive_int, to_float, to_numpy
from .functions import numerical_gradient
from .layers import Layer


def relative_error(a, b, floor: float = 1e-8) -> float:
    """max |a − b| / max(|a| + |b|).

    The denominator is at least `floor`: where both gradients are zero up to
    rounding (say 1e-17 against 1e-12), the error is tiny rather than 0/0.
    """
    a, b = to_numpy(a).astype(np.float64), to_numpy(b).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of shapes {a.shape} and {b.shape}")
    scale = max(float(np.max(np.abs(a) + np.abs(b), initial=0.0)), floor)
    return float(np.max(np.abs(a - b), initial=0.0)) / scale


@dataclass
class GradCheck:
    """One array's gradient both ways."""

    name: str
    backprop: np.ndarray
    numerical: np.ndarray
    rel_error: float


@dataclass
class GradCheckResult:
    checks: list[GradCheck] = field(default_factory=list)
    backprop_seconds: float = 0.0
    numerical_seconds: float = 0.0

    @property
    def max_rel_error(self) -> float:
        """The worst relative error; with nothing checked there is no error to report."""
        if not self.checks:
            raise ValueError("no gradients were checked, so there is no error to report")
        return max(c.rel_error for c in self.checks)

    def __getitem__(self, name: str) -> GradCheck:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)


def _forward(layer: Layer, x, t):
    if t is not None:
        return layer.forward(x, t)
    return layer.forward(x, True) if layer.takes_train_flg else layer.forward(x)


def check_layer(layer: Layer, x, t=None, *, seed: int = 0, h: float = 1e-5) -> GradCheckResult:
    """Compare backward with central differences for x and every parameter of `layer`.

    x (and the layer's params) should be float64. For a loss layer pass its targets t.
    """
    xp = get_array_module(x)
    x = xp.array(x, dtype=np.float64)  # a private copy: it is perturbed in place
    if t is not None:
        dout = 1.0
        def objective():
            return to_float(_forward(layer, x, t))
    else:
        out = _forward(layer, x, t)
        rng = np.random.default_rng(seed)
        dout = xp.asarray(rng.standard_normal(out.shape))
        def objective():
            return to_float((_forward(layer, x, t) * dout).sum())

    start = time.perf_counter()
    _forward(layer, x, t)
    dx = layer.backward(dout)
    analytic = [("x", to_numpy(dx).copy())]
    analytic += [(f"param{i}", to_numpy(g).copy()) for i, g in enumerate(layer.grads)]
    backprop_seconds = time.perf_counter() - start

    start = time.perf_counter()
    numeric = [numerical_gradient(objective, x, h)]
    numeric += [numerical_gradient(objective, p, h) for p in layer.params]
    numerical_seconds = time.perf_counter() - start

    checks = [GradCheck(name, a, to_numpy(n), relative_error(a, n))
              for (name, a), n in zip(analytic, numeric, strict=True)]
    return GradCheckResult(checks, backprop_seconds, numerical_seconds)


def check_network(net, x, t, *, h: float = 1e-4, repeats: int = 5) -> GradCheckResult:
    """net.gradient(x, t) beside net.numerical_gradient(x, t, h), one check per parameter.

    backprop_seconds is the median of `repeats` backprop runs; numerical_seconds
    is one run of central differences (two losses per parameter).
    The network must be float64: in float32 the differences drown in rounding.
    """
    if getattr(net, "dtype", None) != np.float64:
        raise ValueError(f"check_network needs a float64 network, got {net!r}; build it "
                         "with dtype=np.float64")
    times = []
    for _ in range(positive_int(repeats, "repeats")):
        start = time.perf_counter()
        grads = net.gradient(x, t)
        times.append(time.perf_counter() - start)
    backprop = {key: to_numpy(g).copy() for key, g in grads.items()}

    start = time.perf_counter()
    numerical = net.numerical_gradient(x, t, h)
    numerical_seconds = time.perf_counter() - start

    checks = [GradCheck(key, backprop[key], to_numpy(numerical[key]),
                        relative_error(backprop[key], numerical[key])) for key in net.params]
    return GradCheckResult(checks, float(np.median(times)), numerical_seconds)
