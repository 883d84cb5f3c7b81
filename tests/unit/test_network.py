"""MultiLayerNet: the book's interface, backprop against numerical gradients, bad input."""

import numpy as np
import pytest

from engine.gradcheck import relative_error
from engine.network import MultiLayerNet, init_scale


def small_batch(rng, n=4, d=5, c=3):
    return rng.standard_normal((n, d)), rng.integers(0, c, n)


def plain_forward(net, x):
    """The scores of a ReLU network, from its weights, in plain float64 numpy."""
    h = np.asarray(x, dtype=np.float64)
    n_layers = len(net.hidden_size_list) + 1
    for i in range(1, n_layers + 1):
        h = h @ net.params[f"W{i}"].astype(np.float64) + net.params[f"b{i}"]
        if i < n_layers:
            h = np.maximum(h, 0.0)
    return h


def plain_cross_entropy(scores, t):
    """−(1/N) Σ_n log softmax(scores_n)[t_n], with log softmax = s − log Σ exp(s)."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_softmax[np.arange(len(t)), t].mean()


CONFIGS = {
    "relu-he": dict(activation="relu", weight_init_std="he"),
    "sigmoid-xavier": dict(activation="sigmoid", weight_init_std="xavier"),
    "tanh-0.5": dict(activation="tanh", weight_init_std=0.5),
    "weight-decay": dict(activation="relu", weight_decay_lambda=0.1),
    "batchnorm": dict(activation="relu", use_batchnorm=True),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_backprop_equals_numerical_gradient(name, rng):
    net = MultiLayerNet(5, [6, 4], 3, dtype=np.float64, seed=1, **CONFIGS[name])
    x, t = small_batch(rng)
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
def test_squared_error_outputs_backprop(output, rng):
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
    np.testing.assert_allclose(scores, plain_forward(net, x), rtol=1e-4, atol=1e-5)
    loss = float(net.loss(x, np.array([1, 2, 3])))
    assert loss == pytest.approx(plain_cross_entropy(plain_forward(net, x), np.array([1, 2, 3])),
                                 rel=1e-5)
    t = np.array([1, 2, 3])
    assert net.accuracy(x, t) == np.mean(plain_forward(net, x).argmax(axis=1) == t)
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


def test_the_loss_of_known_scores_by_hand():
    """One hidden layer whose weights are set by hand, so the scores and the loss can be
    followed on paper: x = [1, 2], W1 = I, b1 = [0, −3] gives h = relu([1, −1]) = [1, 0];
    W2 = [[ln 3, 0], [5, 5]], b2 = 0 gives scores [ln 3, 0], softmax [3/4, 1/4], and the loss
    for label 0 is −ln(3/4), for label 1 −ln(1/4)."""
    net = MultiLayerNet(2, [2], 2, dtype=np.float64, seed=0)
    net.params["W1"][...] = np.eye(2)
    net.params["b1"][...] = [0.0, -3.0]
    net.params["W2"][...] = [[np.log(3.0), 0.0], [5.0, 5.0]]
    net.params["b2"][...] = 0.0
    x = np.array([[1.0, 2.0], [1.0, 2.0]])
    np.testing.assert_allclose(net.predict(x), [[np.log(3.0), 0.0]] * 2, rtol=1e-15)
    assert float(net.loss(x[:1], np.array([0]))) == pytest.approx(-np.log(0.75), rel=1e-14)
    assert float(net.loss(x[:1], np.array([1]))) == pytest.approx(np.log(4.0), rel=1e-14)
    # a batch averages: (−ln ¾ + ln 4) / 2 = ln(4 / ¾) / 2 = ln(16/3) / 2
    assert float(net.loss(x, np.array([0, 1]))) == pytest.approx(np.log(16 / 3) / 2, rel=1e-14)


def test_accuracy_with_one_hot_and_labels(rng):
    net = MultiLayerNet(2, [4], 3, seed=0)
    x = rng.standard_normal((20, 2))
    pred = net.predict(x).argmax(axis=1)
    assert net.accuracy(x, pred) == 1.0
    assert net.accuracy(x, np.eye(3)[pred]) == 1.0
    assert net.accuracy(x, (pred + 1) % 3) == 0.0


def test_forward_trace_and_grad_stats():
    net = MultiLayerNet(4, [3], 2, seed=0)
    x, t = np.ones((2, 4)), np.array([0, 1])
    trace = net.forward_trace(x)
    assert [name for name, _ in trace] == ["input", "Affine1", "Activation1", "Affine2"]
    assert trace[-1][1].shape == (2, 2)
    net.gradient(x, t)
    stats = net.grad_stats()
    assert list(stats) == ["W1", "W2"]
    # the mean |dW| of each layer, from backprop written out in plain numpy:
    # dscores = (softmax − one-hot) / N, dW2 = hᵀ·dscores, dh = dscores·W2ᵀ ⊙ [a > 0], dW1 = xᵀ·dh
    W1, b1, W2, b2 = (net.params[k].astype(np.float64) for k in ("W1", "b1", "W2", "b2"))
    a = x @ W1 + b1
    h = np.maximum(a, 0.0)
    scores = h @ W2 + b2
    y = np.exp(scores - scores.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    dscores = (y - np.eye(2)[t]) / 2
    dW2 = h.T @ dscores
    dW1 = x.T @ ((dscores @ W2.T) * (a > 0))
    assert stats["W2"] == pytest.approx(np.abs(dW2).mean(), rel=1e-5)
    assert stats["W1"] == pytest.approx(np.abs(dW1).mean(), rel=1e-5)
    assert stats["W1"] > 0 and stats["W2"] > 0


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


# --- the linear activation, L1 weight decay, the inference-mode gradient ---------------------

REG_CONFIGS = {
    "identity": dict(activation="identity", weight_init_std="xavier"),
    "l1": dict(activation="tanh", weight_decay_l1=0.07),
    "l1+l2": dict(activation="sigmoid", weight_decay_l1=0.05, weight_decay_lambda=0.2),
    "identity-l1": dict(activation="identity", weight_decay_l1=0.1, output="identity"),
}


@pytest.mark.parametrize("name", list(REG_CONFIGS))
def test_identity_and_l1_backprop_equals_numerical_gradient(name, rng):
    kwargs = REG_CONFIGS[name]
    net = MultiLayerNet(3, [5, 4], 2, dtype=np.float64, seed=3, **kwargs)
    x = rng.standard_normal((6, 3))
    t = rng.random((6, 2)) if kwargs.get("output") == "identity" else rng.integers(0, 2, 6)
    assert all(np.abs(net.params[k]).min() > 1e-3 for k in net.weight_keys())  # |W| smooth here
    numerical = net.numerical_gradient(x, t, h=1e-6)
    backprop = net.gradient(x, t)
    for key in net.params:
        err = relative_error(backprop[key], numerical[key])
        assert err < 1e-6, f"{name}: d loss / d {key} relative error {err:.2e}"


def test_identity_network_is_the_product_of_its_matrices(rng):
    net = MultiLayerNet(3, [4, 2], 2, activation="identity", dtype=np.float64, seed=0)
    assert type(net.layers["Activation1"]).__name__ == "Identity"
    x = rng.standard_normal((5, 3))
    p = {k: np.asarray(v) for k, v in net.params.items()}
    expected = ((x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]) @ p["W3"] + p["b3"]
    np.testing.assert_allclose(net.predict(x), expected, rtol=1e-12)


def test_identity_stays_out_of_the_lessons_lists():
    from engine.layers import ACTIVATIONS, IDENTITY, NETWORK_ACTIVATIONS

    assert "identity" not in ACTIVATIONS and "identity" not in NETWORK_ACTIVATIONS
    xs = np.linspace(-2, 2, 5)
    np.testing.assert_array_equal(IDENTITY.f(xs), xs)
    np.testing.assert_array_equal(IDENTITY.grad(xs), np.ones(5))


def test_reg_loss_is_the_l1_and_l2_terms(rng):
    net = MultiLayerNet(3, [4], 2, dtype=np.float64, seed=1, weight_decay_lambda=0.3,
                        weight_decay_l1=0.2)
    Ws = [net.params[k] for k in net.weight_keys()]
    expected = sum(0.5 * 0.3 * (W * W).sum() + 0.2 * np.abs(W).sum() for W in Ws)
    assert float(net.reg_loss()) == pytest.approx(expected, rel=1e-14)
    x, t = rng.standard_normal((4, 3)), np.array([0, 1, 1, 0])
    plain = MultiLayerNet(3, [4], 2, dtype=np.float64, seed=1)
    assert float(net.loss(x, t)) == pytest.approx(float(plain.loss(x, t)) + expected, rel=1e-13)
    assert float(plain.reg_loss()) == 0.0


def test_l1_gradient_adds_lambda_times_sign(rng):
    x, t = rng.standard_normal((4, 3)), np.array([0, 1, 1, 0])
    plain = MultiLayerNet(3, [4], 2, dtype=np.float64, seed=1)
    l1 = MultiLayerNet(3, [4], 2, dtype=np.float64, seed=1, weight_decay_l1=0.25)
    g0 = {k: v.copy() for k, v in plain.gradient(x, t).items()}
    g1 = l1.gradient(x, t)
    for key in plain.params:
        extra = 0.25 * np.sign(plain.params[key]) if key.startswith("W") else 0.0
        np.testing.assert_allclose(g1[key], g0[key] + extra, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("value", [-0.1, float("nan"), float("inf")])
def test_bad_l1_rate_raises_value_error(value):
    with pytest.raises(ValueError, match="weight_decay_l1 must be >= 0"):
        MultiLayerNet(4, [3], 2, weight_decay_l1=value)


def test_inference_backprop_with_dropout_equals_numerical_gradient(rng):
    """backprop(train_flg=False): the gradient of the inference loss, where dropout scales."""
    from engine.functions import numerical_gradient

    net = MultiLayerNet(3, [5], 2, activation="tanh", use_dropout=True, dropout_ratio=0.3,
                        weight_decay_l1=0.01, dtype=np.float64, seed=2)
    x, t = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    rng_before = net.layers["Dropout1"].rng
    _, grads = net.backprop(x, t, train_flg=False)
    grads = {k: v.copy() for k, v in grads.items()}
    assert net.layers["Dropout1"].rng is rng_before  # no mask was drawn
    for key, p in net.params.items():
        numerical = numerical_gradient(lambda: float(net.loss(x, t)), p, 1e-6)
        assert relative_error(grads[key], numerical) < 1e-6, key
