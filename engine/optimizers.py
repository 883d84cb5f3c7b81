"""Optimizers: one small class each, `update(params, grads)` changing params in place.

`params` and `grads` are dicts with the same keys (a network's `params` and
its `gradient(...)`) or lists in the same order (a layer's `params`/`grads`).
State such as velocities is created on the first update, shaped like each
parameter. Each docstring gives the update as its paper writes it, in the names
the code uses: p a parameter array (the notes' W or b), updated in place, g = ∂L/∂p
its gradient, v, h, m the state kept per parameter; η is lr, α momentum, ρ decay_rate,
β1, β2 beta1, beta2, ε eps. The lesson's formulas (lessons.optimizers.UPDATE_RULES)
read the same.
"""

from __future__ import annotations

import math
from numbers import Real

from .backend import get_array_module


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _fraction(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def _pairs(params, grads):
    """(key, param, grad) for dicts or lists, or a ValueError when they do not match."""
    if isinstance(params, dict):
        if not isinstance(grads, dict) or set(grads) != set(params):
            raise ValueError("grads must be a dict with the same keys as params")
    elif len(params) != len(grads):
        raise ValueError(f"params and grads must have the same length, "
                         f"got {len(params)} and {len(grads)}")
    keys = list(params) if isinstance(params, dict) else range(len(params))
    for key in keys:
        if params[key].shape != grads[key].shape:
            raise ValueError(f"gradient {key!r} has shape {grads[key].shape}, "
                             f"its parameter {params[key].shape}")
    return [(key, params[key], grads[key]) for key in keys]


class Optimizer:
    """Base class: holds the learning rate and per-parameter state."""
    NOT_ARGS = ("state", "_work")  # attributes that are not hyperparameters (repr, saving)

    def __init__(self, lr: float) -> None:
        self.lr = _positive(lr, "learning rate lr")
        self.state: dict = {}  # per-parameter buffers, made lazily
        self._work: dict = {}  # scratch arrays (not state: never saved), made lazily

    def _buffer(self, name: str, key, like, store: dict | None = None):
        """The array `name` for parameter `key` in `store` (the state), zeros on first use."""
        store = self.state if store is None else store
        if (name, key) not in store:
            store[(name, key)] = get_array_module(like).zeros_like(like)
        return store[(name, key)]

    def update(self, params, grads) -> None:
        """Every parameter one step, in place: each subclass writes `_update_one`."""
        for key, p, g in _pairs(params, grads):
            self._update_one(key, p, g)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items() if k not in self.NOT_ARGS)
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """p ← p − η·g."""

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def _update_one(self, key, p, g) -> None:
        p -= self.lr * g


class Momentum(Optimizer):
    """v ← α·v − η·g;  p ← p + v."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = _fraction(momentum, "momentum")

    def _update_one(self, key, p, g) -> None:
        v = self._buffer("v", key, p)
        v *= self.momentum
        v -= self.lr * g
        p += v


class Nesterov(Momentum):
    """Nesterov's accelerated gradient (NAG), in the form that needs only g at p:

    v ← α·v − η·g;  p ← p + α·v − η·g
    This is Sutskever et al. 2013's look-ahead step, v ← α·v − η·∇L(p̃ + α·v);
    p̃ ← p̃ + v, rewritten for the look-ahead point p = p̃ + α·v that the code keeps:
    g at p is the look-ahead gradient (the same update as PyTorch's SGD with
    nesterov=True).
    """

    def _update_one(self, key, p, g) -> None:
        v = self._buffer("v", key, p)
        v *= self.momentum
        v -= self.lr * g
        p += self.momentum * v
        p -= self.lr * g


class AdaGrad(Optimizer):
    """h ← h + g⊙g;  p ← p − η·g / (√h + ε)."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.eps = _positive(eps, "eps")

    def _update_one(self, key, p, g) -> None:
        xp = get_array_module(p)
        h = self._buffer("h", key, p)
        h += g * g
        p -= self.lr * g / (xp.sqrt(h) + self.eps)


class RMSProp(Optimizer):
    """h ← ρ·h + (1 − ρ)·g⊙g;  p ← p − η·g / (√h + ε)."""

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.decay_rate = _fraction(decay_rate, "decay_rate")
        self.eps = _positive(eps, "eps")

    def _update_one(self, key, p, g) -> None:
        xp = get_array_module(p)
        h = self._buffer("h", key, p)
        h *= self.decay_rate
        h += (1 - self.decay_rate) * g * g
        p -= self.lr * g / (xp.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), step t = 1, 2, ...:

    m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g⊙g
    m̂ = m / (1 − β1ᵗ);      v̂ = v / (1 − β2ᵗ)
    p ← p − η·m̂ / (√v̂ + ε)
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.beta1 = _fraction(beta1, "beta1")
        self.beta2 = _fraction(beta2, "beta2")
        self.eps = _positive(eps, "eps")
        self.t = 0

    def update(self, params, grads) -> None:
        self.t += 1  # one step for all parameters
        super().update(params, grads)

    def _update_one(self, key, p, g) -> None:
        xp = get_array_module(p)
        b1, b2, t = self.beta1, self.beta2, self.t
        m = self._buffer("m", key, p)
        v = self._buffer("v", key, p)
        w = self._buffer("w", key, p, self._work)  # every step works in w: no new big arrays
        m *= b1
        m += xp.multiply(g, 1 - b1, out=w)  # m ← β1·m + (1 − β1)·g
        v *= b2
        v += xp.multiply(xp.multiply(g, g, out=w), 1 - b2, out=w)  # v ← β2·v + (1 − β2)·g²
        xp.sqrt(xp.divide(v, 1 - b2**t, out=w), out=w)  # √v̂, with v̂ = v / (1 − β2^t)
        w += self.eps
        p -= xp.multiply(xp.divide(m, w, out=w), self.lr / (1 - b1**t), out=w)  # η·m̂ / (√v̂ + ε)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "SGD": SGD,
    "Momentum": Momentum,
    "Nesterov": Nesterov,
    "AdaGrad": AdaGrad,
    "RMSProp": RMSProp,
    "Adam": Adam,
}
