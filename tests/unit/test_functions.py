"""Activations, softmax, losses and the numerical gradient."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine import functions as F
from engine.gradcheck import relative_error
from engine.layers import ACTIVATIONS, SoftmaxWithLoss, SquaredErrorLoss

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False, width=64)
logits_strategy = arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(2, 10)),
                         elements=st.floats(-1e4, 1e4, allow_nan=False, width=64))


def test_step_relu_known_values():
    x = np.array([-1.0, 0.0, 2.0])
    assert F.step(x).tolist() == [0, 0, 1]
    assert F.relu(x).tolist() == [0, 0, 2]
    assert F.relu_grad(x).tolist() == [0, 0, 1]
    assert F.step_grad(x).tolist() == [0, 0, 0]


def test_sigmoid_known_values_and_no_overflow():
    assert F.sigmoid(np.array([0.0]))[0] == 0.5
    with np.errstate(over="raise"):
        y = F.sigmoid(np.array([-1000.0, 1000.0]))
    assert y.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_activation_derivative_matches_central_differences(name):
    f, f_grad, _ = ACTIVATIONS[name]
    x = np.linspace(-3, 3, 41) + 0.013  # avoid relu's kink at exactly 0
    numeric = F.numerical_gradient(lambda: float(f(x).sum()), x, h=1e-5)
    error = relative_error(f_grad(x), numeric)
    assert error < 1e-6, f"{name}: rel error {error:.2e}"


def test_activations_keep_float32():
    x = np.ones(3, dtype=np.float32)
    for f, g, _ in ACTIVATIONS.values():
        assert f(x).dtype == np.float32 and g(x).dtype == np.float32


def test_softmax_rows_sum_to_one_and_keep_order():
    y = F.softmax(np.array([[0.3, 2.9, 4.0], [1.0, 1.0, 1.0]]))
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    assert list(np.argsort(y[0])) == [0, 1, 2]
    np.testing.assert_allclose(y[1], 1 / 3)


@settings(max_examples=60, deadline=None)
@given(logits_strategy)
def test_softmax_and_cross_entropy_finite_on_extreme_logits(a):
    y = F.softmax(a)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-9)
    t = np.zeros(a.shape[0], dtype=int)
    assert np.isfinite(SoftmaxWithLoss().forward(a, t))  # from log-softmax: exact, finite
    assert np.isfinite(F.cross_entropy_error(y, t))


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 6)), elements=finite))
def test_shapes_are_preserved(x):
    for f, g, _ in ACTIVATIONS.values():
        assert f(x).shape == x.shape and g(x).shape == x.shape
    assert F.softmax(x).shape == x.shape


def test_cross_entropy_label_and_one_hot_agree_batch_and_single():
    y = np.array([[0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]])
    t_label = np.array([2])
    t_onehot = np.eye(10)[t_label]
    expected = -np.log(0.6 + 1e-7)
    assert F.cross_entropy_error(y, t_label) == pytest.approx(expected)
    assert F.cross_entropy_error(y, t_onehot) == pytest.approx(expected)
    assert F.cross_entropy_error(y[0], 2) == pytest.approx(expected)  # single sample, label
    assert F.cross_entropy_error(y[0], t_onehot[0]) == pytest.approx(expected)


def test_softmax_with_loss_equals_cross_entropy_of_softmax():
    a = np.random.default_rng(0).standard_normal((5, 4))
    t = np.array([0, 1, 2, 3, 1])
    expected = -np.log(F.softmax(a)[np.arange(5), t]).mean()
    assert SoftmaxWithLoss().forward(a, t) == pytest.approx(expected)
    assert F.cross_entropy_error(F.softmax(a), t) == pytest.approx(expected, rel=1e-6)


def test_squared_error_loss_is_the_lectures_formula():
    y = np.array([[0.1, 0.9], [0.8, 0.2]])
    t = np.array([[0.0, 1.0], [1.0, 0.0]])
    # C = 1/(2n) Σ ||y - t||², n = 2
    assert SquaredErrorLoss().forward(y, t) == pytest.approx((0.01 + 0.01 + 0.04 + 0.04) / 4)
    # one sample: the book's 0.5 Σ (y - t)²
    assert SquaredErrorLoss().forward(y[:1], t[:1]) == pytest.approx(0.5 * 0.02)


def test_numerical_gradient_of_quadratic():
    x = np.array([3.0, 4.0])
    g = F.numerical_gradient(lambda: float((x**2).sum()), x)
    np.testing.assert_allclose(g, [6.0, 8.0], rtol=1e-8)
    assert x.tolist() == [3.0, 4.0], "x must be restored"


def test_relative_error_zero_for_equal_and_zero_gradients():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.ones(3), np.ones(3)) == 0.0
    assert relative_error(np.ones(2), np.array([1.0, 3.0])) == pytest.approx(2 / 4)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: F.cross_entropy_error(np.ones((2, 3)) / 3, np.array([0, 5])), "0..2"),
        (lambda: F.cross_entropy_error(np.ones((2, 3)) / 3, np.array([0, 1, 2])), "shape"),
        (lambda: F.cross_entropy_error(np.ones((2, 3)) / 3, np.array([0.5, 1.0])), "integers"),
        (lambda: F.cross_entropy_error(np.ones((2, 3)) / 3, np.ones((2, 4))), r"\(2, 3\)"),
        (lambda: F.numerical_gradient(lambda: 0.0, np.ones(2), h=0), "h must be > 0"),
        (lambda: F.numerical_gradient(lambda: 0.0, np.ones((2, 2)).T), "contiguous"),
        (lambda: F.cross_entropy_error(np.ones((2, 2, 2)), np.zeros(2)), "shape"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- the losses and softmax against central differences (float64) --------------------------

def _numeric(f, x):
    return F.numerical_gradient(lambda: float(f(x)), x, h=1e-6)


def test_softmax_vector_jacobian_product(rng):
    """For L = Σ g ⊙ softmax(a): ∂L/∂a = y ⊙ (g − Σ_k g_k y_k) row by row."""
    a, g = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    y = F.softmax(a)
    analytic = y * (g - (g * y).sum(axis=1, keepdims=True))
    assert relative_error(analytic, _numeric(lambda v: (F.softmax(v) * g).sum(), a)) < 1e-6


def test_cross_entropy_error_gradient(rng):
    """∂E/∂y = −t / (y + δ) / N: only the target's probability matters."""
    y = F.softmax(rng.standard_normal((5, 3)))
    t = rng.integers(0, 3, 5)
    analytic = -np.eye(3)[t] / (y + F.CE_DELTA) / 5
    assert relative_error(analytic, _numeric(lambda v: F.cross_entropy_error(v, t), y)) < 1e-6
