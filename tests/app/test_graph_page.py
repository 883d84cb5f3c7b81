"""The computational-graph lesson under AppTest, in both languages: the numbers on the page
are the engine's, the widgets change what they should, the step-by-step backward moves,
and a bad expression is a message, never a traceback."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lessons.expression import ExpressionError, check, parse
from lessons.graph import (
    cafe_graph,
    matmul_elementwise,
    matmul_example,
    sigmoid_graph,
    softmax_check,
    softmax_cross_entropy_graph,
)
from tests.app.helpers import link_notice_details, open_lesson
from tests.app.learner_errors import assert_korean_error
from tests.app.test_i18n import EXPRESSION_ERRORS
from tests.markdown_spans import code_spans
from ui.i18n import LANGS, tr
from viz.common import DIVERGING, format_number
from viz.graph import CURRENT_FILL

PAGE = "app_pages/graph.py"
CAFE_LABELS = [f"{item}_{kind}" for item in ("machine", "table", "chair", "cup")
               for kind in ("price", "count")] + ["tax"]


def open_page(lang: str, **params: str) -> AppTest:
    return open_lesson(PAGE, lang, **params)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    found = [t.value for t in at.table if column in t.value.columns]
    assert found, f"no table with a column {column!r}"
    return found[0]


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def graphviz_specs(at: AppTest) -> list[str]:
    return [el.proto.spec for el in at.get("graphviz_chart")]


@pytest.fixture(params=LANGS)
def page(request) -> tuple[AppTest, str]:
    """The page as it first opens, in each language: a new one for every test."""
    return open_page(request.param), request.param


def test_page_opens_with_its_title_and_every_section(page):
    at, lang = page
    assert at.title[0].value == tr(lang, "lesson.graph.title")
    headers = [h.value for h in at.header]
    for key in ("cafe", "nodes", "chain", "backward", "sigmoid", "ce", "types", "expr"):
        assert tr(lang, f"graph.{key}.header") in headers
    assert not at.error
    other = "en" if lang == "ko" else "ko"
    assert tr(other, "graph.cafe.header") not in headers
    # every graph is drawn from the engine as DOT text for Graphviz
    specs = graphviz_specs(at)
    assert len(specs) >= 10 and all(s.startswith("digraph G {") for s in specs)


def test_cafe_total_and_every_leaf_gradient_are_the_engines(page):
    at, lang = page
    graph = cafe_graph()
    graph.backward()
    assert at.metric[0].value == tr(lang, "graph.won", amount=format_number(graph.output.value))
    assert at.metric[0].value.startswith("3,190,000")
    grads = table_with(at, tr(lang, "graph.col.grad_total"))
    shown = list(grads[tr(lang, "graph.col.grad_total")])
    # the table lists price and count of each item, then the tax factor
    assert shown == [format_number(graph[label].grad) for label in CAFE_LABELS]
    assert shown[:4] == ["2.2", "1,100,000", "5.5", "55,000"]
    meanings = " ".join(grads[tr(lang, "graph.col.meaning")])
    assert "33,000" in meanings and "29,000" in meanings


def test_sigmoid_numbers_are_the_engines_and_simplify_to_y_one_minus_y(page):
    at, lang = page
    graph = sigmoid_graph(1.0)
    graph.backward()
    y = float(graph.output.value)
    table = table_with(at, tr(lang, "graph.col.from_y"))
    engine = list(table[tr(lang, "graph.col.engine")])
    from_y = list(table[tr(lang, "graph.col.from_y")])
    assert engine == from_y
    assert engine[0] == format_number(-(y**2))
    assert engine[3] == format_number(y * (1 - y)) == format_number(graph["x"].grad)


def test_softmax_cross_entropy_backward_is_y_minus_t(page):
    """Seed 002's graph: both paths into exp(a_k), their sum, × exp(a_k) = y − t, live."""
    at, lang = page
    table = table_with(at, "y − t")
    a, t = np.array([0.3, 2.9, 4.0]), np.array([0.0, 0.0, 1.0])
    graph = softmax_cross_entropy_graph(a, t)
    check = softmax_check(graph, graph.backward())
    fn = format_number
    assert list(table[tr(lang, "graph.col.grad_a")]) == [fn(v) for v in check.grad_a]
    assert list(table[tr(lang, "graph.col.grad_a")]) == list(table["y − t"])
    assert list(table[tr(lang, "graph.col.via_s")]) == [fn(1 / check.s)] * 3
    assert list(table[tr(lang, "graph.col.via_y")]) == ["0", "0", fn(-1 / np.exp(4.0))]
    assert list(table[tr(lang, "graph.col.exp_up")]) == [fn(lane.upstream)
                                                         for lane in check.lanes]
    latex = [m.value for m in at.latex if "exp(a_3)" in m.value]
    lane = check.lanes[2]
    assert any(f"= {fn(lane.grad_a)} = {fn(lane.y)} - 1 = y_3 - t_3" in m for m in latex)
    # the graph is the seed's: exp nodes, S, 1/S, y_k, log, × t_k, sum, ×(−1)
    spec = next(s for s in graphviz_specs(at) if 'tooltip="1/S"' in s)
    for label in ("exp(a1)", "S", "y3", "log y3", "t3 log y3", "sum", "L"):
        assert f'tooltip="{label}"' in spec


def test_choosing_another_target_moves_the_minus_t_path(page):
    at, lang = page
    at.selectbox(key="graph.target").set_value(1).run()
    at.number_input(key="graph.a1").set_value(1.5).run()
    assert not at.exception
    graph = softmax_cross_entropy_graph([1.5, 2.9, 4.0], [1.0, 0.0, 0.0])
    check = softmax_check(graph, graph.backward())
    table = table_with(at, "y − t")
    assert list(table["y − t"]) == [format_number(v) for v in check.y_minus_t]
    assert list(table[tr(lang, "graph.col.via_y")])[1:] == ["0", "0"]


def test_matmul_derivation_is_element_by_element_then_the_matrix_form(page):
    at, lang = page
    mm, dy = matmul_example(2, 2, 2)  # the page's default: D = H = 2, as in the seed
    mm.backward(dy)
    sums = matmul_elementwise(mm, dy)
    latex = " ".join(m.value for m in at.latex)
    for s in sums:
        assert f"= {format_number(s.value)}" in latex
    assert [s.value for s in sums] == list((dy @ mm["W"].value.T)[0])
    texts = [m.value for m in at.markdown]
    order = [texts.index(tr(lang, key)) for key in ("graph.types.matmul_paths",
                                                    "graph.types.matmul_matrix",
                                                    "graph.types.matmul_check")]
    assert order == sorted(order)  # the derivation first, the shapes last, as the check
    spec = json.loads(next(c for c in at.get("plotly_chart") if "dW" in c.proto.spec).proto.spec)
    keys = [a["text"] for a in spec["layout"]["annotations"] if a.get("name") == "sign_key"]
    assert keys == [tr(lang, "viz.sign_key")]
    assert {tuple(map(tuple, d["colorscale"])) for d in spec["data"]} == {
        tuple(map(tuple, DIVERGING))}


def test_the_default_expression_shows_the_engines_gradients(page):
    at, lang = page
    graph = parse("x*y + exp(x)", 1.0, 2.0)
    graph.backward()
    values = [m.value for m in at.metric]
    assert format_number(graph.output.value) == values[-3]
    assert values[-2:] == [format_number(graph["x"].grad), format_number(graph["y"].grad)]
    check_table = table_with(at, tr(lang, "graph.col.numerical"))
    assert list(check_table[tr(lang, "graph.col.agree")]) == ["✓", "✓"]


@pytest.mark.parametrize("lang", LANGS)
def test_editing_a_count_or_price_changes_the_total_and_gradients(lang):
    at = open_page(lang)
    at.number_input(key="graph.chairs").set_value(16).run()
    assert not at.exception
    expected = cafe_graph(chair_count=16)
    assert at.metric[0].value == tr(lang, "graph.won",
                                    amount=format_number(expected.output.value))
    assert at.metric[0].value.startswith("3,223,000")
    at.number_input(key="graph.cup_price").set_value(12_000).run()
    at.slider(key="graph.tax").set_value(20.0).run()
    expected = cafe_graph(chair_count=16, cup_price=12_000, tax=1.2)
    expected.backward()
    assert at.metric[0].value.startswith(format_number(expected.output.value))
    grads = table_with(at, tr(lang, "graph.col.grad_total"))[tr(lang, "graph.col.grad_total")]
    assert list(grads) == [format_number(expected[label].grad) for label in CAFE_LABELS]
    assert at.query_params["chairs"] in ("16", ["16"])


@pytest.mark.parametrize("lang", LANGS)
def test_next_node_advances_the_step_by_step_backward(lang):
    at = open_page(lang)
    key = "graph.cafe_step"
    upstream = tr(lang, "graph.col.upstream")
    assert at.session_state[key] == 0
    assert not [t for t in at.table if upstream in t.value.columns]  # nothing processed yet
    def cafe_stepper_spec() -> str:  # the second café drawing: the first is forward only
        return [s for s in graphviz_specs(at) if tr(lang, "graph.cafe.subtotal") in s][1]

    assert CURRENT_FILL not in cafe_stepper_spec()

    at.button(key=f"{key}.next").click().run()
    assert not at.exception
    assert at.session_state[key] == 1
    first = table_with(at, upstream)
    assert len(first) == 2  # 'total' has two inputs: subtotal and tax
    graph = cafe_graph()
    steps = graph.backward()
    assert list(first[tr(lang, "graph.col.downstream")]) == [
        format_number(e.downstream) for e in steps[0].edges]
    assert CURRENT_FILL in cafe_stepper_spec()

    # step 2 is the tax leaf: no edges, its gradient (the subtotal) is final
    at.button(key=f"{key}.next").click().run()
    assert at.session_state[key] == 2
    assert steps[1].node.label == "tax"
    leaf_text = tr(lang, "graph.step.leaf", name=tr(lang, "graph.cafe.tax"), grad="2,900,000")
    assert leaf_text in [unescape(i.value) for i in at.info]
    assert at.query_params["cafe_step"] in ("2", ["2"])
    # step 3 is the subtotal (+): four edges, each passing the upstream 1.1 through
    at.button(key=f"{key}.next").click().run()
    third = table_with(at, upstream)
    assert len(third) == 4 and not first.equals(third)
    assert set(third[tr(lang, "graph.col.local")]) == {"1"}
    assert set(third[tr(lang, "graph.col.downstream")]) == {"1.1"}

    at.button(key=f"{key}.prev").click().run()
    at.button(key=f"{key}.prev").click().run()
    assert at.session_state[key] == 1
    assert table_with(at, upstream).equals(first)
    at.button(key=f"{key}.all").click().run()
    assert at.session_state[key] == len(steps)
    assert at.button(key=f"{key}.next").disabled
    at.button(key=f"{key}.reset").click().run()
    assert at.session_state[key] == 0
    assert not at.exception


BAD = ["__import__('os')", "x+", "y**1000000", "x.real", "log(x - 1)", "", "open('f')"]


@pytest.mark.parametrize("lang", LANGS)
def test_bad_expressions_show_an_error_and_the_page_keeps_working(lang):
    at = open_page(lang)
    box = at.text_input(key="graph.expr")
    for text in BAD:
        box.set_value(text).run()
        assert not at.exception, (text, [e.value for e in at.exception])
        errors = [e.value for e in at.error]
        assert len(errors) == 1, (text, errors)
        with pytest.raises(ExpressionError):
            parse(text, 1.0, 2.0)
        assert "Traceback" not in errors[0]
        # the rest of the page is still there
        assert tr(lang, "graph.expr.header") in [h.value for h in at.header]
        box = at.text_input(key="graph.expr")
    # and a good one brings the gradients back
    box.set_value("sigmoid(x*y)").run()
    assert not at.error
    graph = parse("sigmoid(x*y)", 1.0, 2.0)
    graph.backward()
    assert [m.value for m in at.metric][-2:] == [format_number(graph["x"].grad),
                                                 format_number(graph["y"].grad)]


@pytest.mark.parametrize("lang", LANGS)
def test_error_messages_are_in_the_pages_language(lang):
    at = open_page(lang)
    at.text_input(key="graph.expr").set_value("__import__('os')").run()
    # the learner's text is shown as a code span, so __import__ is not turned bold
    shown = at.error[0].value
    spans = [content for _, _, content in code_spans(shown)]
    assert spans[0] == "__import__" and "x" in spans and "relu" in spans  # then the names
    assert shown == tr(lang, "graph.expr.err.unknown_function", name="`__import__`")
    at.text_input(key="graph.expr").set_value("2x").run()
    message = at.error[0].value
    assert tr(lang, "graph.expr.err.product_hint") in message


def test_example_button_and_x_y_inputs_drive_the_expression():
    at = open_page("en")
    at.button(key="graph.example.2").click().run()  # (x + y)^2
    assert at.text_input(key="graph.expr").value == "(x + y)^2"
    at.number_input(key="graph.ex").set_value(0.5).run()
    at.number_input(key="graph.ey").set_value(-1.5).run()
    values = [m.value for m in at.metric]
    assert values[-3:] == [format_number(1.0), format_number(-2.0), format_number(-2.0)]


def test_expression_stepper_advances_and_resets_on_a_new_expression():
    at = open_page("en")
    at.button(key="graph.expr_step.next").click().run()
    at.button(key="graph.expr_step.next").click().run()
    assert at.session_state["graph.expr_step"] == 2
    at.text_input(key="graph.expr").set_value("x*y").run()
    assert at.session_state["graph.expr_step"] == 0


def test_url_state_is_read_and_bad_values_are_notices():
    at = open_page("en", sx="2.5", cx="-1", expr="x^2 - y", cafe_step="3", chairs="abc")
    assert at.slider(key="graph.sx").value == 2.5
    assert at.slider(key="graph.cx").value == -1.0
    assert at.text_input(key="graph.expr").value == "x^2 - y"
    assert at.session_state["graph.cafe_step"] == 3
    assert at.number_input(key="graph.chairs").value == 15  # 'abc' ignored
    assert any("chairs" in w.value for w in at.warning)

    at = open_page("ko", expr="__import__('os')")
    assert at.text_input(key="graph.expr").value == "x*y + exp(x)"
    assert len(at.warning) == 1 and "`expr`" in at.warning[0].value
    notice = " ".join(link_notice_details(at))  # its details
    # the link's value is quoted as a code span, never read as Markdown
    assert "expr=" in notice and "__import__('os')" in [c for _, _, c in code_spans(notice)]
    assert not at.error and not at.exception


def test_a_step_beyond_the_graph_is_clamped():
    at = open_page("en", sig_step="150")
    assert at.session_state["graph.sig_step"] == len(sigmoid_graph().nodes)


def test_matmul_sliders_change_the_shapes():
    at = open_page("en")
    at.slider(key="graph.mm_n").set_value(4).run()
    at.slider(key="graph.mm_d").set_value(3).run()
    at.slider(key="graph.mm_h").set_value(1).run()
    assert not at.exception
    spec = next(s for s in graphviz_specs(at) if "MatMul" in s)
    assert "(4×3)" in spec and "(3×1)" in spec and "(4×1)" in spec
    mm, dy = matmul_example(4, 3, 1)
    mm.backward(dy)
    latex = " ".join(m.value for m in at.latex)
    assert latex.count(r"\frac{\partial L}{\partial x_") >= 3  # x₁, x₂, x₃ of row 1


def test_url_expression_check_uses_the_engine_whitelist():
    check("x^2 - y")
    with pytest.raises(ExpressionError):
        check("__import__('os')")


# ---------------------------------------------------------------- errors a learner can cause

# (expression, x, y) -> the code the page must say in Korean; beyond EXPRESSION_ERRORS (each
# at x, y = 1, 2): the box's codes that need other values or no placeholders
MORE_EXPRESSION_ERRORS = {
    ("", 1.0, 2.0): "empty",
    ("exp(1000*x)", 1.0, 2.0): "overflow",
    ("x^0.5", 0.0, 2.0): "infinite_slope",
    ("log(x)", 0.000001, 2.0): "check_edge",
}


def test_every_expression_error_is_said_in_korean_on_a_korean_page():
    """Each code the expression box can raise, typed on a Korean page: one st.error, Hangul,
    no English sentence outside code spans."""
    at = open_page("ko")
    cases = {(text, 1.0, 2.0): code for code, text in EXPRESSION_ERRORS.items()}
    cases.update(MORE_EXPRESSION_ERRORS)
    for (text, x, y), code in cases.items():
        at.number_input(key="graph.ex").set_value(x).run()
        at.number_input(key="graph.ey").set_value(y).run()
        at.text_input(key="graph.expr").set_value(text).run()
        assert not at.exception, (text, [e.value for e in at.exception])
        shown = assert_korean_error(at)
        with pytest.raises(ExpressionError) as info:
            from lessons.expression import numerical_check

            numerical_check(parse(text, x, y))
        assert info.value.code == code, (text, info.value.code)
        assert "Traceback" not in shown


def test_a_root_at_zero_says_the_slope_is_infinite_not_an_overflow():
    at = open_page("ko")
    at.number_input(key="graph.ex").set_value(0.0).run()
    at.text_input(key="graph.expr").set_value("x^0.5").run()
    shown = assert_korean_error(at)
    assert shown == tr("ko", "graph.expr.err.infinite_slope", piece="`x`",
                       at="`x = 0, y = 2`", exponent="`0.5`", slope="`-0.5`")
    assert tr("ko", "graph.expr.err.overflow") != shown
