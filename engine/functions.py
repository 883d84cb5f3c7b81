"""The functions the lessons are built from: activations, softmax, a loss, numerical gradient.

Each works on numpy or cupy arrays alike (the module is derived from the input)
and keeps the input's dtype. The formula is in each docstring, written with the
names the code uses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .backend import get_array_module

CE_DELTA = 1e-7  # keeps log(0) out of cross_entropy_error, as in the book


def _as_array(x):
    """(xp, x): x as an array of its own module xp; floats stay floats, ints become float64."""
    xp = get_array_module(x)
    x = xp.asarray(x)
    return xp, (x if x.dtype.kind in "fc" else x.astype(np.float64))


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


def softmax(x):
    """softmax(x)_k = exp(x_k - max x) / sum_j exp(x_j - max x), along the last axis.

    Subtracting the maximum changes nothing mathematically and keeps exp from
    overflowing: logits of 1e4 are fine.
    """
    xp, x = _as_array(x)
    e = xp.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def labels_from(t, y_shape: tuple[int, ...]):
    """Class indices (N,) from labels or one-hot targets t, checked against y's shape (N, C).

    The one place a target is checked, for cross_entropy_error and SoftmaxWithLoss alike:
    a ValueError says what t should be and what it is.
    """
    if len(y_shape) != 2:
        raise ValueError(f"scores must have shape (N, C), got {tuple(y_shape)}")
    xp = get_array_module(t)
    t = xp.asarray(t)
    n, c = y_shape
    if t.shape == (n, c):  # one-hot
        return t.argmax(axis=1)
    if t.shape != (n,):
        raise ValueError(f"t must be class labels of shape ({n},) or one-hot of shape "
                         f"({n}, {c}), got shape {t.shape}")
    if t.dtype.kind not in "iu":
        if t.dtype.kind != "f" or not bool(xp.all(t == xp.floor(t))):
            raise ValueError(f"t labels must be integers, got dtype {t.dtype}")
        t = t.astype(np.int64)
    if n and (int(t.min()) < 0 or int(t.max()) >= c):
        raise ValueError(f"t labels must lie in 0..{c - 1}, got {int(t.min())}..{int(t.max())}")
    return t


def cross_entropy_error(y, t):
    """E = -(1/N) sum_n log(y[n, t_n] + delta) with delta = 1e-7.

    y: probabilities, (C,) for one sample or (N, C). t: labels (N,) / a label, or one-hot like y.
    """
    xp, y = _as_array(y)
    t = xp.asarray(t)
    if y.ndim == 1:  # one sample: a batch of one
        y, t = y.reshape(1, -1), (t.reshape(1, -1) if t.size == y.size else t.reshape(1))
    labels = labels_from(t, y.shape)
    n = y.shape[0]
    return -xp.log(y[xp.arange(n), labels] + CE_DELTA).sum() / n


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
