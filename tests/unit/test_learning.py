"""Small learning problems from the seeds: XOR (seed 004), the spiral (seed 003),
and the matrix chain of seed 000."""

import numpy as np
import pytest

from engine.datasets import logic_gate, spiral
from engine.network import MultiLayerNet
from engine.optimizers import SGD
from engine.trainer import Trainer
from lessons.layers import (
    SEED_W1,
    SEED_W2,
    SEED_W3,
    SEED_X,
    collapse,
    linear_equations,
    matrix_chain,
)


def test_2_2_1_sigmoid_net_learns_xor():
    """Seed 004's network: 2 inputs, 2 sigmoid hidden units, 1 sigmoid output, squared error,
    plain gradient descent on all four points. (Some seeds stall in a local minimum, a
    lesson of its own; seed 0 does not.)"""
    x, t = logic_gate("XOR", np.float64)
    net = MultiLayerNet(2, [2], 1, activation="sigmoid", weight_init_std=1.0,
                        output="sigmoid", dtype=np.float64, seed=0)
    trainer = Trainer(net, SGD(lr=2.0), x, t, batch_size=4, seed=0)
    trainer.fit(epochs=3000)
    y = net.predict(x).ravel()
    assert net.accuracy(x, t) == 1.0
    assert (np.abs(y - t) < 0.1).all(), f"outputs {y.round(3)} for targets {t}"
    assert trainer.history.loss.y[-1] < 0.01 < trainer.history.loss.y[0]


def test_spiral_net_of_seed_003_reaches_95_percent():
    """Two layers, hidden 10, sigmoid, softmax with loss, SGD lr 1.0, batch 30, 300 epochs."""
    x, t = spiral()
    assert x.shape == (300, 2) and t.shape == (300, 3)
    net = MultiLayerNet(2, [10], 3, activation="sigmoid", weight_init_std=0.01, seed=0)
    trainer = Trainer(net, SGD(lr=1.0), x, t, batch_size=30, seed=0, eval_samples=None)
    trainer.fit(epochs=300)
    acc = net.accuracy(x, t)
    assert acc >= 0.95, f"training accuracy {acc:.3f}"
    assert trainer.history.epochs[-1].train_acc == acc


def test_matrix_chain_step_by_step_equals_single_product():
    steps = matrix_chain([SEED_W1, SEED_W2, SEED_W3], SEED_X)
    # L1 = W1·X = [-1, 0, -1]; L2 = W2·L1 = [-1, 1, -4]; Y = W3·L2 = [-3, 0, -2]
    assert steps[0].out.tolist() == [-1, 0, -1]
    assert steps[1].out.tolist() == [-1, 1, -4]
    assert steps[2].out.tolist() == [-3, 0, -2]
    W = collapse([SEED_W1, SEED_W2, SEED_W3])
    np.testing.assert_array_equal(W @ SEED_X, steps[-1].out)
    np.testing.assert_array_equal(W, SEED_W3 @ SEED_W2 @ SEED_W1)


def test_an_activation_breaks_the_collapse():
    x = np.array([1.0, -2.0, 0.5])
    mats = [SEED_W1, SEED_W2, SEED_W3]
    linear = matrix_chain(mats, x)[-1].out
    with_relu = matrix_chain(mats, x, activation="relu")[-1].out
    np.testing.assert_allclose(linear, collapse(mats) @ x)
    assert not np.allclose(with_relu, collapse(mats) @ x)


def test_seed_000_equations():
    assert linear_equations(SEED_W1, ["X0", "X1", "X2"], ["L10", "L11", "L12"]) == [
        "L10 = 2X0 + 2X1 - X2", "L11 = 2X0 + 2X1", "L12 = -X1 - X2"]
    assert linear_equations(SEED_W3, ["L20", "L21", "L22"], ["Y0", "Y1", "Y2"]) == [
        "Y0 = 2L20 - L21", "Y1 = -L20 - L21", "Y2 = 2L20"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: matrix_chain([np.ones((3, 2))], np.ones(3)), "W1 has 2 columns"),
        (lambda: matrix_chain([SEED_W1, np.ones((2, 4))], SEED_X), "W2 has 4 columns"),
        (lambda: matrix_chain([], SEED_X), "at least one matrix"),
        (lambda: matrix_chain([SEED_W1], np.ones((3, 1))), "vector"),
        (lambda: matrix_chain([SEED_W1], [np.nan, 0, 0]), "NaN"),
        (lambda: matrix_chain([SEED_W1], SEED_X, activation="gelu"), "unknown activation"),
    ],
)
def test_chain_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
