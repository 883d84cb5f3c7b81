"""Layers with forward and backward, as in "Deep Learning from Scratch" volume 2.

Every layer keeps two lists, `params` and `grads` (same order, same shapes),
caches in `forward` only what `backward` needs, and never changes the `dout`
it is given. Gradients are written into the arrays of `grads` in place, so an
optimizer holding those arrays always sees the latest ones.

Layers that behave differently while training (Dropout, BatchNormalization)
take `forward(x, train_flg=True)`; the others take `forward(x)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .backend import get_array_module
from .functions import (
    labels_from,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    step,
    step_grad,
    tanh,
    tanh_grad,
)


class Layer:
    """Base class: empty params and grads; a layer adds forward(x) and backward(dout) -> dx."""

    takes_train_flg = False  # True for layers whose forward depends on training vs inference

    def __init__(self) -> None:
        self.params: list = []
        self.grads: list = []

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(p.shape)) for p in self.params)
        return f"{type(self).__name__}({shapes})"


class Affine(Layer):
    """out = x·W + b.

    backward: dx = dout·Wᵀ, dW = xᵀ·dout, db = sum of dout over the batch.
    x may be (N, D) or (N, ...) (flattened to (N, D)); dx has x's original shape.
    A network's first layer sets `compute_dx = False`: nothing upstream needs the
    gradient of the pixels, and skipping dout·Wᵀ saves a third of its backward work.
    """

    compute_dx = True

    def __init__(self, W, b) -> None:
        super().__init__()
        xp = get_array_module(W)
        self.params = [W, b]
        self.grads = [xp.zeros_like(W), xp.zeros_like(b)]
        self.x = None
        self.x_shape: tuple[int, ...] = ()

    def forward(self, x):
        W, b = self.params
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ W + b

    def backward(self, dout):
        W, b = self.params
        xp = get_array_module(dout)
        xp.matmul(self.x.T, dout, out=self.grads[0])  # dW = xᵀ·dout, into the grads array
        dout.sum(axis=0, out=self.grads[1])  # db = Σ_n dout
        if not self.compute_dx:
            return None
        dx = dout @ W.T
        return dx.reshape(self.x_shape)


class ReLU(Layer):
    """out = max(0, x).  backward: dx = dout where x > 0, else 0 (the mask)."""

    def __init__(self) -> None:
        super().__init__()
        self.mask = None  # True where x > 0: the only thing backward needs

    def forward(self, x):
        self.mask = x > 0
        return get_array_module(x).maximum(x, 0)

    def backward(self, dout):
        return dout * self.mask


class Sigmoid(Layer):
    """out = 1 / (1 + exp(-x)).  backward: dx = dout · out · (1 - out)."""

    def __init__(self) -> None:
        super().__init__()
        self.out = None

    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        y = self.out
        return dout * (1 - y) * y


class Tanh(Layer):
    """out = tanh(x).  backward: dx = dout · (1 - out²)."""

    def __init__(self) -> None:
        super().__init__()
        self.out = None

    def forward(self, x):
        self.out = get_array_module(x).tanh(x)
        return self.out

    def backward(self, dout):
        y = self.out
        return dout * (1 - y * y)


class Identity(Layer):
    """out = x.  backward: dx = dout. The linear activation: a network of these stays linear."""

    def forward(self, x):
        return x

    def backward(self, dout):
        return dout


class Step(Layer):
    """out = step(x) = 1 if x > 0 else 0.  backward: dx = dout · 0.

    The perceptron's activation as a layer: its slope is 0 wherever it is defined,
    so nothing flows back through it and the layers below never learn.
    """

    def __init__(self) -> None:
        super().__init__()
        self.x = None

    def forward(self, x):
        self.x = x
        return step(x)

    def backward(self, dout):
        return dout * step_grad(self.x)


class Activation(NamedTuple):
    """One activation, three ways: y = f(x), its slope grad(x), and the layer that runs it."""

    f: Callable
    grad: Callable
    layer: type[Layer]


# The one registry of activations, in the order the lessons show them.
ACTIVATIONS: dict[str, Activation] = {
    "step": Activation(step, step_grad, Step),
    "sigmoid": Activation(sigmoid, sigmoid_grad, Sigmoid),
    "tanh": Activation(tanh, tanh_grad, Tanh),
    "relu": Activation(relu, relu_grad, ReLU),
}
# The ones a network can learn through (step's zero slope stops backprop), ReLU first.
NETWORK_ACTIVATIONS = ("relu", "sigmoid", "tanh")
# The linear activation f(x) = x (slope 1), which MultiLayerNet also takes, as "identity".
# It stays out of the two lists above, which the lessons show as their choices.
IDENTITY = Activation(lambda x: x, lambda x: get_array_module(x).ones_like(x), Identity)


class Dropout(Layer):
    """Training: out = x · mask, each unit kept with probability 1 - ratio.
    Inference: out = x · (1 - ratio), the expected value (the book's form).

    backward: dx = dout · mask (1 - ratio after an inference forward).
    `seed` makes the masks repeatable.
    """

    takes_train_flg = True

    def __init__(self, dropout_ratio: float = 0.5, seed: int | None = None) -> None:
        super().__init__()
        self.dropout_ratio = float(dropout_ratio)
        self.seed = seed
        self.rng = None  # made on first use, from the input's array module
        self.mask = None

    def forward(self, x, train_flg: bool = True):
        if not train_flg:  # backward then passes dout · (1 - ratio), the inference slope
            self.mask = 1.0 - self.dropout_ratio
            return x * self.mask
        if self.rng is None:
            self.rng = get_array_module(x).random.default_rng(self.seed)
        self.mask = self.rng.random(x.shape, dtype=np.float32) > self.dropout_ratio
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


class BatchNormalization(Layer):
    """Normalize each feature over the batch, then scale and shift.

    mu = mean(x), xc = x - mu, var = mean(xc²), std = sqrt(var + eps),
    xn = xc / std, out = gamma · xn + beta.
    Inference uses running averages of mu and var, updated while training:
    running = momentum · running + (1 - momentum) · batch value.
    """

    takes_train_flg = True
    eps = 1e-7

    def __init__(self, gamma, beta, momentum: float = 0.9,
                 running_mean=None, running_var=None) -> None:
        super().__init__()
        xp = get_array_module(gamma)
        self.params = [gamma, beta]
        self.grads = [xp.zeros_like(gamma), xp.zeros_like(beta)]
        self.momentum = momentum
        self.running_mean = xp.zeros_like(gamma) if running_mean is None else running_mean
        self.running_var = xp.zeros_like(gamma) if running_var is None else running_var
        self.input_shape: tuple[int, ...] = ()
        self.xc = self.xn = self.std = None

    def forward(self, x, train_flg: bool = True):
        gamma, beta = self.params
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = (xc * xc).mean(axis=0)
            std = get_array_module(x).sqrt(var + self.eps)
            xn = xc / std
            self.xc, self.xn, self.std = xc, xn, std
            m = self.momentum
            self.running_mean[...] = m * self.running_mean + (1 - m) * mu
            self.running_var[...] = m * self.running_var + (1 - m) * var
        else:
            xc = x - self.running_mean
            xn = xc / get_array_module(x).sqrt(self.running_var + self.eps)
        out = gamma * xn + beta
        return out.reshape(self.input_shape)

    def backward(self, dout):
        gamma, beta = self.params
        dout = dout.reshape(dout.shape[0], -1)
        n = dout.shape[0]
        xc, xn, std = self.xc, self.xn, self.std
        dbeta = dout.sum(axis=0)
        dgamma = (xn * dout).sum(axis=0)
        dxn = gamma * dout
        dxc = dxn / std
        dstd = -((dxn * xc) / (std * std)).sum(axis=0)
        dvar = 0.5 * dstd / std
        dxc = dxc + (2.0 / n) * xc * dvar
        dmu = dxc.sum(axis=0)
        dx = dxc - dmu / n
        self.grads[0][...] = dgamma
        self.grads[1][...] = dbeta
        return dx.reshape(self.input_shape)


class SoftmaxWithLoss(Layer):
    """y = softmax(x), loss = -(1/N) Σ_n log y[n, t_n].

    backward: dx = dout · (y - t) / N, the reason softmax and cross-entropy are paired.
    t may be labels (N,) or one-hot (N, C). The loss is computed from log-softmax,
    so it stays finite for logits as large as ±1e4.
    """

    def __init__(self) -> None:
        super().__init__()
        self.y = None
        self.labels = None

    def forward(self, x, t):
        xp = get_array_module(x)
        self.labels = labels_from(t, x.shape)  # t_n, checked: (N,) labels or (N, C) one-hot
        n = x.shape[0]
        z = x - x.max(axis=1, keepdims=True)  # shift: exp never overflows
        e = xp.exp(z)
        s = e.sum(axis=1, keepdims=True)
        self.y = e / s
        log_y = z[xp.arange(n), self.labels] - xp.log(s[:, 0])  # log y[n, t_n]
        return -log_y.sum() / n

    def backward(self, dout=1):
        xp = get_array_module(self.y)
        n = self.y.shape[0]
        dx = self.y.copy()
        dx[xp.arange(n), self.labels] -= 1  # y - t, with t one-hot
        dx *= dout / n
        return dx


class SquaredErrorLoss(Layer):
    """loss = 1/(2N) · Σ_n ||y_n - t_n||², t shaped like y.  backward: dy = dout · (y - t) / N.

    After a Sigmoid layer this gives the delta rule:
    delta = (y_o - y_t) · y_o · (1 - y_o), divided by N for a batch.
    """

    def __init__(self) -> None:
        super().__init__()
        self.diff = None

    def forward(self, y, t):
        self.diff = y - t
        n = y.shape[0]
        return 0.5 * (self.diff * self.diff).sum() / n

    def backward(self, dout=1):
        n = self.diff.shape[0]
        return self.diff * (dout / n)
