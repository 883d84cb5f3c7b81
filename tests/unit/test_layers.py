"""Every layer's backward against central differences (float64), and its contract.

Each gradient check also says which arrays it checked: a check that quietly skipped the
parameters would otherwise pass with nothing compared.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.gradcheck import GradCheckResult, check_layer
from engine.layers import (
    Affine,
    BatchNormalization,
    Dropout,
    ReLU,
    Sigmoid,
    SoftmaxWithLoss,
    SquaredErrorLoss,
    Tanh,
)
from engine.network import MultiLayerNet

TOL = 1e-6


class RepeatableDropout(Dropout):
    """Dropout drawing the same mask on every forward, so central differences see one function."""

    def forward(self, x, train_flg=True):
        self.rng = None
        return super().forward(x, train_flg)


def affine(rng):
    return Affine(rng.standard_normal((4, 3)), rng.standard_normal(3))


def batchnorm(rng):
    return BatchNormalization(rng.standard_normal(4) + 1.0, rng.standard_normal(4))


PARAMS = ["x", "param0", "param1"]  # x, then each parameter in the layer's `params` order

# name: (make the layer from a generator, input shape, the arrays check_layer must check)
LAYERS = {
    "Affine": (affine, (5, 4), PARAMS),
    "Affine 4-D input": (lambda rng: Affine(rng.standard_normal((12, 3)), np.zeros(3)),
                         (2, 1, 3, 4), PARAMS),
    "ReLU": (lambda rng: ReLU(), (5, 4), ["x"]),
    "Sigmoid": (lambda rng: Sigmoid(), (5, 4), ["x"]),
    "Tanh": (lambda rng: Tanh(), (5, 4), ["x"]),
    "Dropout": (lambda rng: RepeatableDropout(0.3, seed=1), (5, 4), ["x"]),
    "BatchNormalization": (batchnorm, (6, 4), PARAMS),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_backward_matches_numerical_gradient(name, rng):
    make, shape, names = LAYERS[name]
    layer = make(rng)
    x = rng.standard_normal(shape)
    if name == "ReLU":
        x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink
    result = check_layer(layer, x)
    assert [c.name for c in result.checks] == names, "every array of the layer is checked"
    for c, p in zip(result.checks, [x, *layer.params], strict=True):
        assert c.backprop.shape == c.numerical.shape == p.shape, f"{name} d/d{c.name}: shapes"
        assert np.abs(c.numerical).max() > 1e-3, f"{name} d/d{c.name}: a real gradient, not 0"
        assert c.rel_error < TOL, f"{name} d/d{c.name}: relative error {c.rel_error:.2e} >= {TOL}"
    assert result.max_rel_error == max(c.rel_error for c in result.checks)


def test_a_check_with_nothing_checked_has_no_error_to_report():
    """An empty check must not read as a perfect one (an error of 0.0)."""
    with pytest.raises(ValueError, match="no gradients were checked"):
        _ = GradCheckResult([]).max_rel_error


@pytest.mark.parametrize("target", ["labels", "one-hot"])
def test_softmax_with_loss_gradient(target, rng):
    x = rng.standard_normal((6, 5))
    labels = rng.integers(0, 5, 6)
    t = labels if target == "labels" else np.eye(5)[labels]
    layer = SoftmaxWithLoss()
    result = check_layer(layer, x, t)
    assert [c.name for c in result.checks] == ["x"]
    assert result.max_rel_error < TOL
    # the backward is (y - t) / N
    y = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(result["x"].backprop, (y - np.eye(5)[labels]) / 6, atol=1e-12)


def test_squared_error_loss_gradient_and_delta_rule(rng):
    y_in = rng.standard_normal((4, 2))
    t = rng.random((4, 2))
    result = check_layer(SquaredErrorLoss(), y_in, t)
    assert [c.name for c in result.checks] == ["x"]
    assert result.max_rel_error < TOL
    # after a sigmoid: delta = (y_o - y_t) y_o (1 - y_o) / N (seed 004, batched)
    sig, loss = Sigmoid(), SquaredErrorLoss()
    yo = sig.forward(y_in)
    loss.forward(yo, t)
    delta = sig.backward(loss.backward(1.0))
    np.testing.assert_allclose(delta, (yo - t) * yo * (1 - yo) / 4)


def test_affine_seed_shapes_single_and_batch(rng):
    W = np.arange(6.0).reshape(2, 3)
    b = np.array([1.0, 2.0, 3.0])
    layer = Affine(W, b)
    x = np.array([[1.0, 2.0]])  # (2,) as a batch of one
    assert layer.forward(x).tolist() == [[7.0, 11.0, 15.0]]
    xb = rng.standard_normal((7, 2))
    out = layer.forward(xb)
    assert out.shape == (7, 3)
    dx = layer.backward(np.ones((7, 3)))
    assert dx.shape == (7, 2)
    assert layer.grads[0].shape == (2, 3) and layer.grads[1].tolist() == [7.0, 7.0, 7.0]


@pytest.mark.parametrize("make", [affine, lambda rng: ReLU(), lambda rng: Sigmoid(),
                                  lambda rng: Tanh(), lambda rng: Dropout(0.5, seed=0), batchnorm],
                         ids=["Affine", "ReLU", "Sigmoid", "Tanh", "Dropout", "BatchNorm"])
def test_backward_never_mutates_dout(make, rng):
    layer = make(rng)
    out = layer.forward(rng.standard_normal((5, 4)))
    dout = rng.standard_normal(out.shape)
    before = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(dout, before)


def test_relu_mask_and_output():
    layer = ReLU()
    out = layer.forward(np.array([[1.0, -0.5], [-2.0, 3.0]]))
    assert out.tolist() == [[1.0, 0.0], [0.0, 3.0]]
    assert layer.backward(np.ones((2, 2))).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_dropout_train_and_inference():
    layer = Dropout(0.25, seed=3)
    x = np.ones((200, 50))
    out = layer.forward(x, train_flg=True)
    kept = out.mean()
    assert 0.7 < kept < 0.8
    np.testing.assert_allclose(layer.forward(x, train_flg=False), 0.75)
    a = Dropout(0.5, seed=9).forward(x)
    b = Dropout(0.5, seed=9).forward(x)
    np.testing.assert_array_equal(a, b)


def test_batchnorm_normalizes_and_tracks_running_stats(rng):
    layer = BatchNormalization(np.ones(3), np.zeros(3), momentum=0.0)
    x = rng.standard_normal((64, 3)) * 5 + 2
    out = layer.forward(x, train_flg=True)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-5)
    np.testing.assert_allclose(layer.running_mean, x.mean(axis=0))
    inf = layer.forward(x, train_flg=False)
    np.testing.assert_allclose(inf, out, atol=1e-5)


def test_batchnorm_running_statistics_with_momentum_by_hand():
    """Three small batches with momentum 0.5, worked by hand. The running values start at 0 and
    move halfway to each batch's mean and (population) variance:

        batch            mean     var      running mean            running var
        [[1,2],[3,6]]    [2, 4]   [1, 4]   [1, 2]                  [0.5, 2]
        [[0,0],[4,2]]    [2, 1]   [4, 1]   [1.5, 1.5]              [2.25, 1.5]
        [[2,1],[2,3]]    [2, 2]   [0, 1]   [1.75, 1.75]            [1.125, 1.25]
    """
    gamma, beta = np.array([2.0, 1.0]), np.array([1.0, -1.0])
    layer = BatchNormalization(gamma, beta, momentum=0.5)
    batches = [[[1.0, 2.0], [3.0, 6.0]], [[0.0, 0.0], [4.0, 2.0]], [[2.0, 1.0], [2.0, 3.0]]]
    running = [([1.0, 2.0], [0.5, 2.0]), ([1.5, 1.5], [2.25, 1.5]), ([1.75, 1.75], [1.125, 1.25])]
    for batch, (mean, var) in zip(batches, running, strict=True):
        out = layer.forward(np.array(batch), train_flg=True)
        np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-12)
        np.testing.assert_allclose(layer.running_var, var, rtol=1e-12)
    # training normalizes with the last batch's own statistics: column 0 has variance 0, so
    # x̂ = 0 and out = β = 1; column 1 is 2 ∓ 1, so x̂ = ∓1 and out = 1·(∓1) − 1
    np.testing.assert_allclose(out, [[1.0, -2.0], [1.0, 0.0]], atol=1e-6)
    # inference uses the running values: out = γ·(x − 1.75) / √(running var + ε) + β
    inference = layer.forward(np.array([[2.75, 0.5]]), train_flg=False)
    expected = [2.0 * 1.0 / math.sqrt(1.125) + 1.0, 1.0 * (-1.25) / math.sqrt(1.25) - 1.0]
    np.testing.assert_allclose(inference, [expected], rtol=1e-6)
    assert expected == pytest.approx([2.885618, -2.118034], abs=1e-6)


def test_batchnorm_running_statistics_over_many_batches_match_a_plain_loop(rng):
    """The default momentum 0.9 over five batches of shifted, scaled data, against the formula
    running ← 0.9·running + 0.1·(batch mean or variance) written as a plain numpy loop, then
    inference against γ·(x − mean) / √(var + ε) + β."""
    gamma, beta = rng.uniform(0.5, 2.0, 3), rng.standard_normal(3)
    layer = BatchNormalization(gamma.copy(), beta.copy())
    mean, var = np.zeros(3), np.zeros(3)
    for _ in range(5):
        x = rng.standard_normal((16, 3)) * [1.0, 3.0, 0.5] + [0.0, -2.0, 5.0]
        layer.forward(x, train_flg=True)
        mean = 0.9 * mean + 0.1 * x.mean(axis=0)
        var = 0.9 * var + 0.1 * x.var(axis=0)  # population variance (ddof = 0), as the book
    np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, var, rtol=1e-12)
    x = rng.standard_normal((4, 3))
    np.testing.assert_allclose(layer.forward(x, train_flg=False),
                               gamma * (x - mean) / np.sqrt(var + 1e-7) + beta, rtol=1e-12)
    # five batches of momentum 0.9 leave the running mean at 1 − 0.9⁵ ≈ 41% of the data's:
    # far from the batch values, so a layer that ignored momentum would not pass above
    assert np.abs(layer.running_mean[2] - 5.0 * (1 - 0.9**5)) < 0.5


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 8), d=st.integers(1, 6), h=st.integers(1, 6))
def test_affine_shapes(n, d, h):
    layer = Affine(np.ones((d, h)), np.zeros(h))
    out = layer.forward(np.ones((n, d)))
    assert out.shape == (n, h)
    assert layer.backward(np.ones((n, h))).shape == (n, d)
    assert [g.shape for g in layer.grads] == [(d, h), (h,)]


def test_float32_stays_float32(rng):
    W = rng.standard_normal((4, 3)).astype(np.float32)
    layers = [Affine(W, np.zeros(3, np.float32)), ReLU(), Sigmoid(), Tanh()]
    x = rng.standard_normal((2, 4)).astype(np.float32)
    for layer in layers:
        x = layer.forward(x)
        assert x.dtype == np.float32, type(layer).__name__
    loss = SoftmaxWithLoss()
    loss.forward(x, np.array([0, 1]))
    assert loss.backward(1).dtype == np.float32


def net(**kwargs):
    return MultiLayerNet(2, [3], 2, **kwargs)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # the layers stay as lean as the book's: a network checks what reaches them
        (lambda: net().predict(np.ones((4, 5))), r"x must have shape \(N, 2\), got \(4, 5\)"),
        (lambda: net().loss(np.ones((4, 3)), np.zeros(4, int)), r"x must have shape \(N, 2\)"),
        (lambda: net(use_dropout=True, dropout_ratio=1.0), r"dropout_ratio must be in \[0, 1\)"),
        (lambda: net(use_dropout=True, dropout_ratio=-0.1), r"\[0, 1\), got -0.1"),
        (lambda: net(use_batchnorm=True).gradient(np.ones((3, 2)), np.zeros(2, int)),
         r"one target per sample \(3\)"),
        (lambda: net(output="identity").loss(np.ones((2, 2)), np.ones((2, 3))),
         r"t must have the outputs' shape \(2, 2\), got shape \(2, 3\)"),
        # the loss layer's targets are checked where they are read (functions.labels_from)
        (lambda: SoftmaxWithLoss().forward(np.ones((2, 3)), np.array([0, 3])), "0..2"),
        (lambda: SoftmaxWithLoss().forward(np.ones(3), np.array([0])), r"\(N, C\)"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
