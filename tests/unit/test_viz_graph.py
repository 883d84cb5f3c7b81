"""Tests for viz.graph: numbers as text, DOT drawn from engine graphs (well formed, every
node and edge, gradients only once backward reached them, the highlighted step), and the
matrix shape figure."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from engine.autograd import Graph, variable
from lessons.expression import parse
from lessons.graph import (
    affine_graph,
    cafe_graph,
    chain_rule_graph,
    matmul_graph,
    sigmoid_graph,
    softmax_cross_entropy_graph,
)
from viz import common
from viz.graph import (
    CURRENT,
    CURRENT_FILL,
    FONT_SIZES,
    GRAD,
    HANGUL_EXTRA_EM,
    NODE_MARGIN,
    backward_rule_latex,
    branch_latex,
    chain_rule_numbers_latex,
    columns,
    format_inline,
    format_number,
    format_shape,
    format_value,
    graph_dot,
    hangul_margin,
    matmul_backward_figure,
    matmul_elementwise_latex,
    matmul_shapes_figure,
    matmul_shapes_latex,
    sigmoid_check_latex,
    softmax_lane_latex,
)

# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3_190_000, "3,190,000"),
        (1.1 * 2_900_000, "3,190,000"),  # 3190000.0000000005 is a whole number here
        (33_000.000000000004, "33,000"),
        (-33_000, "-33,000"),
        (2.2, "2.2"),
        (1.1 * 2, "2.2"),
        (16.5, "16.5"),
        (0.19661193324148185, "0.1966"),
        (-0.5344466633, "-0.5344"),
        (1234.5678, "1,234.57"),
        (0.0, "0"),
        (-0.0, "0"),
        (1e-7, "1.000e-07"),
        (2.5e20, "2.500e+20"),
        (float("inf"), "inf"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


def test_format_value_scalars_vectors_matrices_and_big_arrays():
    assert format_value(np.array(3_190_000.0)) == "3,190,000"
    assert format_value([0.3, 2.9, 4.0]) == "[0.3, 2.9, 4]"
    assert format_value([1000.0, 2.0]) == "[1000, 2]"  # no separators inside a list
    m = np.array([[1.0, 2.0], [3.0, 4.5]])
    assert format_value(m) == "[1, 2]\n[3, 4.5]"
    assert format_value(m, multiline=False) == "[[1, 2], [3, 4.5]]"
    assert format_value(np.zeros((30, 50))) == "(30×50)"
    assert format_value(np.zeros((2, 2, 2))) == "(2×2×2)"
    assert format_shape((3,)) == "3" and format_shape((2, 3)) == "2×3"


# ---------------------------------------------------------------- DOT


EDGE = re.compile(r"^\s*n(\d+) -> n(\d+) \[(.*)\];$")
NODE = re.compile(r"^\s*n(\d+) \[(.*)\];$")


def edge_lines(dot: str) -> list[tuple[int, int, str]]:
    return [(int(m[1]), int(m[2]), m[3]) for line in dot.splitlines()
            if (m := EDGE.match(line))]


def node_lines(dot: str) -> dict[int, str]:
    return {int(m[1]): m[2] for line in dot.splitlines() if (m := NODE.match(line))}


def assert_well_formed(dot: str) -> None:
    """Balanced braces and HTML-label brackets, one statement per line, nothing unescaped."""
    assert dot.startswith("digraph G {") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    for line in dot.splitlines()[1:-1]:
        assert line.rstrip().endswith(";"), line
        for label in re.findall(r"label=<(.*?)>(?:,|\])", line):
            assert label.count("<") == label.count(">"), label
        # attribute values in quotes: quotes inside them are escaped
        assert line.count('"') - line.count('\\"') * 2 >= 0


GRAPHS = {
    "café": cafe_graph,
    "chain": chain_rule_graph,
    "sigmoid": sigmoid_graph,
    "softmax-CE": lambda: softmax_cross_entropy_graph([0.3, 2.9, 4.0], [0.0, 0.0, 1.0]),
    "affine": affine_graph,
    "expression": lambda: parse("x*x + log(1 + exp(y)) / tanh(x)", 0.7, -1.2),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_every_node_and_edge_appears_once(name):
    graph = GRAPHS[name]()
    steps = graph.backward()
    for upto in (0, 1, len(steps) // 2, len(steps)):
        dot = graph_dot(graph, steps, upto)
        assert_well_formed(dot)
        nodes = node_lines(dot)
        assert sorted(nodes) == list(range(len(graph.nodes)))
        index = {id(n): i for i, n in enumerate(graph.nodes)}
        expected = sorted((index[id(s)], index[id(t)]) for s, t in graph.edges())
        assert sorted((a, b) for a, b, _ in edge_lines(dot)) == expected
        assert dot.count("-> out") == 1  # the output's own edge


def test_forward_only_has_values_and_no_gradients():
    graph = cafe_graph()
    dot = graph_dot(graph)
    assert GRAD not in dot and CURRENT_FILL not in dot
    assert "3,190,000" in dot and "1,000,000" in dot and "2,900,000" in dot
    assert "rankdir=LR" in dot


def _grad_edges(graph: Graph, dot: str) -> set[tuple[str, str]]:
    labels = [n.label for n in graph.nodes]
    return {(labels[a], labels[b]) for a, b, attrs in edge_lines(dot) if GRAD in attrs}


def test_gradients_appear_only_after_backward_reaches_their_edge():
    graph = cafe_graph()
    steps = graph.backward()
    assert _grad_edges(graph, graph_dot(graph, steps, 0)) == set()
    # step 1 processes 'total': its two input edges now carry gradients
    assert _grad_edges(graph, graph_dot(graph, steps, 1)) == {
        ("subtotal", "total"), ("tax", "total")}
    seen = set()
    for k in range(1, len(steps) + 1):
        now = _grad_edges(graph, graph_dot(graph, steps, k))
        expected = {(e.source.label, e.target.label) for s in steps[:k] for e in s.edges}
        assert now == expected
        assert seen <= now  # once drawn, a gradient stays
        seen = now
    assert len(seen) == len(graph.edges())


def test_gradient_label_is_the_engine_downstream():
    graph = cafe_graph()
    steps = graph.backward()
    dot = graph_dot(graph, steps, highlight=False)
    line = next(attrs for a, b, attrs in edge_lines(dot)
                if graph.nodes[a].label == "chair_count" and graph.nodes[b].label == "chair_cost")
    assert f'COLOR="{GRAD}">33,000<' in line
    out_line = next(x for x in dot.splitlines() if "-> out" in x)
    assert "3,190,000" in out_line and f'COLOR="{GRAD}">1<' in out_line


def test_highlighted_node_is_the_current_step_with_upstream_times_local():
    graph = chain_rule_graph(1.0, 2.0)
    steps = graph.backward()
    labels = [n.label for n in graph.nodes]
    for k, step in enumerate(steps, start=1):
        dot = graph_dot(graph, steps, k)
        lit = [labels[i] for i, attrs in node_lines(dot).items() if CURRENT_FILL in attrs]
        assert lit == [step.node.label]
        lit_edges = [(labels[a], labels[b]) for a, b, attrs in edge_lines(dot)
                     if f'color="{CURRENT}"' in attrs]
        assert lit_edges == [(e.source.label, step.node.label) for e in step.edges]
    # at 'z' (t²): upstream 1 × local 2t = 6 on the edge t -> z
    dot = graph_dot(graph, steps, 1)
    assert "1 × 6 = 6" in dot
    # at 't' (add): 6 × 1 = 6 on both inputs
    assert graph_dot(graph, steps, 2).count("6 × 1 = 6") == 2
    assert CURRENT_FILL not in graph_dot(graph, steps, 2, highlight=False)


def test_array_edges_show_matrices_or_shapes():
    graph = matmul_graph()
    steps = graph.backward()
    dot = graph_dot(graph, steps)
    assert "[1, 2, 3]<BR/>[4, 5, 6]" in dot  # x, one row per line
    assert "(2×3)" in dot  # x's node shows its shape
    big = Graph(variable(np.ones((5, 5)), "x") @ variable(np.ones((5, 5)), "W"))
    dot = graph_dot(big, big.backward())
    assert "(5×5)" in dot and "[1, 1, 1, 1, 1]" not in dot


def test_names_and_tags_are_escaped():
    graph = sigmoid_graph(1.0)
    steps = graph.backward()
    dot = graph_dot(graph, steps, names={"x": 'a<b & "c"', "y": "출력"},
                    edge_tags={("1+exp(-x)", "y"): "#1"})
    assert_well_formed(dot)
    assert "a&lt;b &amp; &quot;c&quot;" in dot and "a<b" not in dot
    assert "출력" in dot and ">#1<" in dot
    assert 'tooltip="1+exp(-x)"' in dot


def test_long_graphs_turn_top_to_bottom():
    graph = softmax_cross_entropy_graph([1.0, 2.0, 3.0], [0.0, 1.0, 0.0])
    assert max(columns(graph).values()) + 1 > 7
    assert "rankdir=TB" in graph_dot(graph, max_columns=7)
    assert "rankdir=LR" in graph_dot(graph) and "rankdir=LR" in graph_dot(graph, max_columns=9)
    assert "rankdir=LR" in graph_dot(cafe_graph(), max_columns=7)


def test_columns_put_leaves_next_to_their_consumer():
    graph = cafe_graph()
    col = columns(graph)
    by_label = {n.label: col[id(n)] for n in graph.nodes}
    assert by_label["machine_price"] == 0 and by_label["machine_cost"] == 1
    assert by_label["subtotal"] == 2 and by_label["tax"] == 2 and by_label["total"] == 3


def test_slides_use_bigger_type():
    graph = cafe_graph()
    small = re.search(r"fontsize=(\d+)", graph_dot(graph))[1]
    big = re.search(r"fontsize=(\d+)", graph_dot(graph, slides=True))[1]
    assert int(big) > int(small)


def test_upto_out_of_range_raises():
    graph = cafe_graph()
    steps = graph.backward()
    with pytest.raises(ValueError, match="upto"):
        graph_dot(graph, steps, len(steps) + 1)
    with pytest.raises(ValueError, match="upto"):
        graph_dot(graph, steps, -1)


# ---------------------------------------------------------------- matmul shapes


def test_matmul_shapes_figure_draws_every_matrix_to_scale():
    x, W, dy = np.ones((2, 3)), np.arange(6.0).reshape(3, 2), np.array([[1.0, -1.0], [2.0, 0.0]])
    fig = matmul_shapes_figure([
        [("dy", dy), "·", ("Wᵀ", W.T), "=", ("dx", dy @ W.T)],
        [("xᵀ", x.T), "·", ("dy", dy), "=", ("dW", x.T @ dy)],
    ])
    assert isinstance(fig, go.Figure)
    heatmaps = [tr for tr in fig.data if tr.type == "heatmap"]
    assert len(heatmaps) == 6
    shapes = [np.asarray(h.z).shape for h in heatmaps]
    assert shapes == [(2, 2), (2, 3), (2, 3), (3, 2), (2, 2), (3, 2)]
    texts = " ".join(a.text for a in fig.layout.annotations)
    for caption in ("<b>dy</b> (2×2)", "<b>Wᵀ</b> (2×3)", "<b>dx</b> (2×3)", "<b>dW</b> (3×2)"):
        assert caption in texts
    assert texts.count("·") == 2 and texts.count("=") == 2
    # one colour scale for all, centred on 0
    assert {h.zmid for h in heatmaps} == {0}
    assert len({(h.zmin, h.zmax) for h in heatmaps}) == 1


def test_matmul_shapes_figure_needs_a_matrix():
    with pytest.raises(ValueError, match="at least one"):
        matmul_shapes_figure([["·"]])


def test_font_css_keeps_every_size_graph_dot_uses():
    from viz.graph import FONT_SIZES, font_css

    css = font_css()
    assert css.startswith("<style>") and css.endswith("</style>")
    for slides in (False, True):
        dot = graph_dot(cafe_graph(), slides=slides)
        used = {float(v) for v in re.findall(r'(?:fontsize=|POINT-SIZE=")(\d+)', dot)}
        assert used <= set(FONT_SIZES[slides])
        for size in used:
            assert f'text[font-size="{size:.2f}"] {{ font-size: {size:g}px; }}' in css


def test_a_numeric_constant_is_its_own_label_a_named_one_shows_its_value():
    from lessons.graph import branch_graph

    graph = branch_graph(2.0, weights=(2.0, 3.0))
    nodes = node_lines(graph_dot(graph))
    labels = {n.label: nodes[i] for i, n in enumerate(graph.nodes)}
    assert "w1</B><BR/>" in labels["w1"] and ">2<" in labels["w1"]
    one = parse("1 + x", 2.0)
    nodes = node_lines(graph_dot(one))
    assert nodes[0].startswith("label=<<B>1</B>>")  # just '1', not '1' and its value again


# ---------------------------------------------------------------- shared pieces, formulas


def test_numbers_and_ink_are_the_shared_ones():
    from viz import graph, palette

    assert graph.format_number is common.format_number
    # gradients in the sign scale's red: the app's red (vermillion) is too near CURRENT
    assert graph.INK == common.INK and GRAD == palette.POSITIVE


def test_format_inline_writes_a_matrix_on_one_line():
    assert format_inline(np.array([[1.0, 2.0], [3.0, 4.5]])) == "[[1, 2], [3, 4.5]]"
    assert format_inline(2_900_000.0) == "2,900,000"
    assert "\n" not in format_inline(np.ones((3, 3)))


def test_formulas_carry_the_graphs_numbers():
    chain = chain_rule_graph(1.0, 2.0)
    chain.backward()
    assert chain_rule_numbers_latex(chain).endswith(r"2 \cdot (3) \cdot 1 = 6 \cdot 1 = 6")
    sig = sigmoid_graph(1.0)
    sig.backward()
    text = sigmoid_check_latex(sig, "backprop")
    assert r"y(1-y) = 0.7311 \times 0.2689 = 0.1966" in text and text.endswith("= 0.1966")
    assert r"\text{backprop}" in text
    from lessons.graph import branch_graph

    br = branch_graph(2.0, weights=(2.0, 3.0))
    br.backward()
    assert branch_latex(br).endswith("= 2 + 3 = 5")
    assert r"\underset{4\times3}" in matmul_shapes_latex(4, 3, 1)
    assert r"\text{down}" in backward_rule_latex("down", "local", "up")


def test_matmul_backward_figure_shows_both_products():
    graph = matmul_graph()
    dy = np.array([[1.0, -1.0], [2.0, 0.0]])
    graph.backward(dy)
    fig = matmul_backward_figure(graph, dy, "red +, blue −")
    captions = [a.text for a in fig.layout.annotations]
    assert "<b>dx</b> (2×3)" in captions and "<b>dW</b> (3×2)" in captions
    heatmaps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert np.allclose(heatmaps[2].z, dy @ graph["W"].value.T)


def test_matmul_figure_colours_by_the_apps_sign_convention_and_says_so_once():
    """Red +, blue −, white 0 (viz.common.DIVERGING), centred at 0, with one sign key."""
    graph = matmul_graph()
    dy = np.array([[1.0, -1.0], [2.0, 0.0]])
    graph.backward(dy)
    fig = matmul_backward_figure(graph, dy, "빨강 +, 파랑 −")
    heatmaps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    expected = tuple(tuple(stop) for stop in common.DIVERGING)
    for h in heatmaps:
        assert tuple(tuple(stop) for stop in h.colorscale) == expected
        assert h.zmid == 0 and h.zmin == -h.zmax
    assert expected[-1][1] == "#b2182b" and expected[0][1] == "#2166ac"  # red top, blue bottom
    keys = [a for a in fig.layout.annotations if a.name == "sign_key"]
    assert [a.text for a in keys] == ["빨강 +, 파랑 −"]
    assert not [a for a in matmul_shapes_figure([[("a", np.eye(2))]]).layout.annotations
                if a.name == "sign_key"]


def _margins(dot: str) -> dict[str, float]:
    """tooltip (engine label) -> the node's across margin in the DOT text."""
    found = {}
    for line in dot.splitlines():
        tip = re.search(r'tooltip="([^"]*)"', line)
        if tip and line.lstrip().startswith("n"):
            m = re.search(r'margin="([\d.]+),', line)
            found[tip[1]] = float(m[1]) if m else NODE_MARGIN[0]
    return found


def test_korean_node_labels_get_room_for_hangul():
    """Graphviz measures a Hangul syllable about half as wide as it draws it: nodes with
    Korean names get a wider margin, growing with the longest Korean line; others none."""
    graph = cafe_graph()
    english = _margins(graph_dot(graph, names={"chair_price": "chair price", "total": "total"}))
    korean = _margins(graph_dot(graph, names={"chair_price": "의자 가격", "total": "총액",
                                              "subtotal": "소계"}))
    assert set(english.values()) == {NODE_MARGIN[0]}
    assert korean["chair_price"] > korean["total"] > NODE_MARGIN[0]
    assert korean["total"] == korean["subtotal"]  # two syllables each
    assert korean["machine_price"] == NODE_MARGIN[0]  # no Korean name: no extra room
    # four syllables at the leaf's font size: half the extra width on each side
    size = FONT_SIZES[False][0]
    assert korean["chair_price"] == pytest.approx(
        NODE_MARGIN[0] + 4 * HANGUL_EXTRA_EM * size / 72 / 2, abs=1e-3)
    assert hangul_margin([("abc", 13)]) == NODE_MARGIN[0]
    assert hangul_margin([("가나", 13), ("가", 13)]) == hangul_margin([("가나", 13)])


def test_softmax_and_matmul_formulas_carry_the_graphs_numbers():
    from lessons.graph import matmul_elementwise, one_hot, softmax_check

    ce = softmax_cross_entropy_graph([0.3, 2.9, 4.0], one_hot(2, 3))
    check = softmax_check(ce, ce.backward())
    text = softmax_lane_latex(check.lanes[2], check.s)
    assert r"\frac{t_3}{\exp(a_3)}" in text
    assert text.endswith(r"= 0.7366 - 1 = y_3 - t_3\end{aligned}")
    assert f"= {format_number(check.lanes[2].grad_a)} = 0.7366" in text
    mm = matmul_graph([[1.0, 2.0]], [[1.0, 2.0], [3.0, -4.0]])
    dy = np.array([[0.5, -1.0]])
    mm.backward(dy)
    text = matmul_elementwise_latex(matmul_elementwise(mm, dy))
    assert r"0.5 \cdot 1 + (-1) \cdot 2 = -1.5" in text
    assert r"0.5 \cdot 3 + (-1) \cdot (-4) = 5.5" in text
    assert text.count(r"\frac{\partial L}{\partial x_") == 2
