"""A fully connected network with the constructor and methods of the book's MultiLayerNet.

    net = MultiLayerNet(784, [100], 10, activation="relu", weight_init_std="he")
    grads = net.gradient(x, t)          # backprop, same keys as net.params
    optimizer.update(net.params, grads)

The layers are kept in `net.layers` (an ordered dict: Affine1, Activation1, ...,
AffineL) and the loss layer in `net.last_layer`, so a page can read every
layer's activations and gradients. Inputs are checked here, at the network's
public methods, so the layers can stay as lean as the book's.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from numbers import Real

import numpy as np

from .backend import backend_name, get_backend, positive_int, resolve_dtype, to_float
from .functions import numerical_gradient
from .layers import (
    ACTIVATIONS,
    IDENTITY,
    NETWORK_ACTIVATIONS,
    Affine,
    BatchNormalization,
    Dropout,
    Layer,
    Sigmoid,
    SoftmaxWithLoss,
    SquaredErrorLoss,
)

INIT_NAMES = ("he", "relu", "xavier", "sigmoid")
OUTPUTS = ("softmax", "sigmoid", "identity")
HIDDEN_ACTIVATIONS = (*NETWORK_ACTIVATIONS, "identity")  # what a hidden layer may use


def init_scale(weight_init_std, fan_in: int) -> float:
    """Standard deviation of the initial weights of a layer with `fan_in` inputs.

    'he' / 'relu': sqrt(2 / fan_in) (He et al., for ReLU);
    'xavier' / 'sigmoid': sqrt(1 / fan_in) (Glorot, for sigmoid and tanh);
    a positive number: that standard deviation for every layer.
    """
    key = weight_init_std.lower() if isinstance(weight_init_std, str) else None
    if key in ("he", "relu"):
        return math.sqrt(2.0 / fan_in)
    if key in ("xavier", "sigmoid"):
        return math.sqrt(1.0 / fan_in)
    if (key is None and isinstance(weight_init_std, Real) and not isinstance(weight_init_std, bool)
            and math.isfinite(weight_init_std) and weight_init_std > 0):
        return float(weight_init_std)
    raise ValueError(f"unknown weight_init_std {weight_init_std!r}: use one of "
                     f"{', '.join(INIT_NAMES)} or a positive number")


def _check_settings(input_size, hidden_size_list, output_size, activation, weight_init_std,
                    weight_decay_lambda, weight_decay_l1, dropout_ratio, output) -> list[int]:
    """MultiLayerNet's settings checked, each bad one a ValueError naming its value.

    Returns the hidden sizes as a list of ints (a single int is one hidden layer).
    """
    positive_int(input_size, "input_size")
    positive_int(output_size, "output_size")
    if isinstance(hidden_size_list, (int, np.integer)):
        hidden_size_list = [hidden_size_list]
    hidden = [positive_int(h, "every hidden size") for h in hidden_size_list]
    if not isinstance(activation, str) or activation.lower() not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: use one of "
                         f"{', '.join(HIDDEN_ACTIVATIONS)}")
    init_scale(weight_init_std, 1)
    for name, rate in (("weight_decay_lambda", weight_decay_lambda),
                       ("weight_decay_l1", weight_decay_l1)):
        if not (math.isfinite(rate) and rate >= 0):
            raise ValueError(f"{name} must be >= 0, got {rate}")
    if not 0 <= dropout_ratio < 1:
        raise ValueError(f"dropout_ratio must be in [0, 1), got {dropout_ratio}")
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}: use one of {', '.join(OUTPUTS)}")
    return hidden


class MultiLayerNet:
    """Affine → activation → ... → Affine → output loss.

    Parameters follow the book: input_size, hidden_size_list, output_size,
    activation ('relu', 'sigmoid', 'tanh', or the linear 'identity'), weight_init_std ('he',
    'xavier', their aliases 'relu', 'sigmoid', or a number), weight_decay_lambda (L2).
    Beyond the book's class: weight_decay_l1 (L1: + λ1·Σ|W|, whose gradient adds
    λ1·sign(W)), use_dropout / dropout_ratio and use_batchnorm (as
    in its MultiLayerNetExtend); output 'softmax' (softmax with cross-entropy,
    the default), 'sigmoid' (sigmoid outputs with squared error, the XOR net of
    the perceptron lesson) or 'identity' (squared error); backend 'numpy' or
    'cupy' (None: the ENGINE_BACKEND variable); dtype float32 (default) or
    float64; seed for the initial weights and dropout masks.
    """

    def __init__(self, input_size: int, hidden_size_list, output_size: int,
                 activation: str = "relu", weight_init_std="he",
                 weight_decay_lambda: float = 0.0, *, weight_decay_l1: float = 0.0,
                 use_dropout: bool = False,
                 dropout_ratio: float = 0.5, use_batchnorm: bool = False,
                 output: str = "softmax", backend: str | None = None, dtype=None,
                 seed: int | None = None) -> None:
        self.hidden_size_list = _check_settings(
            input_size, hidden_size_list, output_size, activation, weight_init_std,
            weight_decay_lambda, weight_decay_l1, dropout_ratio, output)
        self.input_size, self.output_size = int(input_size), int(output_size)
        self.hidden_layer_num = len(self.hidden_size_list)
        self.activation, self.output = activation.lower(), output
        self.weight_init_std = weight_init_std
        self.weight_decay_lambda = float(weight_decay_lambda)
        self.weight_decay_l1 = float(weight_decay_l1)
        self.use_dropout, self.use_batchnorm = bool(use_dropout), bool(use_batchnorm)
        self.xp = get_backend(backend)
        self.backend = backend_name(self.xp)
        self.dtype = resolve_dtype(dtype)
        self.seed = seed
        self.params: dict = {}
        self._init_weight(weight_init_std, seed)

        self.layers: OrderedDict[str, Layer] = OrderedDict()
        for i in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            if self.use_batchnorm:
                self.layers[f"BatchNorm{i}"] = BatchNormalization(
                    self.params[f"gamma{i}"], self.params[f"beta{i}"])
            self.layers[f"Activation{i}"] = ACTIVATIONS.get(self.activation, IDENTITY).layer()
            if self.use_dropout:
                self.layers[f"Dropout{i}"] = Dropout(
                    dropout_ratio, seed=None if seed is None else seed + i)
        last = self.hidden_layer_num + 1
        self.layers[f"Affine{last}"] = Affine(self.params[f"W{last}"], self.params[f"b{last}"])
        if self.output == "sigmoid":
            self.layers["Sigmoid"] = Sigmoid()
        self.last_layer = SoftmaxWithLoss() if self.output == "softmax" else SquaredErrorLoss()
        # nothing upstream needs the gradient of the input: don't compute it
        self.layers["Affine1"].compute_dx = False

        # grads[key] is the array its layer writes the gradient of params[key] into
        grad_of = {id(p): g for layer in self.layers.values()
                   for p, g in zip(layer.params, layer.grads, strict=True)}
        self.grads = {key: grad_of[id(p)] for key, p in self.params.items()}

    def _init_weight(self, weight_init_std, seed) -> None:
        """W{i} ~ N(0, scale²) with scale from init_scale, b{i} = 0 (gamma{i} = 1, beta{i} = 0).

        Drawn on the host from `seed`, so numpy and cupy networks start from the same weights.
        """
        xp, rng = self.xp, np.random.default_rng(seed)
        sizes = [self.input_size, *self.hidden_size_list, self.output_size]
        for i in range(1, len(sizes)):
            fan_in, fan_out = sizes[i - 1], sizes[i]
            W = init_scale(weight_init_std, fan_in) * rng.standard_normal((fan_in, fan_out))
            self.params[f"W{i}"] = xp.asarray(W, dtype=self.dtype)
            self.params[f"b{i}"] = xp.zeros(sizes[i], dtype=self.dtype)
        for i in range(1, len(sizes) - 1) if self.use_batchnorm else ():
            self.params[f"gamma{i}"] = xp.ones(sizes[i], dtype=self.dtype)
            self.params[f"beta{i}"] = xp.zeros(sizes[i], dtype=self.dtype)

    def __repr__(self) -> str:
        sizes = "-".join(map(str, [self.input_size, *self.hidden_size_list, self.output_size]))
        return (f"MultiLayerNet({sizes}, activation={self.activation!r}, output={self.output!r}, "
                f"backend={self.backend!r}, dtype={self.dtype.name})")

    # --- the public boundary: x and t checked once, here ---------------------------------

    def _check_x(self, x):
        """x as an array of the network's backend and dtype, shape (N, input_size)."""
        x = self.xp.asarray(x).astype(self.dtype, copy=False)
        x = x.reshape(1, -1) if x.ndim == 1 else x
        if x.ndim < 2 or x[0].size != self.input_size:
            raise ValueError(f"x must have shape (N, {self.input_size}), got {tuple(x.shape)}")
        if not bool(self.xp.isfinite(x).all()):
            raise ValueError("x contains NaN or infinite values")
        return x

    def _check_t(self, t, n: int):
        """t on the network's backend: one target per sample, finite."""
        t = self.xp.asarray(t)
        t = t.reshape(1) if t.ndim == 0 and n == 1 else t
        if t.ndim == 0 or t.shape[0] != n:
            raise ValueError(f"t must have one target per sample ({n}), got shape {tuple(t.shape)}")
        if t.dtype.kind == "f" and not bool(self.xp.isfinite(t).all()):
            raise ValueError("t contains NaN or infinite values")
        if self.output != "softmax" and t.size != n * self.output_size:
            raise ValueError(f"t must have the outputs' shape ({n}, {self.output_size}), "
                             f"got shape {tuple(t.shape)}")
        return t

    # --- the book's methods -------------------------------------------------------------

    def predict(self, x, train_flg: bool = False):
        """The scores (or sigmoid outputs) for x, before the loss layer."""
        return self._predict(self._check_x(x), train_flg)

    def _predict(self, x, train_flg: bool):
        for layer in self.layers.values():
            x = layer.forward(x, train_flg) if layer.takes_train_flg else layer.forward(x)
        return x

    def loss(self, x, t, train_flg: bool = False):
        """The loss on (x, t), plus `reg_loss()` when weight decay is on."""
        x = self._check_x(x)
        return self._loss(x, self._check_t(t, x.shape[0]), train_flg)

    def _loss(self, x, t, train_flg: bool):
        y = self._predict(x, train_flg)
        if self.output != "softmax":  # squared error: t shaped and typed like y
            t = t.reshape(y.shape).astype(y.dtype, copy=False)
        loss = self.last_layer.forward(y, t)
        if self.weight_decay_lambda or self.weight_decay_l1:
            loss = loss + self.reg_loss()
        return loss

    def reg_loss(self):
        """The weight-decay part of the loss: Σ over weight matrices of ½λ‖W‖² + λ1·Σ|W|."""
        lam, lam1, reg = self.weight_decay_lambda, self.weight_decay_l1, 0.0
        for W in (self.params[key] for key in self.weight_keys()):
            reg = reg + (0.5 * lam * (W * W).sum() if lam else 0) + (
                lam1 * self.xp.abs(W).sum() if lam1 else 0)
        return reg

    def accuracy(self, x, t, batch_size: int = 1000) -> float:
        """The fraction of samples classified right (in batches, to bound memory).

        One output unit (the XOR net): output > 0.5 counts as class 1.
        """
        x = self._check_x(x)
        t = self._check_t(t, x.shape[0])
        t = t.argmax(axis=1) if t.ndim == 2 and t.shape[1] > 1 else t.reshape(-1)
        threshold = 0.5 if self.output == "sigmoid" else 0.0
        correct = 0
        for start in range(0, x.shape[0], batch_size):
            y = self._predict(x[start:start + batch_size], train_flg=False)
            pred = y.argmax(axis=1) if y.shape[1] > 1 else (y[:, 0] > threshold)
            correct += int((pred == t[start:start + batch_size]).sum())
        return correct / x.shape[0]

    def gradient(self, x, t) -> dict:
        """Backprop: the gradient of the loss for every parameter, keyed like `params`.

        The arrays are the layers' own gradient buffers: the next call overwrites
        them (copy them to keep them).
        """
        x = self._check_x(x)
        return self.backprop(x, self._check_t(t, x.shape[0]))[1]

    def backprop(self, x, t, train_flg: bool = True) -> tuple:
        """(loss, grads): the loss forward, then every layer's backward in reverse order.

        x and t are used as they are: `gradient` checks them first, and a Trainer checks
        its data once rather than at every step. train_flg=False: the gradient of the
        inference pass, dropout scaling rather than masking (not with batch norm).
        """
        loss = self._loss(x, t, train_flg=train_flg)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        for key in self.weight_keys():  # d(½λ‖W‖²)/dW = λW, d(λ1·Σ|W|)/dW = λ1·sign(W)
            if self.weight_decay_lambda:
                self.grads[key] += self.weight_decay_lambda * self.params[key]
            if self.weight_decay_l1:
                self.grads[key] += self.weight_decay_l1 * self.xp.sign(self.params[key])
        return loss, self.grads

    def numerical_gradient(self, x, t, h: float = 1e-4) -> dict:
        """The same gradients by central differences (slow: two losses per parameter).

        Use a float64 network for a meaningful comparison. Dropout draws new
        masks on every forward pass, so it must be off here.
        """
        if self.use_dropout:
            raise ValueError("turn dropout off to compute numerical gradients: its random "
                             "masks change the loss between the two evaluations")
        x = self._check_x(x)
        t = self._check_t(t, x.shape[0])
        return {key: numerical_gradient(lambda: to_float(self._loss(x, t, True)), p, h)
                for key, p in self.params.items()}

    # --- for the pages -------------------------------------------------------------------

    def forward_trace(self, x) -> list[tuple[str, object]]:
        """[(layer name, its output)] for one inference pass: what flows through each layer."""
        x = self._check_x(x)
        trace = [("input", x)]
        for name, layer in self.layers.items():
            x = layer.forward(x, False) if layer.takes_train_flg else layer.forward(x)
            trace.append((name, x))
        return trace

    def weight_keys(self) -> list[str]:
        """The weight matrices in order: W1, W2, ..."""
        return [f"W{i}" for i in range(1, self.hidden_layer_num + 2)]

    def grad_stats(self) -> dict[str, float]:
        """Mean |dW| per weight for each Affine layer, from the last backward pass.

        A mean, not a sum, so a 784×100 layer and a 100×10 layer compare fairly.
        """
        return {key: to_float(self.xp.abs(self.grads[key]).mean()) for key in self.weight_keys()}

    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))
