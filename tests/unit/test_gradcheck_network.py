"""engine.gradcheck.check_network: a whole network's backprop against central differences."""

import numpy as np
import pytest

from engine.datasets import load_mnist, to_float_batch
from engine.gradcheck import check_network, relative_error
from engine.network import MultiLayerNet


def batch(n=3, d=20, c=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, d)), rng.integers(0, c, n)


def test_backprop_agrees_with_central_differences_for_every_parameter():
    net = MultiLayerNet(20, [6], 4, dtype=np.float64, seed=0)
    x, t = batch()
    result = check_network(net, x, t)
    assert [c.name for c in result.checks] == ["W1", "b1", "W2", "b2"]
    assert result.max_rel_error < 1e-6
    for check in result.checks:
        assert check.backprop.shape == check.numerical.shape == net.params[check.name].shape
        assert np.abs(check.backprop).max() > 1e-3  # a real gradient, not zeros on both sides
        # the stored error is max |a − b| / max(|a| + |b|), written out here in plain numpy
        a, b = check.backprop, check.numerical
        expected = np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-8)
        assert check.rel_error == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([1.0, 2.0], [1.0, 2.5], 0.5 / 4.5),  # the largest difference over the largest |a| + |b|
        ([3.0, -1.0], [3.0, -1.0], 0.0),
        ([1.0, 0.0], [-1.0, 0.0], 1.0),  # opposite signs: the largest possible error
        ([0.0, 0.0], [0.0, 0.0], 0.0),  # both zero: no 0/0
        ([1e-17], [1e-12], (1e-12 - 1e-17) / 1e-8),  # both tiny: the floor 1e-8 is the scale
    ],
)
def test_relative_error_by_hand(a, b, expected):
    assert relative_error(np.array(a), np.array(b)) == pytest.approx(expected, rel=1e-12, abs=0)


def test_timings_are_positive_and_kept_with_the_result():
    net = MultiLayerNet(20, [6], 4, dtype=np.float64, seed=0)
    x, t = batch()
    result = check_network(net, x, t, repeats=3)
    assert result.backprop_seconds > 0 and result.numerical_seconds > 0
    assert result["W1"].name == "W1"


def test_a_wrong_backprop_is_caught():
    net = MultiLayerNet(20, [6, 5], 4, activation="sigmoid", dtype=np.float64, seed=2)
    x, t = batch(seed=1)
    assert check_network(net, x, t).max_rel_error < 1e-6
    net.layers["Activation2"].backward = lambda dout: dout  # forget sigmoid's derivative
    result = check_network(net, x, t)
    assert result["W2"].rel_error > 0.1 and result["W3"].rel_error < 1e-6


def test_the_backprop_arrays_are_copies_not_the_networks_buffers():
    net = MultiLayerNet(20, [6], 4, dtype=np.float64, seed=0)
    x, t = batch()
    result = check_network(net, x, t)
    before = result["W1"].backprop.copy()
    net.gradient(*batch(seed=5))
    np.testing.assert_array_equal(result["W1"].backprop, before)


def test_a_float32_network_raises():
    net = MultiLayerNet(20, [6], 4, seed=0)
    with pytest.raises(ValueError, match=r"dtype=np\.float64"):
        check_network(net, *batch())


def test_bad_repeats_and_h_raise():
    net = MultiLayerNet(20, [6], 4, dtype=np.float64, seed=0)
    with pytest.raises(ValueError, match="repeats"):
        check_network(net, *batch(), repeats=0)
    with pytest.raises(ValueError, match="h must be > 0"):
        check_network(net, *batch(), h=0.0)


def test_a_784_10_10_network_on_real_mnist_digits():
    (x_train, t_train), _ = load_mnist(keep_uint8=True)
    net = MultiLayerNet(784, [10], 10, dtype=np.float64, seed=0)
    result = check_network(net, to_float_batch(x_train[:3], np.float64), t_train[:3], repeats=3)
    assert result.max_rel_error < 1e-6
    assert result["W1"].numerical.shape == (784, 10) and net.n_params() == 7960
