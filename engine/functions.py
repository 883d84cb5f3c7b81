"""The functions the lessons are built from: activations, softmax, losses, numerical gradient.

Each works on numpy or cupy arrays alike (the module is derived from the input)
and keeps the input's dtype. The formula is in each docstring, written with the
names the code uses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .backend import get_array_module

CE_DELTA = 1e-7  # keeps log(0) out of cross_entropy_error, as in the book


def _as_array(x, name: str = "x"):
    """x as an array of its own module; floats stay floats, ints become float64."""
    xp = get_array_module(x)
    x = xp.asarray(x)
    if x.dtype.kind not in "fc":
        x = x.astype(np.float64)
    return xp, x


def step(x):
    """step(x) = 1 if x > 0 else 0 (the perceptron's activation)."""
    xp, x = _as_array(x)
    return (x > 0).astype(x.dtype)


def step_grad(x):
    """d step / dx = 0 wherever it is defined (it jumps at 0): why step cannot learn."""
    xp, x = _as_array(x)
    return xp.zeros_like(x)


def sigmoid(x):
    """sigmoid(x) = 1 / (1 + exp(-x)), computed without overflow for large |x|."""
    xp, x = _as_array(x)
    z = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    return xp.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_grad(x):
    """d sigmoid / dx = y (1 - y) with y = sigmoid(x)."""
    y = sigmoid(x)
    return y * (1 - y)


def relu(x):
    """relu(x) = max(0, x)."""
    xp, x = _as_array(x)
    return xp.maximum(x, 0)


def relu_grad(x):
    """d relu / dx = 1 if x > 0 else 0: the step function itself."""
    return step(x)


def tanh(x):
    """tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))."""
    xp, x = _as_array(x)
    return xp.tanh(x)


def tanh_grad(x):
    """d tanh / dx = 1 - y**2 with y = tanh(x)."""
    y = tanh(x)
    return 1 - y * y


def identity(x):
    """identity(x) = x (the output of a regression network)."""
    xp, x = _as_array(x)
    return x


def softmax(x):
    """softmax(x)_k = exp(x_k - max x) / sum_j exp(x_j - max x), along the last axis.

    Subtracting the maximum changes nothing mathematically and keeps exp from
    overflowing: logits of 1e4 are fine.
    """
    xp, x = _as_array(x)
    z = x - x.max(axis=-1, keepdims=True)
    e = xp.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x):
    """log softmax(x)_k = (x_k - max x) - log sum_j exp(x_j - max x); finite for any finite x."""
    xp, x = _as_array(x)
    z = x - x.max(axis=-1, keepdims=True)
    return z - xp.log(xp.exp(z).sum(axis=-1, keepdims=True))


def _labels_from(t, y_shape: tuple[int, ...], name: str = "t"):
    """Class indices (N,) from labels or one-hot targets, checked against y's shape (N, C)."""
    xp = get_array_module(t)
    t = xp.asarray(t)
    n, c = y_shape
    if t.shape == (n, c):  # one-hot
        return t.argmax(axis=1)
    if t.shape != (n,):
        raise ValueError(
            f"{name} must be class labels of shape ({n},) or one-hot of shape ({n}, {c}), "
            f"got shape {t.shape}"
        )
    if t.dtype.kind not in "iu":
        if t.dtype.kind == "f" and bool(xp.all(t == xp.floor(t))):
            t = t.astype(np.int64)
        else:
            raise ValueError(f"{name} labels must be integers, got dtype {t.dtype}")
    if n and (int(t.min()) < 0 or int(t.max()) >= c):
        raise ValueError(f"{name} labels must lie in 0..{c - 1}, "
                         f"got {int(t.min())}..{int(t.max())}")
    return t


def _as_batch(y, t):
    """(y, t) with a batch axis: a single sample (C,) becomes (1, C)."""
    xp = get_array_module(y, t)
    y = xp.asarray(y)
    t = xp.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 and t.size == y.size else t.reshape(1)
    if y.ndim != 2:
        raise ValueError(f"y must have shape (C,) or (N, C), got {y.shape}")
    return y, t


def cross_entropy_error(y, t):
    """E = -(1/N) sum_n log(y[n, t_n] + delta) with delta = 1e-7.

    y: probabilities, (C,) or (N, C). t: labels (N,) / a label, or one-hot like y.
    """
    xp, y = _as_array(y, "y")
    y, t = _as_batch(y, t)
    labels = _labels_from(t, y.shape)
    n = y.shape[0]
    return -xp.log(y[xp.arange(n), labels] + CE_DELTA).sum() / n


def softmax_cross_entropy(a, t):
    """E = -(1/N) sum_n log softmax(a)[n, t_n], from logits a: stable for extreme logits."""
    xp, a = _as_array(a, "a")
    a, t = _as_batch(a, t)
    labels = _labels_from(t, a.shape)
    n = a.shape[0]
    return -log_softmax(a)[xp.arange(n), labels].sum() / n


def mean_squared_error(y, t):
    """C = 1/(2n) * sum_n ||y_n - t_n||^2 over a batch of n samples (seed 001).

    For one sample (n = 1) this is the book's 0.5 * sum((y - t)**2).
    """
    xp, y = _as_array(y, "y")
    t = xp.asarray(t, dtype=y.dtype)
    if y.shape != t.shape:
        raise ValueError(f"y and t must have the same shape, got {y.shape} and {t.shape}")
    n = y.shape[0] if y.ndim > 1 else 1
    d = y - t
    return 0.5 * (d * d).sum() / n


def numerical_gradient(f: Callable[[], float], x, h: float = 1e-4):
    """Central differences: df/dx_i ~ (f(x_i + h) - f(x_i - h)) / (2h), for every element of x.

    `f` takes no arguments and reads `x` itself (so it can be a network's loss
    closing over its own parameters); x is perturbed in place and restored.
    Use float64 arrays: in float32 the differences drown in rounding error.
    """
    if h <= 0:
        raise ValueError(f"h must be > 0, got {h}")
    xp = get_array_module(x)
    if not isinstance(x, xp.ndarray) or not x.flags.c_contiguous:
        raise ValueError("x must be a C-contiguous array, so it can be perturbed in place")
    grad = xp.zeros_like(x)
    flat_x = x.reshape(-1)  # a view: writing to it writes to x
    flat_g = grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i].item()
        flat_x[i] = old + h
        f_plus = float(f())
        flat_x[i] = old - h
        f_minus = float(f())
        flat_x[i] = old
        flat_g[i] = (f_plus - f_minus) / (2 * h)
    return grad
