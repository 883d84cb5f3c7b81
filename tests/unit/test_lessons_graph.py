"""Tests for lessons.graph without Streamlit: the lesson's worked numbers (the café total
3,190,000 won and its gradients, the chain rule, the sigmoid graph's −y² at the '/' node,
softmax with cross-entropy as seed 002 draws it, node by node, and dx = dy·Wᵀ element by
element), the examples the page feeds its graphs, and that
engine.autograd works on its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.autograd import Graph, central_difference, variable
from lessons.graph import (
    CAFE_ITEMS,
    EXP_LIMIT,
    SIGMOID_EDGES,
    cafe_bill,
    cafe_graph,
    cafe_leaves,
    chain_rule_graph,
    matmul_elementwise,
    matmul_example,
    one_hot,
    repeat_example,
    shifted_softmax,
    sigmoid_graph,
    sigmoid_walk,
    softmax_check,
    softmax_cross_entropy_graph,
    sum_example,
    two_input_graph,
)
from tests.graph_steps import edge_into

ROOT = Path(__file__).resolve().parents[2]
FAST = settings(max_examples=25, deadline=None)
finite = st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False)


def stable_softmax(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max())
    return e / e.sum()


# ---------------------------------------------------------------- engine.autograd on its own


def test_a_tiny_graph_forward_and_backward():
    """f = a·b + c at a, b, c = 2, 3, 4: f = 10; df/da = b, df/db = a, df/dc = 1."""
    a, b, c = variable(2.0, "a"), variable(3.0, "b"), variable(4.0, "c")
    graph = Graph(a * b + c)
    assert float(graph.output.value) == 10.0
    graph.backward()
    assert graph.gradients() == {"a": 3.0, "b": 2.0, "c": 1.0}
    a.value = np.array(5.0)  # forward again from new leaf values
    assert float(graph.forward()) == 19.0
    graph.backward()
    assert (float(a.grad), float(b.grad)) == (3.0, 5.0)


def test_engine_autograd_imports_no_lesson():
    code = ("import sys\n"
            "from engine.autograd import Graph, variable\n"
            "x = variable(3.0, 'x')\n"
            "g = Graph(x * x)\n"
            "g.backward()\n"
            "assert float(x.grad) == 6.0\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lessons', 'ui', 'viz')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


# ---------------------------------------------------------------- the café bill


def test_cafe_total_and_every_gradient():
    graph = cafe_graph()
    assert graph.output.value == pytest.approx(3_190_000)
    assert graph["subtotal"].value == 2_900_000
    costs = {"machine": 2_000_000, "table": 250_000, "chair": 450_000, "cup": 200_000}
    for item, cost in costs.items():
        assert graph[f"{item}_cost"].value == cost
    graph.backward()
    expected = {
        "machine_price": 2.2,
        "machine_count": 1_100_000,
        "table_price": 5.5,
        "table_count": 55_000,
        "chair_price": 16.5,
        "chair_count": 33_000,
        "cup_price": 22.0,
        "cup_count": 11_000,
        "tax": 2_900_000,
    }
    for label, grad in expected.items():
        assert float(graph[label].grad) == pytest.approx(grad, rel=1e-12), label
    for item in costs:  # d total / d cost = tax; d total / d subtotal = tax
        assert float(graph[f"{item}_cost"].grad) == pytest.approx(1.1)
    assert float(graph["subtotal"].grad) == pytest.approx(1.1)


def test_cafe_edges_carry_forward_values_and_gradients():
    graph = cafe_graph()
    steps = graph.backward()
    edge = edge_into(steps, "machine_cost", "machine_price")
    assert edge.value == 1_000_000
    assert edge.upstream == pytest.approx(1.1)
    assert edge.local == 2  # multiply node: the other input
    assert edge.downstream == pytest.approx(2.2)
    edge = edge_into(steps, "total", "tax")
    assert edge.value == pytest.approx(1.1)
    assert edge.local == 2_900_000
    assert edge.downstream == 2_900_000


def test_cafe_takes_edited_numbers_and_negative_counts():
    graph = cafe_graph(machine_count=1, cup_price=5_000, tax=1.0)
    assert graph.output.value == pytest.approx(1_000_000 + 250_000 + 450_000 + 100_000)
    assert cafe_graph(cup_count=-20).output.value == pytest.approx(1.1 * 2_500_000)


# ---------------------------------------------------------------- chain rule


@FAST
@given(finite, finite)
def test_chain_rule_dz_dx_is_two_x_plus_y(x, y):
    graph = chain_rule_graph(x, y)
    graph.backward()
    assert graph["t"].value == pytest.approx(x + y)
    assert graph["z"].value == pytest.approx((x + y) ** 2)
    assert float(graph["t"].grad) == pytest.approx(2 * (x + y))
    assert float(graph["x"].grad) == pytest.approx(2 * (x + y))
    assert float(graph["y"].grad) == pytest.approx(2 * (x + y))


# ---------------------------------------------------------------- sigmoid


@FAST
@given(st.floats(-20.0, 20.0, allow_nan=False))
def test_sigmoid_backward_values_at_each_node(x):
    graph = sigmoid_graph(x)
    steps = graph.backward()
    y = float(graph.output.value)
    e = np.exp(-x)
    assert y == pytest.approx(1 / (1 + e))
    one = edge_into(steps, "y", "1+exp(-x)").downstream  # '/' node
    two = edge_into(steps, "1+exp(-x)", "exp(-x)").downstream  # '+' node
    three = edge_into(steps, "exp(-x)", "-x").downstream  # exp node
    four = edge_into(steps, "-x", "x").downstream  # ×(−1) node
    assert one == pytest.approx(-(y**2), rel=1e-12)
    assert two == pytest.approx(-(y**2), rel=1e-12)
    assert three == pytest.approx(-(y**2) * e, rel=1e-12)
    assert four == pytest.approx(y**2 * e, rel=1e-12)
    # 1 − y loses digits to cancellation for large x, so the tolerance is looser here
    assert float(graph["x"].grad) == pytest.approx(y * (1 - y), rel=1e-6)


def test_sigmoid_local_gradients():
    graph = sigmoid_graph(0.7)
    steps = graph.backward()
    y = float(graph.output.value)
    assert edge_into(steps, "y", "1+exp(-x)").local == pytest.approx(-(y**2))
    assert edge_into(steps, "exp(-x)", "-x").local == pytest.approx(np.exp(-0.7))
    assert edge_into(steps, "-x", "x").local == -1


# ---------------------------------------------------------------- softmax with cross-entropy


SOFTMAX_CASES = [
    ([0.3, 2.9, 4.0], [0.0, 0.0, 1.0]),  # the page's defaults
    ([1.0, -2.0, 0.5], [1.0, 0.0, 0.0]),
    ([0.0, 0.0], [0.0, 1.0]),
    ([3.0, -1.0, 2.0, 0.5], [0.2, 0.3, 0.1, 0.4]),  # probabilities, not one-hot
    ([-40.0, 45.0, 10.0], [0.0, 1.0, 0.0]),
]


@pytest.mark.parametrize(("a", "t"), SOFTMAX_CASES)
def test_seed_softmax_graph_backward_at_every_node_is_the_hand_derived_value(a, t):
    """Seed 002's walk, node by node: −1 at the sum, −t at log y, −t/y at y, −S at 1/S,
    1/S at S, 1/S − t/exp(a) at exp(a) (two paths), y − t at a, −log y at t."""
    a, t = np.array(a), np.array(t)
    graph = softmax_cross_entropy_graph(a, t)
    steps = graph.backward()
    e, s = np.exp(a), np.exp(a).sum()
    y = e / s
    assert float(graph.output.value) == pytest.approx(-np.sum(t * np.log(y)), rel=1e-12)
    assert float(graph["S"].value) == pytest.approx(s, rel=1e-12)
    close = dict(rel=1e-10, abs=1e-12)
    assert float(graph["L"].grad) == 1.0
    assert float(graph["sum"].grad) == -1.0
    assert float(graph["1/S"].grad) == pytest.approx(-s, **close)
    assert float(graph["S"].grad) == pytest.approx(1 / s, **close)
    for k in range(1, a.size + 1):
        tk, ek, yk = t[k - 1], e[k - 1], y[k - 1]
        assert float(graph[f"y{k}"].value) == pytest.approx(yk, rel=1e-12)
        assert float(graph[f"t{k} log y{k}"].grad) == -1.0
        assert float(graph[f"log y{k}"].grad) == pytest.approx(-tk, **close)
        assert float(graph[f"y{k}"].grad) == pytest.approx(-tk / yk, **close)
        # exp(a_k) feeds S and y_k: the two paths add up
        assert float(edge_into(steps, "S", f"exp(a{k})").downstream) == pytest.approx(1 / s,
                                                                                  **close)
        assert float(edge_into(steps, f"y{k}", f"exp(a{k})").downstream) == pytest.approx(
            -tk / ek, **close)
        assert float(graph[f"exp(a{k})"].grad) == pytest.approx(1 / s - tk / ek, **close)
        assert float(graph[f"a{k}"].grad) == pytest.approx(yk - tk, **close)
        assert float(graph[f"t{k}"].grad) == pytest.approx(-np.log(yk), **close)


@pytest.mark.parametrize(("a", "t"), SOFTMAX_CASES)
def test_softmax_gradients_agree_with_central_differences(a, t):
    graph = softmax_cross_entropy_graph(a, t)
    graph.backward()
    for k in range(1, len(a) + 1):
        numeric = float(central_difference(graph, f"a{k}"))
        assert numeric == pytest.approx(float(graph[f"a{k}"].grad), abs=1e-7)


@FAST
@given(
    hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(-50.0, 50.0)),
    st.data(),
)
def test_softmax_cross_entropy_is_finite_and_y_minus_t(a, data):
    k = data.draw(st.integers(0, a.size - 1), label="target class")
    t = np.eye(a.size)[k]
    graph = softmax_cross_entropy_graph(a, t)
    graph.backward()
    assert np.isfinite(graph.output.value)
    assert all(np.all(np.isfinite(n.grad)) for n in graph.nodes)
    grads = [float(graph[f"a{i}"].grad) for i in range(1, a.size + 1)]
    assert np.allclose(grads, stable_softmax(a) - t, atol=1e-12)


def test_large_scores_overflow_the_seed_graph_and_shifting_keeps_y():
    """Past EXP_LIMIT ≈ 709.78 the seed form's exp overflows: why code uses a − max a."""
    assert pytest.approx(709.78, abs=0.01) == EXP_LIMIT
    with pytest.raises(ValueError, match="overflow"):
        softmax_cross_entropy_graph([1000.0, 0.0], [1.0, 0.0])
    softmax_cross_entropy_graph([EXP_LIMIT - 1, 0.0], [1.0, 0.0])  # just below: fine
    graph = softmax_cross_entropy_graph([0.3, 2.9, 4.0], one_hot(2, 3))
    shifted = shifted_softmax(graph)
    assert shifted.shift == 4.0
    assert np.allclose(shifted.y, stable_softmax(np.array([0.3, 2.9, 4.0])), atol=1e-15)
    assert shifted.difference < 1e-15


# ---------------------------------------------------------------- what the page feeds the graphs


def test_cafe_bill_takes_the_tax_in_percent():
    counts = {"machine": 2, "table": 5, "chair": 15, "cup": 20}
    prices = {"machine": 1_000_000, "table": 50_000, "chair": 30_000, "cup": 10_000}
    graph = cafe_bill(counts, prices, 10.0)
    assert float(graph["tax"].value) == 1.1
    assert graph.output.value == pytest.approx(3_190_000)
    edited = cafe_bill({**counts, "chair": 16}, {**prices, "cup": 12_000}, 20.0)
    expected = cafe_graph(chair_count=16, cup_price=12_000, tax=1.2)
    assert float(edited.output.value) == float(expected.output.value)


def test_cafe_leaves_list_every_price_count_and_the_tax_with_its_gradient():
    graph = cafe_graph()
    graph.backward()
    leaves = cafe_leaves(graph)
    assert [leaf.label for leaf in leaves] == [
        f"{item}_{kind}" for item in CAFE_ITEMS for kind in ("price", "count")] + ["tax"]
    grads = [leaf.grad for leaf in leaves]
    assert grads == pytest.approx([2.2, 1_100_000, 5.5, 55_000, 16.5, 33_000, 22.0, 11_000,
                                   2_900_000], rel=1e-12)
    assert leaves[-1].item is None and leaves[-1].kind == "tax" and leaves[-1].value == 1.1
    assert leaves[4].item == "chair" and leaves[4].kind == "price" and leaves[4].value == 30_000


def test_cafe_gradients_agree_with_central_differences_at_prices_in_won():
    graph = cafe_graph()
    graph.backward()
    for leaf in graph.leaves:
        numeric = float(central_difference(graph, leaf))
        assert numeric == pytest.approx(float(leaf.grad), rel=1e-7), leaf.label


@pytest.mark.parametrize(("op", "value", "dx", "dy"), [("add", 5.0, 1.5, 1.5),
                                                     ("mul", 6.0, 3.0, 4.5)])
def test_add_and_multiply_nodes(op, value, dx, dy):
    """x, y = 3, 2 and upstream 1.5: add passes it on; multiply gives each input the other."""
    graph = two_input_graph(op, 3.0, 2.0)
    graph.backward(1.5)
    assert float(graph.output.value) == value
    assert (float(graph["x"].grad), float(graph["y"].grad)) == (dx, dy)
    with pytest.raises(ValueError, match="'add' or 'mul'"):
        two_input_graph("pow", 3.0, 2.0)


def test_sigmoid_walk_is_minus_y_squared_at_the_division_node():
    graph = sigmoid_graph(1.0)
    walk = sigmoid_walk(graph, graph.backward())
    y, e = 1 / (1 + np.exp(-1.0)), np.exp(-1.0)
    assert [w.tag for w in walk] == [tag for tag, *_ in SIGMOID_EDGES]
    assert [w.formula for w in walk] == ["−y²", "−y²", "−y²·e^(−x)", "y²·e^(−x)"]
    assert walk[0].backprop == pytest.approx(-(y**2), rel=1e-12)
    assert walk[1].backprop == pytest.approx(-(y**2), rel=1e-12)
    assert walk[2].backprop == pytest.approx(-(y**2) * e, rel=1e-12)
    assert walk[3].backprop == pytest.approx(y * (1 - y), rel=1e-12)
    for w in walk:
        assert w.backprop == pytest.approx(w.from_y, rel=1e-12), w.tag
    assert walk[3].backprop == pytest.approx(float(graph["x"].grad), rel=1e-15)


def test_softmax_check_is_y_minus_t_for_the_pages_logits():
    a = np.array([0.3, 2.9, 4.0])
    graph = softmax_cross_entropy_graph(a, one_hot(2, 3))
    c = softmax_check(graph, graph.backward())
    assert c.t.tolist() == [0.0, 0.0, 1.0]
    assert np.allclose(c.y, stable_softmax(a))
    assert np.allclose(c.grad_a, c.y_minus_t, atol=1e-14)
    assert c.max_error < 1e-14
    assert c.loss == pytest.approx(-np.log(stable_softmax(a)[2]))
    assert c.s == pytest.approx(np.exp(a).sum())
    target = c.lanes[2]
    # the seed's sentence: 1/S − t₃/exp(a₃) arrives, times exp(a₃) gives y₃ − t₃
    assert target.from_s == pytest.approx(1 / c.s) and target.from_y == pytest.approx(
        -1 / np.exp(4.0))
    assert target.upstream == pytest.approx(target.from_s + target.from_y, rel=1e-14)
    assert target.upstream * target.exp_a == pytest.approx(target.y_minus_t, rel=1e-12)
    assert [lane.from_y for lane in c.lanes[:2]] == [0.0, 0.0]  # t = 0: only the S path


@pytest.mark.parametrize(("n", "d", "h"), [(2, 2, 2), (1, 2, 2), (3, 4, 2), (2, 3, 4)])
def test_matmul_elementwise_sums_are_dy_times_w_transposed(n, d, h):
    """∂L/∂x_ni = Σⱼ ∂L/∂y_nj · W_ij, row by row, is dy · Wᵀ (and the engine's dx)."""
    mm, dy = matmul_example(n, d, h)
    mm.backward(dy)
    W = mm["W"].value
    for row in range(1, n + 1):
        sums = matmul_elementwise(mm, dy, n=row)
        assert [s.i for s in sums] == list(range(1, d + 1))
        for s in sums:
            assert [t.j for t in s.terms] == list(range(1, h + 1))
            assert [t.w for t in s.terms] == W[s.i - 1].tolist()
            assert [t.dy for t in s.terms] == dy[row - 1].tolist()
        assert [s.value for s in sums] == pytest.approx((dy @ W.T)[row - 1].tolist())
        assert [s.value for s in sums] == pytest.approx(mm["x"].grad[row - 1].tolist())
    with pytest.raises(ValueError, match="row n"):
        matmul_elementwise(mm, dy, n=n + 1)
    with pytest.raises(ValueError, match="shape"):
        matmul_elementwise(mm, np.ones((n + 1, h)))


def test_matmul_elementwise_by_hand_for_d_h_2():
    """D = H = 2 as in seed 002: ∂L/∂x₁ = dy₁·W₁₁ + dy₂·W₁₂, ∂L/∂x₂ = dy₁·W₂₁ + dy₂·W₂₂."""
    from lessons.graph import matmul_graph

    mm = matmul_graph([[1.0, 2.0]], [[1.0, 2.0], [3.0, 4.0]])
    dy = np.array([[0.5, -1.0]])
    mm.backward(dy)
    sums = matmul_elementwise(mm, dy)
    assert [s.value for s in sums] == [0.5 * 1 - 1.0 * 2, 0.5 * 3 - 1.0 * 4] == [-1.5, -2.5]
    assert mm["x"].grad.tolist() == [[-1.5, -2.5]]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_repeat_and_sum_examples(n):
    rep, dy = repeat_example(n)
    assert rep.output.shape == (n, 3) and dy.shape == (n, 3)
    rep.backward(dy)
    assert rep["x"].grad.tolist() == dy.sum(axis=0).tolist()
    sm, dy = sum_example(n)
    assert sm["x"].shape == (n, 3) and sm.output.value.tolist() == sm["x"].value.sum(0).tolist()
    sm.backward(dy)
    assert sm["x"].grad.tolist() == [[1.0, -1.0, 2.0]] * n


def test_matmul_example_is_the_same_for_the_same_shapes():
    mm, dy = matmul_example(2, 3, 2)
    again, dy_again = matmul_example(2, 3, 2)
    assert np.array_equal(mm["x"].value, again["x"].value) and np.array_equal(dy, dy_again)
    mm.backward(dy)
    x, W = mm["x"].value, mm["W"].value
    assert x.shape == (2, 3) and W.shape == (3, 2) and dy.shape == (2, 2)
    assert np.array_equal(mm["x"].grad, dy @ W.T) and np.array_equal(mm["W"].grad, x.T @ dy)
    assert set(np.unique(x)) <= set(range(-3, 4)) and set(np.unique(dy)) <= set(range(-2, 3))
