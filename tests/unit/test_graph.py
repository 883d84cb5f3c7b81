"""Tests for engine.autograd: gradient checks for every node type (alone and in the lesson's
graphs), the step-by-step backward, and the errors bad input raises. The lesson's worked
numbers (café, chain rule, sigmoid, softmax with cross-entropy) are in test_lessons_graph.py."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.autograd import (
    Graph,
    Node,
    add,
    branch,
    central_difference,
    constant,
    copy,
    exp,
    finite_array,
    log,
    matmul,
    mul,
    negate,
    parenthesized,
    power,
    reciprocal,
    relu,
    repeat,
    sigmoid,
    square,
    sum_,
    tanh,
    variable,
)
from lessons.graph import (
    affine_graph,
    branch_graph,
    cafe_graph,
    chain_rule_graph,
    matmul_graph,
    repeat_graph,
    sigmoid_graph,
    softmax_cross_entropy_graph,
    sum_graph,
)
from tests.graph_steps import edge_into

TOL = 1e-6
FAST = settings(max_examples=25, deadline=None)
finite = st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False)


# ---------------------------------------------------------------- helpers


def rel_error(a, b) -> float:
    """max |a − b| / max(|a| + |b|), with a tiny floor so all-zero gradients compare."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), 1e-12))


def assert_grad_check(graph: Graph, dout=None, tol: float = TOL) -> None:
    """Backprop and central differences agree on every leaf of `graph`."""
    graph.backward(dout)
    for leaf in graph.leaves:
        numeric = central_difference(graph, leaf, dout=dout)
        err = rel_error(leaf.grad, numeric)
        assert err < tol, (
            f"gradient check failed for leaf {leaf.label!r} of {graph!r}:\n"
            f"  backprop  {leaf.grad}\n  numerical {numeric}\n"
            f"  relative error {err:.3g} ≥ {tol:g}: the backward of some node on the path "
            "from this leaf to the output disagrees with its forward"
        )


def random_dout(graph: Graph, rng: np.random.Generator) -> np.ndarray:
    """A random upstream for the output (ones would hide transposed gradients)."""
    return rng.normal(size=graph.output.shape)


# ---------------------------------------------------------------- gradient checks per node


def _rng_normal(rng, shape):
    return rng.normal(size=shape)


def _rng_positive(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape)


NODE_CASES: dict[str, Callable[[np.random.Generator], Graph]] = {
    "add (3 inputs)": lambda r: Graph(
        variable(_rng_normal(r, (2, 3)), "a")
        + variable(_rng_normal(r, (2, 3)), "b")
        + variable(_rng_normal(r, (2, 3)), "c")
    ),
    "add scalar": lambda r: chain_rule_graph(*r.normal(size=2)),
    "mul": lambda r: Graph(
        mul(variable(_rng_normal(r, (3,)), "a"), variable(_rng_normal(r, (3,)), "b"))
    ),
    "negate": lambda r: Graph(negate(variable(_rng_normal(r, (4,)), "x"))),
    "subtract": lambda r: Graph(
        variable(_rng_normal(r, (2,)), "a") - variable(_rng_normal(r, (2,)), "b")
    ),
    "reciprocal": lambda r: Graph(reciprocal(variable(_rng_positive(r, (3,)), "x"))),
    "divide": lambda r: Graph(
        variable(_rng_normal(r, (3,)), "a") / variable(-_rng_positive(r, (3,)), "b")
    ),
    "exp": lambda r: Graph(exp(variable(_rng_normal(r, (2, 2)), "x"))),
    "log": lambda r: Graph(log(variable(_rng_positive(r, (3,)), "x"))),
    "square": lambda r: Graph(square(variable(_rng_normal(r, (3,)), "x"))),
    "power 3": lambda r: Graph(power(variable(_rng_normal(r, (3,)), "x"), 3)),
    "power 0.5": lambda r: Graph(power(variable(_rng_positive(r, (3,)), "x"), 0.5)),
    "power -2": lambda r: Graph(variable(_rng_positive(r, (3,)), "x") ** -2),
    "matmul": lambda r: Graph(
        variable(_rng_normal(r, (4, 3)), "x") @ variable(_rng_normal(r, (3, 2)), "W")
    ),
    "sum all": lambda r: Graph(sum_(variable(_rng_normal(r, (2, 3)), "x"))),
    "sum axis 0": lambda r: Graph(variable(_rng_normal(r, (2, 3)), "x").sum(axis=0)),
    "sum axis 1": lambda r: Graph(variable(_rng_normal(r, (2, 3)), "x").sum(axis=1)),
    "sum axis -1": lambda r: Graph(variable(_rng_normal(r, (2, 3)), "x").sum(axis=-1)),
    "repeat vector": lambda r: Graph(variable(_rng_normal(r, (3,)), "x").repeat(4)),
    "repeat scalar": lambda r: Graph(repeat(variable(r.normal(), "x"), 3)),
    "copy": lambda r: Graph(copy(variable(_rng_normal(r, (3,)), "x"))),
    "branch": lambda r: branch_graph(_rng_normal(r, (3,)), weights=(2.0, -1.0, 0.5)),
    "reused node": lambda r: Graph((lambda x: x * x.exp())(variable(_rng_normal(r, (3,)), "x"))),
    "relu": lambda r: Graph(
        relu(variable(r.choice([-1.0, 1.0], (2, 3)) * _rng_positive(r, (2, 3)), "x"))
    ),
    "sigmoid nodes": lambda r: Graph(sigmoid(variable(_rng_normal(r, (3,)), "x"))),
    "tanh nodes": lambda r: Graph(tanh(variable(_rng_normal(r, (3,)), "x"))),
    "café": lambda r: cafe_graph(),
    "sigmoid": lambda r: sigmoid_graph(_rng_normal(r, (4,))),
    "softmax-CE": lambda r: softmax_cross_entropy_graph(_rng_normal(r, (5,)), np.eye(5)[2]),
    "affine": lambda r: affine_graph(
        _rng_normal(r, (4, 3)), _rng_normal(r, (3, 2)), _rng_normal(r, (2,))
    ),
}


@pytest.mark.parametrize("name", list(NODE_CASES))
def test_gradient_check_every_node_type(name):
    rng = np.random.default_rng(sum(map(ord, name)))
    graph = NODE_CASES[name](rng)
    assert_grad_check(graph, dout=random_dout(graph, rng))


def test_gradient_check_default_dout_is_ones():
    graph = matmul_graph()
    steps = graph.backward()
    assert np.array_equal(steps[0].upstream, np.ones((2, 2)))
    assert_grad_check(graph)


def test_central_difference_restores_values():
    graph = sigmoid_graph(np.array([0.5, -1.0]))
    before = {n.label: n.value.copy() for n in graph.nodes}
    central_difference(graph, "x")
    for n in graph.nodes:
        assert np.array_equal(n.value, before[n.label]), n.label


def test_relu_sigmoid_tanh_values_and_gradients():
    xs = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    g = Graph(relu(variable(xs, "x")))
    g.backward()
    assert np.array_equal(g.output.value, [0.0, 0.0, 0.0, 0.5, 2.0])
    assert np.array_equal(g["x"].grad, [0.0, 0.0, 0.0, 1.0, 1.0])  # 0 at the kink
    g = Graph(sigmoid(variable(xs, "x")))
    g.backward()
    s = 1 / (1 + np.exp(-xs))
    assert np.allclose(g.output.value, s) and np.allclose(g["x"].grad, s * (1 - s))
    g = Graph(tanh(variable(xs, "x")))
    g.backward()
    assert np.allclose(g.output.value, np.tanh(xs))
    assert np.allclose(g["x"].grad, 1 - np.tanh(xs) ** 2)


def test_derived_nodes_take_their_labels_from_the_input():
    g = Graph(sigmoid(variable(1.0, "x")))
    assert [n.label for n in g.nodes] == ["x", "-x", "exp(-x)", "1", "1+exp(-x)", "sigmoid(x)"]
    a = variable(1.0, "a")
    assert sigmoid(a + a).label == "sigmoid(add)"
    assert tanh(exp(a, label="exp(a)")).label == "tanh(exp(a))"
    assert "exp(-exp(a))" in Graph(sigmoid(exp(a, label="exp(a)")))
    assert "-(exp(a)+b)" in Graph(sigmoid(exp(a, label="exp(a)+b")))
    assert relu(a).symbol == "ReLU"


# ---------------------------------------------------------------- branch, repeat, sum, matmul


def test_branch_sums_gradients():
    graph = branch_graph(2.0, weights=(2.0, 3.0))
    steps = graph.backward()
    assert graph.output.value == 10.0
    downs = [edge_into(steps, f"x copy {i}", "x").downstream for i in (1, 2)]
    assert [float(d) for d in downs] == [2.0, 3.0]
    assert float(graph["x"].grad) == 5.0


def test_branch_function_and_reuse_without_copy_nodes_agree():
    x = variable([1.0, 2.0], "x")
    c1, c2 = branch(x)
    g_branch = Graph(mul(c1, c2))
    g_branch.backward()
    y = variable([1.0, 2.0], "y")
    g_reuse = Graph(y * y)
    g_reuse.backward()
    assert np.array_equal(x.grad, [2.0, 4.0])
    assert np.array_equal(y.grad, x.grad)


@FAST
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_repeat_shapes_and_gradient(n, d, data):
    x = data.draw(hnp.arrays(np.float64, d, elements=finite), label="x")
    dy = data.draw(hnp.arrays(np.float64, (n, d), elements=finite), label="dy")
    graph = repeat_graph(x, n)
    assert graph.output.shape == (n, d)
    assert np.array_equal(graph.output.value, np.tile(x, (n, 1)))
    (step, *_) = graph.backward(dy)
    assert step.edges[0].local.shape == (n, d)
    assert np.allclose(graph["x"].grad, dy.sum(axis=0))


@FAST
@given(st.integers(1, 4), st.integers(1, 4), st.sampled_from([None, 0, 1]), st.data())
def test_sum_shapes_and_gradient(n, d, axis, data):
    x = data.draw(hnp.arrays(np.float64, (n, d), elements=finite), label="x")
    graph = sum_graph(x, axis)
    expected_shape = {None: (), 0: (d,), 1: (n,)}[axis]
    assert graph.output.shape == expected_shape
    dy = data.draw(hnp.arrays(np.float64, expected_shape, elements=finite), label="dy")
    graph.backward(dy)
    repeated = np.broadcast_to(dy if axis is None else np.expand_dims(dy, axis), (n, d))
    assert np.allclose(graph["x"].grad, repeated)


@FAST
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.data())
def test_matmul_shapes_and_gradient(n, d, h, data):
    x = data.draw(hnp.arrays(np.float64, (n, d), elements=finite), label="x")
    W = data.draw(hnp.arrays(np.float64, (d, h), elements=finite), label="W")
    dy = data.draw(hnp.arrays(np.float64, (n, h), elements=finite), label="dy")
    graph = matmul_graph(x, W)
    assert graph.output.shape == (n, h)
    steps = graph.backward(dy)
    dx_edge, dW_edge = steps[0].edges
    assert dx_edge.rule == "dx = dy · Wᵀ" and dW_edge.rule == "dW = xᵀ · dy"
    assert np.array_equal(dx_edge.local, W.T) and np.array_equal(dW_edge.local, x.T)
    assert graph["x"].grad.shape == (n, d) and graph["W"].grad.shape == (d, h)
    assert np.allclose(graph["x"].grad, dy @ W.T)
    assert np.allclose(graph["W"].grad, x.T @ dy)


def test_affine_bias_gradient_sums_over_batch():
    graph = affine_graph()
    dy = np.array([[1.0, 2.0], [3.0, 4.0]])
    graph.backward(dy)
    assert np.allclose(graph["b"].grad, [4.0, 6.0])
    assert graph["repeat b"].shape == (2, 2)


# ---------------------------------------------------------------- step-by-step backward


@pytest.mark.parametrize(
    "build",
    [
        cafe_graph,
        sigmoid_graph,
        lambda: softmax_cross_entropy_graph([1, 2, 3], [0, 1, 0]),
        affine_graph,
        branch_graph,
    ],
)
def test_backward_steps_reverse_topological_order_and_final_grads(build):
    graph = build()
    steps = list(graph.backward_steps())
    assert [s.index for s in steps] == list(range(len(graph.nodes)))
    assert [s.node for s in steps] == graph.nodes[::-1]
    assert steps[0].node is graph.output
    position = {id(s.node): s.index for s in steps}
    for step in steps:
        # a node is processed only after every node that consumes it
        for edge in step.edges:
            assert edge.target is step.node
            assert position[id(edge.target)] < position[id(edge.source)]
            assert np.array_equal(edge.upstream, step.upstream)
        # its upstream is final: the sum of the downstreams sent to it
        sent = [e.downstream for s in steps for e in s.edges if e.source is step.node]
        if sent:
            assert np.allclose(step.upstream, np.sum(sent, axis=0))
        assert len(step.edges) == len(step.node.inputs)
    stepped = {n.label: n.grad.copy() for n in graph.nodes}
    graph.backward()
    for n in graph.nodes:
        assert np.array_equal(n.grad, stepped[n.label]), n.label


def test_backward_steps_lights_one_node_at_a_time():
    graph = chain_rule_graph(1.0, 2.0)
    steps = graph.backward_steps()
    first = next(steps)
    assert first.node.label == "z" and float(first.edges[0].downstream) == 6.0
    assert float(graph["x"].grad) == 0.0  # not reached yet
    for _ in steps:
        pass
    assert float(graph["x"].grad) == 6.0


def test_elementwise_edges_downstream_is_local_times_upstream():
    graph = sigmoid_graph(np.array([-1.0, 0.0, 2.0]))
    for step in graph.backward():
        for edge in step.edges:
            assert np.allclose(edge.downstream, edge.local * edge.upstream)


def test_backward_twice_does_not_accumulate():
    graph = cafe_graph()
    graph.backward()
    graph.backward()
    assert float(graph["tax"].grad) == 2_900_000


def test_node_backward_and_forward_recompute():
    x = variable(3.0, "x")
    z = (x + 1.0) ** 2
    z.backward()
    assert float(x.grad) == 8.0
    graph = Graph(z)
    x.value = np.array(4.0)
    assert graph.forward() == 25.0


def test_reprs_and_symbols():
    graph = sigmoid_graph(1.0)
    steps = graph.backward()
    assert "label='y'" in repr(graph.output)
    assert "1+exp(-x) -> y" in repr(steps[0].edges[0])
    assert "BackwardStep(0" in repr(steps[0])
    assert "Graph(output='y'" in repr(graph)
    assert graph.output.symbol == "/"
    assert power(variable(2.0), 3).symbol == "**3"
    assert len(graph.edges()) == 5
    assert "x" in graph and "nope" not in graph
    assert repr(variable(np.zeros((4, 4)), "big")).count("array(4, 4)") == 2


# ---------------------------------------------------------------- power edge cases

# (x, p, xᵖ, p·xᵖ⁻¹), each worked by hand; p = 0 has derivative 0 everywhere (xᵖ is the
# constant 1, 0⁰ included), p = 1 has derivative 1 everywhere (0 included).
POWER_CASES = [
    (3.0, 0, 1.0, 0.0),
    (0.0, 0, 1.0, 0.0),
    (-2.0, 0, 1.0, 0.0),
    (-2.5, 1, -2.5, 1.0),
    (0.0, 1, 0.0, 1.0),
    (-3.0, 2, 9.0, -6.0),
    (-2.0, 3, -8.0, 12.0),
    (2.0, -1, 0.5, -0.25),
    (-2.0, -2, 0.25, 0.25),  # −2 · (−2)⁻³ = −2 · (−1/8)
    (4.0, 0.5, 2.0, 0.25),  # ½ · 4^(−½)
    (4.0, 1.5, 8.0, 3.0),  # 1.5 · 4^½
    (4.0, -0.5, 0.5, -0.0625),  # −½ · 4^(−3/2) = −½ · ⅛
]


@pytest.mark.parametrize(("x", "p", "value", "grad"), POWER_CASES,
                         ids=[f"{x:g}^{p:g}" for x, p, _, _ in POWER_CASES])
def test_power_values_and_gradients_by_hand(x, p, value, grad):
    graph = Graph(power(variable(x, "x"), p))
    steps = graph.backward()
    assert float(graph.output.value) == pytest.approx(value, rel=1e-15, abs=0)
    assert float(graph["x"].grad) == pytest.approx(grad, rel=1e-15, abs=0)
    (edge,) = steps[0].edges
    assert float(edge.local) == pytest.approx(grad, rel=1e-15, abs=0)  # the drawn local gradient


def test_power_zero_has_gradient_zero_for_every_element_and_upstream():
    """x⁰ is the constant 1: whatever flows in from above, nothing flows down to x."""
    graph = Graph(power(variable([-2.0, 0.0, 3.0], "x"), 0))
    graph.backward(np.array([2.0, -1.0, 0.5]))
    assert graph.output.value.tolist() == [1.0, 1.0, 1.0]
    assert graph["x"].grad.tolist() == [0.0, 0.0, 0.0]


def test_power_one_passes_the_upstream_through_unchanged():
    graph = Graph(power(variable([-2.0, 0.0, 3.0], "x"), 1))
    graph.backward(np.array([2.0, -1.0, 0.5]))
    assert graph.output.value.tolist() == [-2.0, 0.0, 3.0]
    assert graph["x"].grad.tolist() == [2.0, -1.0, 0.5]


def test_power_in_a_sum_adds_its_share_to_the_branch():
    """y = x⁰ + x² + x⁻¹ at x = 2: dy/dx = 0 + 4 − ¼ = 3.75."""
    x = variable(2.0, "x")
    graph = Graph(power(x, 0) + power(x, 2) + power(x, -1))
    graph.backward()
    assert float(graph.output.value) == 5.5
    assert float(x.grad) == 3.75


def test_numpy_array_on_the_left_of_an_operator():
    x = variable([1.0, 2.0], "x")
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Node)
    assert np.array_equal(y.value, [3.0, 8.0])


# ---------------------------------------------------------------- bad input


BAD_INPUT = {
    "add shapes": (lambda: variable(np.ones(2)) + variable(np.ones(3)), "same shape"),
    "mul shapes": (lambda: variable(np.ones((2, 2))) * variable(np.ones(2)), "same shape"),
    "add one input": (lambda: add(variable(1.0)), "at least 2"),
    "matmul inner": (lambda: variable(np.ones((2, 3))) @ variable(np.ones((4, 2))), "same D"),
    "matmul 1-D": (lambda: matmul(variable(np.ones(3)), variable(np.ones((3, 2)))), r"\(N, D\)"),
    "NaN input": (lambda: variable(float("nan")), "NaN"),
    "inf input": (lambda: variable([1.0, np.inf]), "NaN or inf"),
    "not a number": (lambda: variable("abc"), "number"),
    "NaN operand": (lambda: variable(1.0) * float("nan"), "NaN"),
    "log zero": (lambda: log(variable(0.0)), "positive"),
    "log negative": (lambda: log(variable([1.0, -2.0])), "positive"),
    "reciprocal zero": (lambda: reciprocal(variable([1.0, 0.0])), "non-zero"),
    "divide by zero": (lambda: variable(1.0) / 0.0, "non-zero"),
    "exp overflow": (lambda: exp(variable(1000.0)), "NaN or inf"),
    "pow non-number": (lambda: power(variable(1.0), "2"), "exponent"),
    "pow negative base": (lambda: variable(-1.0) ** 0.5, "non-integer"),
    "pow zero negative p": (lambda: variable(0.0) ** -1, "undefined at x = 0"),
    "sum axis": (lambda: sum_(variable(np.ones((2, 2))), axis=2), "axis"),
    "repeat n": (lambda: repeat(variable(1.0), 0), "n ≥ 1"),
    "branch n": (lambda: branch(variable(1.0), 1), "n ≥ 2"),
    "café NaN": (lambda: cafe_graph(cup_price=float("nan")), "cup_price"),
    "café array": (lambda: cafe_graph(tax=[1.1, 1.2]), "single number"),
    "softmax t sum": (lambda: softmax_cross_entropy_graph([1.0, 2.0], [1.0, 1.0]), "sum to 1"),
    "softmax t shape": (lambda: softmax_cross_entropy_graph([1.0, 2.0], [1.0]), "shape"),
    "softmax a 2-D": (lambda: softmax_cross_entropy_graph(np.ones((2, 2)), np.eye(2)), "(K,)"),
    "softmax one class": (lambda: softmax_cross_entropy_graph([1.0], [1.0]), "at least 2"),
    "dout shape": (lambda: matmul_graph().backward(np.ones(3)), "dout"),
    "dout NaN": (lambda: matmul_graph().backward(np.full((2, 2), np.nan)), "NaN"),
    "affine b shape": (lambda: affine_graph(b=[1.0, 2.0, 3.0]), r"\(H,\)"),
    "numerical non-leaf": (lambda: central_difference(cafe_graph(), "subtotal"), "not a leaf"),
    "numerical step": (lambda: central_difference(cafe_graph(), "tax", h=0.0), "positive"),
    "graph of non-node": (lambda: Graph(3.0), "Node"),
}


@pytest.mark.parametrize("name", list(BAD_INPUT))
def test_bad_input_raises_value_error(name):
    build, message = BAD_INPUT[name]
    with pytest.raises(ValueError, match=message):
        build()


def test_unknown_or_ambiguous_label_raises_key_error():
    graph = cafe_graph()
    with pytest.raises(KeyError, match="no node labelled"):
        graph["espresso"]
    a = variable(1.0, "same")
    with pytest.raises(KeyError, match="2 nodes"):
        Graph(a + variable(2.0, "same"))["same"]


def test_constants_from_numbers_take_the_other_operand_shape():
    x = variable(np.ones((2, 3)), "x")
    y = 2.0 * x + 1.0
    assert y.shape == (2, 3)
    assert constant(2.5).label == "2.5"


@pytest.mark.parametrize(("label", "inside"), [
    ("x", "x"), ("2.5", "2.5"), ("exp(x+y)", "exp(x+y)"), ("x+y", "(x+y)"),
    ("exp(x)+y", "(exp(x)+y)"), ("exp(x)*exp(y)", "(exp(x)*exp(y))"), ("-x", "(-x)"),
])
def test_parenthesized_labels_sit_inside_a_bigger_formula(label, inside):
    assert parenthesized(label) == inside


def test_finite_array_is_a_fresh_float64_copy():
    source = np.array([1, 2, 3])
    a = finite_array(source, "x")
    assert a.dtype == np.float64 and a.tolist() == [1.0, 2.0, 3.0]
    a[0] = 9.0
    assert source[0] == 1
    with pytest.raises(ValueError, match="x contains NaN or inf"):
        finite_array([1.0, np.inf], "x")
