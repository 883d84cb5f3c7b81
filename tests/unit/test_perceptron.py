"""lessons.perceptron: gates, XOR from gates, separability, the learning rule."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.datasets import logic_gate
from lessons.perceptron import (
    GATES,
    LearnResult,
    Perceptron,
    Segment,
    TruthRow,
    is_linearly_separable,
    output_delta,
    perceptron_learn,
    separating_line,
    step,
    xor_from_gates,
)

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


# ---------------------------------------------------------------- step


def test_step_like_the_book():
    np.testing.assert_array_equal(step(np.array([-1.0, 0.0, 0.5, 2.0])), [0, 0, 1, 1])
    assert step(3) == 1 and step(0) == 0 and step(-0.1) == 0
    assert step(np.array([[1, -1]])).shape == (1, 2)


def test_step_rejects_nan_and_non_numbers():
    with pytest.raises(ValueError, match="NaN"):
        step(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="real numbers"):
        step(np.array(["a"]))


@settings(max_examples=50)
@given(st.lists(st.floats(allow_nan=False), min_size=1, max_size=20))
def test_step_output_is_always_0_or_1(values):
    y = step(np.array(values))
    assert set(y.tolist()) <= {0, 1}
    np.testing.assert_array_equal(y, np.array(values) > 0)


# ---------------------------------------------------------------- the seed's NAND


def test_nand_of_the_lecture():
    """w1 = w2 = -2, b = 3: weighted sums 3, 1, 1, -1, outputs 1, 1, 1, 0."""
    nand = Perceptron(-2, -2, 3)
    assert nand.truth_table() == [
        TruthRow(0, 0, 3.0, 1),
        TruthRow(0, 1, 1.0, 1),
        TruthRow(1, 0, 1.0, 1),
        TruthRow(1, 1, -1.0, 0),
    ]
    np.testing.assert_array_equal(nand.weighted_sum(INPUTS), [3, 1, 1, -1])
    assert GATES["NAND"] == (-2, -2, 3)
    assert Perceptron.gate("NAND") == nand


@pytest.mark.parametrize("name", ["AND", "OR", "NAND"])
def test_gate_presets_give_their_truth_tables(name):
    x, t = logic_gate(name)
    gate = Perceptron.gate(name)
    np.testing.assert_array_equal(gate(x), t)
    assert [row.y for row in gate.truth_table()] == t.tolist()
    assert [[row.x1, row.x2] for row in gate.truth_table()] == INPUTS.tolist()


def test_and_or_weighted_sums():
    np.testing.assert_allclose(Perceptron.gate("AND").weighted_sum(INPUTS), [-0.7, -0.2, -0.2, 0.3])
    np.testing.assert_allclose(Perceptron.gate("OR").weighted_sum(INPUTS), [-0.2, 0.3, 0.3, 0.8])


def test_single_point_and_batch():
    p = Perceptron(0.5, 0.5, -0.7)
    assert p.predict((1, 1)) == 1 and isinstance(p.predict((1, 1)), int)
    assert p((0, 1)) == 0
    assert isinstance(p.weighted_sum([1, 1]), float)
    y = p(INPUTS.astype(np.float32))
    assert y.shape == (4,) and y.dtype == np.int64
    np.testing.assert_array_equal(p.w, [0.5, 0.5])


def test_perceptron_is_immutable_and_has_a_repr():
    p = Perceptron(1, 2, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.w1 = 5.0
    assert repr(p) == "Perceptron(w1=1.0, w2=2.0, b=3.0)"


@settings(max_examples=50)
@given(finite, finite, finite, st.lists(st.tuples(finite, finite), min_size=1, max_size=8))
def test_output_is_always_0_or_1(w1, w2, b, points):
    p = Perceptron(w1, w2, b)
    y = p(np.array(points))
    assert y.shape == (len(points),)
    assert set(y.tolist()) <= {0, 1}
    assert p(points[0]) in (0, 1)


# ---------------------------------------------------------------- XOR from gates


def test_xor_from_gates():
    x, t = logic_gate("XOR")
    y, h = xor_from_gates(x)
    np.testing.assert_array_equal(y, t)
    np.testing.assert_array_equal(h[:, 0], Perceptron.gate("NAND")(x))  # s1
    np.testing.assert_array_equal(h[:, 1], Perceptron.gate("OR")(x))  # s2
    np.testing.assert_array_equal(h, [[1, 0], [1, 1], [1, 1], [0, 1]])


def test_xor_from_gates_single_point():
    for (x1, x2), expected in zip(INPUTS.tolist(), [0, 1, 1, 0], strict=True):
        y, h = xor_from_gates((x1, x2))
        assert y == expected and h.shape == (2,)


def test_hidden_space_is_linearly_separable():
    x, t = logic_gate("XOR")
    assert not is_linearly_separable(x, t)
    _, h = xor_from_gates(x)
    assert is_linearly_separable(h, t)
    np.testing.assert_array_equal(Perceptron.gate("AND")(h), t)  # AND's line does it


# ---------------------------------------------------------------- separability


@pytest.mark.parametrize(("name", "separable"), [("AND", 1), ("OR", 1), ("NAND", 1), ("XOR", 0)])
def test_which_gates_one_line_can_split(name, separable):
    x, t = logic_gate(name)
    line = separating_line(x, t)
    assert is_linearly_separable(x, t) == bool(separable)
    if separable:
        np.testing.assert_array_equal(line(x), t)
    else:
        assert line is None


def test_xnor_is_not_separable_either():
    x, t = logic_gate("XOR")
    assert not is_linearly_separable(x, 1 - t)


def test_separability_edge_cases():
    x = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert separating_line(x, [1, 1])(x).tolist() == [1, 1]  # one class: constant output
    assert separating_line(x, [0, 0])(x).tolist() == [0, 0]
    assert not is_linearly_separable([[0, 0], [0, 0]], [0, 1])  # one point, two labels
    assert not is_linearly_separable([[0, 0], [1, 0], [2, 0]], [0, 1, 0])  # collinear, middle
    assert is_linearly_separable([[0, 0], [1, 0], [2, 0]], [0, 0, 1])


@settings(max_examples=100)
@given(
    st.floats(0, 2 * np.pi),
    st.floats(-1, 1),
    st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5)), min_size=2, max_size=12),
)
def test_points_split_by_a_line_are_found_separable(phi, c, points):
    x = np.array(points)
    s = x @ np.array([np.cos(phi), np.sin(phi)]) + c
    assume(np.abs(s).min() > 1e-3)  # keep away from the line itself
    t = (s > 0).astype(int)
    line = separating_line(x, t)
    assert line is not None
    np.testing.assert_array_equal(line(x), t)


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.integers(-3, 3), st.integers(-3, 3), st.integers(0, 1)),
        min_size=1,
        max_size=10,
    )
)
def test_a_returned_line_always_reproduces_the_labels(rows):
    x = np.array([r[:2] for r in rows], dtype=float)
    t = np.array([r[2] for r in rows])
    line = separating_line(x, t)
    if line is not None:
        np.testing.assert_array_equal(line(x), t)
    else:  # then the perceptron rule must fail too
        assert not perceptron_learn(x, t, lr=0.5, epochs=50, seed=0).converged


# ---------------------------------------------------------------- learning rule


@pytest.mark.parametrize("name", ["AND", "OR", "NAND"])
def test_learning_rule_converges_on_separable_gates(name):
    x, t = logic_gate(name)
    result = perceptron_learn(x, t, lr=0.1, epochs=100, seed=0)
    assert isinstance(result, LearnResult) and result.converged
    assert result.errors[-1] == 0
    np.testing.assert_array_equal(result.perceptron(x), t)
    assert result.history.shape == (4 * len(result.errors) + 1, 3)
    np.testing.assert_array_equal(result.history[-1], [*result.perceptron.w, result.perceptron.b])


def test_learning_rule_never_settles_on_xor():
    x, t = logic_gate("XOR")
    result = perceptron_learn(x, t, lr=0.1, epochs=50, seed=0)
    assert not result.converged
    assert len(result.errors) == 50 and (result.errors > 0).all()
    assert result.history.shape == (201, 3)


def test_learning_rule_steps_by_hand():
    """From w = (0, 0), b = 0 on AND: only the mistakes move the weights."""
    x, t = logic_gate("AND")
    result = perceptron_learn(x, t, lr=1.0, epochs=1, seed=0, init=(0, 0, 0))
    order = np.random.RandomState(0).permutation(4)
    w, b = np.zeros(2), 0.0
    expected = [(0.0, 0.0, 0.0)]
    for i in order:
        y = 1 if w @ x[i] + b > 0 else 0
        w, b = w + (t[i] - y) * x[i], b + (t[i] - y)
        expected.append((w[0], w[1], b))
    np.testing.assert_array_equal(result.history, expected)


def test_learning_rule_is_deterministic():
    x, t = logic_gate("NAND")
    a = perceptron_learn(x, t, seed=3)
    b = perceptron_learn(x, t, seed=3)
    np.testing.assert_array_equal(a.history, b.history)
    assert a.perceptron == b.perceptron


# ---------------------------------------------------------------- decision line


def test_decision_line_of_nand():
    seg = Perceptron(-2, -2, 3).decision_line()  # x1 + x2 = 1.5
    assert isinstance(seg, Segment)
    assert sorted(zip(seg.x1, seg.x2, strict=True)) == [(0.0, 1.5), (1.5, 0.0)]
    np.testing.assert_allclose(Perceptron(-2, -2, 3).x2_on_line([0, 1, 1.5]), [1.5, 0.5, 0.0])


def test_decision_line_vertical_horizontal_and_none():
    vertical = Perceptron(2, 0, -1).decision_line()  # x1 = 0.5
    assert vertical.x1 == (0.5, 0.5) and sorted(vertical.x2) == [-0.5, 1.5]
    horizontal = Perceptron(0, 1, -0.25).decision_line(0, 1)  # x2 = 0.25
    assert sorted(horizontal.x1) == [0, 1] and horizontal.x2 == (0.25, 0.25)
    assert Perceptron(0, 0, 1).decision_line() is None  # no line at all
    assert Perceptron(1, 1, -10).decision_line() is None  # far outside the square
    diagonal = Perceptron(1, -1, 0).decision_line(0, 1)  # through two corners
    assert sorted(zip(diagonal.x1, diagonal.x2, strict=True)) == [(0, 0), (1, 1)]
    with pytest.raises(ValueError, match=r"vertical, x1 = 0\.5"):
        Perceptron(2, 0, -1).x2_on_line(0)
    with pytest.raises(ValueError, match="no decision line"):
        Perceptron(0, 0, 1).x2_on_line(0)
    with pytest.raises(ValueError, match="lo < hi"):
        Perceptron(1, 1, 0).decision_line(1, 0)


@settings(max_examples=100)
@given(finite, finite, finite)
def test_decision_line_endpoints_lie_on_the_line(w1, w2, b):
    assume(max(abs(w1), abs(w2)) > 1e-3)
    p = Perceptron(w1, w2, b)
    seg = p.decision_line()
    if seg is not None:
        a = p.weighted_sum(np.column_stack([seg.x1, seg.x2]))
        np.testing.assert_allclose(a, 0, atol=1e-9 * (abs(w1) + abs(w2) + abs(b)))
        assert all(-0.5 <= v <= 1.5 for v in (*seg.x1, *seg.x2))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.nan, 1, 0), "w1 must be finite"),
        ((1, np.inf, 0), "w2 must be finite"),
        ((1, 1, "3"), "b must be a real number"),
        ((1, 1, None), "b must be a real number"),
    ],
)
def test_bad_weights(args, message):
    with pytest.raises(ValueError, match=message):
        Perceptron(*args)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        ([1, 2, 3], r"shape \(2,\) or a batch of shape \(N, 2\), got shape \(3,\)"),
        (np.zeros((4, 3)), r"got shape \(4, 3\)"),
        (np.zeros((2, 2, 2)), "got shape"),
        ([np.nan, 0], "NaN or infinity"),
        (["a", "b"], "real numbers"),
    ],
)
def test_bad_points(x, message):
    with pytest.raises(ValueError, match=message):
        Perceptron(1, 1, 0).predict(x)
    with pytest.raises(ValueError, match=message):
        xor_from_gates(x)


def test_bad_gate_names():
    with pytest.raises(ValueError, match="XOR has no single-perceptron weights"):
        Perceptron.gate("XOR")
    with pytest.raises(ValueError, match="unknown gate 'NOR': choose one of AND, OR, NAND"):
        Perceptron.gate("NOR")


def test_bad_labels_and_learning_settings():
    x, t = logic_gate("AND")
    with pytest.raises(ValueError, match=r"t must have shape \(4,\)"):
        separating_line(x, t[:3])
    with pytest.raises(ValueError, match="only 0 and 1"):
        separating_line(x, [0, 1, 2, 0])
    with pytest.raises(ValueError, match="only 0 and 1"):
        is_linearly_separable(x, [0, 1, np.nan, 0])
    with pytest.raises(ValueError, match=r"batch of points of shape \(N, 2\)"):
        separating_line(x[0], t[:1])
    with pytest.raises(ValueError, match="lr must be positive"):
        perceptron_learn(x, t, lr=0)
    with pytest.raises(ValueError, match="lr must be finite"):
        perceptron_learn(x, t, lr=np.nan)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        perceptron_learn(x, t, epochs=0)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        perceptron_learn(x, t, epochs=2.5)
    with pytest.raises(ValueError, match="exceeds"):
        perceptron_learn(x, t, epochs=10**6)
    with pytest.raises(ValueError, match=r"init must be \(w1, w2, b\)"):
        perceptron_learn(x, t, init=(0, 0))


# ---------------------------------------------------------------- the delta rule (seed 004)


def _xor_net(hidden=2, seed=0, output="sigmoid"):
    from engine.network import MultiLayerNet

    return MultiLayerNet(2, [hidden], 1, activation="sigmoid", weight_init_std=1.0,
                         output=output, dtype=np.float64, seed=seed)


@pytest.mark.parametrize("hidden", [2, 5])
def test_output_delta_equals_backprop(hidden):
    """dW = y_hᵀ·δ / N is exactly the engine's backprop gradient of the last weights."""
    x, t = logic_gate("XOR", np.float64)
    net = _xor_net(hidden)
    d = output_delta(net, x, t)
    grads = net.gradient(x, t)
    assert d.y_h.shape == (4, hidden) and d.y_o.shape == d.delta.shape == (4, 1)
    np.testing.assert_allclose(d.dW, grads["W2"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(d.db, grads["b2"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(d.y_o, net.predict(x))


def test_output_delta_by_hand():
    """δ = (y_o − y_t)·y_o·(1 − y_o) for each sample, with y_o = σ(y_h·W2 + b2)."""
    x, t = logic_gate("XOR", np.float64)
    net = _xor_net(seed=3)
    d = output_delta(net, x, t)
    W1, b1, W2, b2 = (net.params[k] for k in ("W1", "b1", "W2", "b2"))
    y_h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    y_o = 1 / (1 + np.exp(-(y_h @ W2 + b2)))
    np.testing.assert_allclose(d.y_h, y_h)
    np.testing.assert_allclose(d.delta, (y_o - t[:, None]) * y_o * (1 - y_o))
    np.testing.assert_array_equal(d.y_t.ravel(), t)


def test_one_sgd_step_is_the_delta_rule():
    """w ← w − lr·δ·y_h (averaged over the batch) is what SGD does to W2."""
    from engine.optimizers import SGD

    x, t = logic_gate("XOR", np.float64)
    net = _xor_net(seed=1)
    d = output_delta(net, x, t)
    before = net.params["W2"].copy()
    SGD(lr=2.0).update(net.params, net.gradient(x, t))
    np.testing.assert_allclose(net.params["W2"], before - 2.0 * d.y_h.T @ d.delta / 4)


def test_output_delta_bad_input():
    x, t = logic_gate("XOR", np.float64)
    with pytest.raises(ValueError, match="output='sigmoid'"):
        output_delta(_xor_net(output="identity"), x, t)
    with pytest.raises(ValueError, match="shape of the outputs"):
        output_delta(_xor_net(), x, t[:3])
