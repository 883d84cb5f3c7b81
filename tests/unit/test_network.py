"""MultiLayerNet: the book's interface, backprop against numerical gradients, bad input."""

import numpy as np
import pytest

from engine.functions import softmax_cross_entropy
from engine.gradcheck import relative_error
from engine.network import MultiLayerNet, init_scale

rng = np.random.default_rng(7)


def small_batch(n=4, d=5, c=3):
    return rng.standard_normal((n, d)), rng.integers(0, c, n)


CONFIGS = {
    "relu-he": dict(activation="relu", weight_init_std="he"),
    "sigmoid-xavier": dict(activation="sigmoid", weight_init_std="xavier"),
    "tanh-0.5": dict(activation="tanh", weight_init_std=0.5),
    "weight-decay": dict(activation="relu", weight_decay_lambda=0.1),
    "batchnorm": dict(activation="relu", use_batchnorm=True),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_backprop_equals_numerical_gradient(name):
    net = MultiLayerNet(5, [6, 4], 3, dtype=np.float64, seed=1, **CONFIGS[name])
    x, t = small_batch()
    numerical = net.numerical_gradient(x, t, h=1e-5)
    backprop = {k: v.copy() for k, v in net.gradient(x, t).items()}
    assert set(backprop) == set(net.params) == set(numerical)
    for key in net.params:
        if name == "batchnorm" and key in ("b1", "b2"):
            # a bias just before batch norm is cancelled by its mean: the true gradient is 0,
            # and central differences give rounding noise (~1e-11) around it
            assert np.abs(backprop[key]).max() < 1e-9 and np.abs(numerical[key]).max() < 1e-8
            continue
        err = relative_error(backprop[key], numerical[key])
        assert err < 1e-6, f"{name}: d loss / d {key} relative error {err:.2e}"


@pytest.mark.parametrize("output", ["sigmoid", "identity"])
def test_squared_error_outputs_backprop(output):
    net = MultiLayerNet(2, [3], 2, activation="sigmoid", output=output, dtype=np.float64, seed=2)
    x = rng.standard_normal((4, 2))
    t = rng.random((4, 2))
    numerical = net.numerical_gradient(x, t, h=1e-5)
    backprop = net.gradient(x, t)
    for key in net.params:
        assert relative_error(backprop[key], numerical[key]) < 1e-6, key


def test_book_interface_and_keys():
    net = MultiLayerNet(784, [100, 50], 10)
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert list(net.layers) == ["Affine1", "Activation1", "Affine2", "Activation2", "Affine3"]
    assert net.params["W1"].shape == (784, 100) and net.params["b3"].shape == (10,)
    assert net.params["W1"].dtype == np.float32
    x = np.random.default_rng(0).random((3, 784)).astype(np.float32)
    scores = net.predict(x)
    assert scores.shape == (3, 10)
    loss = float(net.loss(x, np.array([1, 2, 3])))
    assert loss == pytest.approx(float(softmax_cross_entropy(scores, np.array([1, 2, 3]))),
                                 rel=1e-5)
    assert 0.0 <= net.accuracy(x, np.array([1, 2, 3])) <= 1.0
    assert net.n_params() == 784 * 100 + 100 + 100 * 50 + 50 + 50 * 10 + 10
    assert "784-100-50-10" in repr(net)


def test_he_and_xavier_scales():
    assert init_scale("he", 50) == pytest.approx(np.sqrt(2 / 50))
    assert init_scale("relu", 50) == init_scale("he", 50)
    assert init_scale("xavier", 50) == pytest.approx(np.sqrt(1 / 50))
    assert init_scale(0.01, 50) == 0.01
    net = MultiLayerNet(1000, [1000], 10, weight_init_std="he", seed=0)
    assert float(net.params["W1"].std()) == pytest.approx(np.sqrt(2 / 1000), rel=0.02)


def test_same_seed_same_weights():
    a = MultiLayerNet(4, [3], 2, seed=5)
    b = MultiLayerNet(4, [3], 2, seed=5)
    c = MultiLayerNet(4, [3], 2, seed=6)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    assert not np.array_equal(a.params["W1"], c.params["W1"])


def test_params_are_the_layers_arrays():
    """An optimizer that updates net.params in place updates what the layers compute with."""
    net = MultiLayerNet(3, [2], 2, seed=0)
    assert net.layers["Affine1"].params[0] is net.params["W1"]
    grads = net.gradient(np.ones((1, 3)), np.array([1]))
    assert grads["W1"] is net.layers["Affine1"].grads[0]


def test_accuracy_with_one_hot_and_labels():
    net = MultiLayerNet(2, [4], 3, seed=0)
    x = rng.standard_normal((20, 2))
    pred = net.predict(x).argmax(axis=1)
    assert net.accuracy(x, pred) == 1.0
    assert net.accuracy(x, np.eye(3)[pred]) == 1.0
    assert net.accuracy(x, (pred + 1) % 3) == 0.0


def test_forward_trace_and_grad_stats():
    net = MultiLayerNet(4, [3], 2, seed=0)
    trace = net.forward_trace(np.ones((2, 4)))
    assert [name for name, _ in trace] == ["input", "Affine1", "Activation1", "Affine2"]
    assert trace[-1][1].shape == (2, 2)
    net.gradient(np.ones((2, 4)), np.array([0, 1]))
    stats = net.grad_stats()
    assert list(stats) == ["W1", "W2"]
    assert stats["W2"] == pytest.approx(float(np.abs(net.layers["Affine2"].grads[0]).mean()))


def test_dropout_network_trains_and_predicts_deterministically():
    net = MultiLayerNet(4, [8], 2, use_dropout=True, dropout_ratio=0.5, seed=0)
    x = np.ones((3, 4))
    np.testing.assert_array_equal(net.predict(x), net.predict(x))  # inference: no masks
    assert "Dropout1" in net.layers
    with pytest.raises(ValueError, match="turn dropout off"):
        net.numerical_gradient(x, np.array([0, 1, 0]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(input_size=0), "input_size must be a positive integer"),
        (dict(input_size=2.5), "input_size must be a positive integer"),
        (dict(hidden_size_list=[10, -5]), "every hidden size must be a positive integer"),
        (dict(output_size=0), "output_size must be a positive integer"),
        (dict(activation="swish"), "unknown activation 'swish'.*relu, sigmoid, tanh"),
        (dict(weight_init_std="lecun"), "unknown weight_init_std 'lecun'"),
        (dict(weight_init_std=-1.0), "positive number"),
        (dict(weight_init_std=float("nan")), "positive number"),
        (dict(weight_decay_lambda=-1.0), "weight_decay_lambda must be >= 0"),
        (dict(output="softplus"), "unknown output"),
        (dict(dtype=np.int32), "float32 or float64"),
        (dict(backend="tpu"), "unknown backend 'tpu'"),
        (dict(use_dropout=True, dropout_ratio=1.5), r"dropout_ratio must be in \[0, 1\)"),
    ],
)
def test_bad_construction_raises_value_error(kwargs, message):
    args = dict(input_size=4, hidden_size_list=[3], output_size=2) | kwargs
    with pytest.raises(ValueError, match=message):
        MultiLayerNet(**args)


@pytest.mark.parametrize(
    ("x", "t", "message"),
    [
        (np.ones((2, 5)), np.array([0, 1]), r"x must have shape \(N, 4\)"),
        (np.array([[1.0, np.nan, 0, 0]]), np.array([0]), "NaN"),
        (np.ones((2, 4)), np.array([0, 1, 1]), "one target per sample"),
        (np.ones((2, 4)), np.array([0, 7]), "0..1"),
    ],
)
def test_bad_data_raises_value_error(x, t, message):
    net = MultiLayerNet(4, [3], 2)
    with pytest.raises(ValueError, match=message):
        net.gradient(x, t)
