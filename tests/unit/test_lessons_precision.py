"""Seed 003's bit precision: the same network, forward pass and SGD step in float64, float32
and float16. The numbers the section shows, checked without Streamlit (times never are)."""

import math

import numpy as np
import pytest

from engine import SGD, MultiLayerNet
from engine.datasets import load_mnist, spiral
from lessons import precision as lp


@pytest.fixture(scope="module")
def mnist():
    (x, t), _ = load_mnist(keep_uint8=True)
    return x, t


@pytest.fixture(scope="module")
def spiral_points():
    return spiral(one_hot_label=False, dtype=np.float64)


@pytest.fixture(scope="module")
def mnist_result(mnist):
    return lp.compare(lp.PrecisionConfig(net="mnist", batch_size=100, repeats=1), *mnist)


@pytest.fixture(scope="module")
def spiral_result(spiral_points):
    return lp.compare(lp.PrecisionConfig(net="spiral", batch_size=100, repeats=1),
                      *spiral_points)


@pytest.fixture(params=["mnist", "spiral"])
def result(request, mnist_result, spiral_result):
    return mnist_result if request.param == "mnist" else spiral_result


DIFFS = ("scores_diff", "prob_diff", "loss_diff", "weight_diff", "step_rel_error")


@pytest.mark.parametrize("name", DIFFS)
def test_float16_is_further_from_float64_than_float32_which_is_not_exact(result, name):
    d64, d32, d16 = (getattr(result.rows[dt], name) for dt in lp.DTYPES)
    assert d64 == 0
    assert 0 < d32 < d16, (name, d32, d16)


def test_the_sizes_of_the_differences(mnist_result):
    """float32 keeps ~7 digits, float16 ~3: the loss (about 2.3) differs accordingly."""
    r32, r16 = mnist_result.rows["float32"], mnist_result.rows["float16"]
    assert r32.loss_diff < 1e-5 < r16.loss_diff < 1e-2
    assert r32.step_rel_error < 1e-4 < r16.step_rel_error < 0.2
    assert all(r.finite for r in mnist_result.rows.values())


def test_float16_loses_updates_that_float64_makes(mnist_result):
    rows = mnist_result.rows
    assert rows["float64"].lost_updates == 0
    assert rows["float32"].lost_updates < 0.001
    assert rows["float16"].lost_updates > 0.01  # lr·g below half a float16 gap: no change


def test_bytes_halve_with_the_bits(result):
    r64, r32, r16 = (result.rows[dt] for dt in lp.DTYPES)
    assert (r64.bits, r32.bits, r16.bits) == (64, 32, 16)
    for name in ("param_bytes", "activation_bytes", "input_bytes"):
        b64, b32, b16 = (getattr(r, name) for r in (r64, r32, r16))
        assert b64 == 2 * b32 == 4 * b16 > 0, name


def test_sizes_and_shapes(mnist_result, spiral_result):
    assert mnist_result.n_params == 784 * 50 + 50 + 50 * 10 + 10
    assert mnist_result.rows["float64"].param_bytes == 8 * mnist_result.n_params
    assert mnist_result.scores64.shape == (100, 10)
    assert spiral_result.n_params == 2 * 10 + 10 + 10 * 3 + 3
    assert spiral_result.scores64.shape == (100, 3)
    # the activations: the outputs of Affine1, ReLU and Affine2, per sample
    assert mnist_result.rows["float64"].activation_bytes == 8 * 100 * (50 + 50 + 10)


def test_the_float64_and_float32_nets_are_multilayernets(mnist):
    """The layers the lesson stacks compute exactly what the engine's network computes."""
    cfg = lp.PrecisionConfig(batch_size=10)
    x, t = lp.mini_batch(*mnist, cfg.batch_size, cfg.seed)
    start = lp.draw_params(cfg.sizes, cfg.seed)
    for dtype in (np.float64, np.float32):
        net = MultiLayerNet(784, [50], 10, seed=cfg.seed, dtype=dtype)
        ours = lp.LayerNet(start, dtype)
        for key, p in net.params.items():
            np.testing.assert_array_equal(ours.params[key], p)
        xd = x.astype(dtype)
        assert float(ours.loss(xd, t)) == float(net.loss(xd, t))
        theirs = {k: g.copy() for k, g in net.gradient(xd, t).items()}
        for key, g in ours.gradient(xd, t).items():
            np.testing.assert_array_equal(g, theirs[key])


def test_the_step_is_sgd_theta_minus_lr_g_in_float64(mnist):
    cfg = lp.PrecisionConfig(batch_size=20, lr=0.1)
    x, t = lp.mini_batch(*mnist, cfg.batch_size, cfg.seed)
    start = lp.draw_params(cfg.sizes, cfg.seed)
    net = lp.LayerNet(start, np.float64)
    grads = {k: g.copy() for k, g in net.gradient(x, t).items()}
    SGD(lr=cfg.lr).update(net.params, net.grads)
    for key, p in net.params.items():
        np.testing.assert_allclose(p, start[key] - cfg.lr * grads[key], rtol=0, atol=1e-15)
    # and the same step on the engine's network lands on the same weights
    engine_net = MultiLayerNet(784, [50], 10, seed=cfg.seed, dtype=np.float64)
    SGD(lr=cfg.lr).update(engine_net.params, engine_net.gradient(x, t))
    for key, p in net.params.items():
        np.testing.assert_array_equal(p, engine_net.params[key])


def test_compare_uses_the_engines_loss_on_the_same_batch(mnist, mnist_result):
    cfg = mnist_result.config
    x, t = lp.mini_batch(*mnist, cfg.batch_size, cfg.seed)
    net = MultiLayerNet(784, [50], 10, seed=cfg.seed, dtype=np.float64)
    assert mnist_result.rows["float64"].loss == float(net.loss(x, t))
    np.testing.assert_array_equal(mnist_result.scores64, net.predict(x))


def test_float16_params_are_float64_rounded_once():
    start = lp.draw_params((4, 3, 2), seed=1)
    for dt in lp.DTYPES:
        net = lp.LayerNet(start, dt)
        for key, p in net.params.items():
            assert p.dtype == np.dtype(dt)
            np.testing.assert_array_equal(p, start[key].astype(dt))


def test_mini_batch_pixels_and_labels(mnist):
    x, t = lp.mini_batch(*mnist, 7, seed=3)
    assert x.shape == (7, 784) and x.dtype == np.float64
    assert x.min() >= 0 and x.max() <= 1
    assert t.shape == (7,) and t.dtype == np.int64
    one_hot = np.eye(10)[mnist[1][:50]]
    _, t2 = lp.mini_batch(mnist[0][:50], one_hot, 5, seed=0)
    _, t3 = lp.mini_batch(mnist[0][:50], mnist[1][:50], 5, seed=0)
    np.testing.assert_array_equal(t2, t3)


def test_float_facts_come_from_finfo():
    facts = lp.float_facts()
    f16, f32, f64 = facts["float16"], facts["float32"], facts["float64"]
    assert f16.max == 65504 == float(np.finfo(np.float16).max)
    assert f16.eps == 2.0 ** -10 and f32.eps == 2.0 ** -23 and f64.eps == 2.0 ** -52
    assert (f16.mantissa_bits, f32.mantissa_bits, f64.mantissa_bits) == (10, 23, 52)
    assert f16.exp_limit == pytest.approx(math.log(65504))
    assert 11 < f16.exp_limit < 12  # so exp(12) overflows in float16
    assert math.isinf(f16.exp12)
    assert f32.exp12 == pytest.approx(math.exp(12), rel=1e-6)
    assert f64.exp12 == pytest.approx(math.exp(12))
    assert f16.one_plus_small == 1.0  # 1 + 1e-4 is lost in float16
    assert f32.one_plus_small > 1.0 and f64.one_plus_small > 1.0


def test_softmax_of_large_scores_overflows_in_float16_only_as_written(mnist_result):
    scores = mnist_result.scores64[lp.widest_sample(mnist_result.scores64)]
    big = lp.softmax_overflow(scores, 12.0)
    assert big.scores.max() == pytest.approx(12.0)
    assert big.n_inf >= 1 and big.naive_has_nan
    assert np.isinf(big.exp16).sum() == big.n_inf
    assert np.isfinite(big.shifted16).all() and big.shifted16.sum() == pytest.approx(1, abs=1e-2)
    assert 0 < big.shifted_error < 1e-2
    small = lp.softmax_overflow(scores, 5.0)
    assert small.n_inf == 0 and not small.naive_has_nan
    np.testing.assert_allclose(small.naive16, small.ref64, atol=2e-3)


def test_softmax_overflow_starts_just_above_ln_65504():
    limit = lp.float_facts()["float16"].exp_limit
    scores = np.array([1.0, 0.5, -1.0])
    assert lp.softmax_overflow(scores, 11.0).n_inf == 0
    assert lp.softmax_overflow(scores, 11.2).n_inf == 1
    assert 11.0 < limit < 11.2


def test_widest_sample_skips_an_all_zero_row():
    scores = np.array([[0.0, 0.0], [0.5, -3.0], [1.0, 2.0]])
    assert lp.widest_sample(scores) == 1


@pytest.mark.parametrize("bad", [
    dict(net="cifar"), dict(batch_size=0), dict(batch_size=lp.MAX_BATCH + 1),
    dict(activation="step"), dict(lr=0.0), dict(lr=float("nan")), dict(repeats=0)])
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValueError):
        lp.PrecisionConfig(**bad)


def test_the_data_must_fit_the_network(spiral_points):
    with pytest.raises(ValueError, match="784 inputs"):
        lp.compare(lp.PrecisionConfig(net="mnist", batch_size=10), *spiral_points)


def test_same_settings_same_numbers(spiral_points):
    cfg = lp.PrecisionConfig(net="spiral", batch_size=50, seed=4, repeats=2)
    a, b = lp.compare(cfg, *spiral_points), lp.compare(cfg, *spiral_points)
    for dt in lp.DTYPES:
        ra, rb = a.rows[dt], b.rows[dt]
        assert (ra.loss, ra.weight_diff, ra.lost_updates) == (rb.loss, rb.weight_diff,
                                                              rb.lost_updates)
