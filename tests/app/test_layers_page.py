"""Lesson 3, the layer zoo, under AppTest in both languages: the numbers on the page are the
engine's, and the main interactions change what they should."""

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.backend import InputError
from engine.functions import softmax
from engine.layers import Affine, SoftmaxWithLoss
from lessons import layers as ll
from tests.app.helpers import link_notice_details, open_lesson
from tests.app.learner_errors import assert_korean_error
from ui.i18n import LANGS, tr
from viz import layers as vl
from viz.layers import format_vector

PAGE = "app_pages/layers.py"
SEED_CHAIN = [ll.SEED_W1, ll.SEED_W2, ll.SEED_W3]
EDITOR = "layers.chain.{}.v0"  # the chain's data editors before any reset


def open_page(lang: str, **params: str) -> AppTest:
    return open_lesson(PAGE, lang, **params)


def shown_error(lang: str, err: BaseException) -> str:
    """What show_error writes for a lesson's error: the catalog's error.<code> with its values
    (numbers as they are, anything else as a code span)."""
    assert isinstance(err, InputError), err
    details = {k: v if isinstance(v, (int, float)) else f"`{v}`" for k, v in err.details.items()}
    return tr(lang, f"error.{err.code}", **details)


def metric(at: AppTest, lang: str, key: str) -> str:
    label = tr(lang, key)
    return next(m.value for m in at.metric if m.label == label)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def decoded(value) -> np.ndarray:
    """A plotly array from the figure's JSON: a list, or a base64 typed array (plotly ≥ 6)."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(n) for n in str(value.get("shape", flat.size)).split(",")]
        return flat.reshape(shape).astype(float)
    return np.array(value, dtype=float)


def heatmap(spec: dict, name: str) -> np.ndarray:
    trace = next(d for d in spec["data"] if d.get("type") == "heatmap" and d["name"] == name)
    return decoded(trace["z"])


def table(at: AppTest, lang: str, first_column_key: str):
    label = tr(lang, first_column_key)
    return next(df.value for df in at.dataframe if df.value.columns[0] == label)


@pytest.fixture(params=LANGS)
def page(request) -> tuple[AppTest, str]:
    """The page as it first opens, in each language: a new one for every test."""
    return open_page(request.param), request.param


def test_page_opens_with_every_tab(page):
    at, lang = page
    assert at.title[0].value == tr(lang, "lesson.layers.title")
    assert [tab.label for tab in at.tabs] == [tr(lang, f"layers.tab.{k}") for k in (
        "affine", "chain", "activations", "loss", "precision", "broadcast", "check")]
    assert not at.error
    other = next(x for x in LANGS if x != lang)
    shown = "\n".join(h.value for h in (*at.header, *at.subheader))
    assert tr(lang, "layers.chain.heading") in shown
    assert tr(other, "layers.chain.heading") not in shown


def test_chain_y_for_the_seed_is_the_engines_product(page):
    at, lang = page
    steps = ll.matrix_chain(SEED_CHAIN, ll.SEED_X)
    product = ll.collapse(SEED_CHAIN) @ ll.SEED_X
    assert format_vector(steps[-1].out) == format_vector(product) == "[-3, 0, -2]"
    assert metric(at, lang, "layers.chain.y_steps") == format_vector(steps[-1].out)
    assert metric(at, lang, "layers.chain.y_product") == format_vector(product)
    assert metric(at, lang, "layers.chain.gap") == "0"
    assert any(s.value == tr(lang, "layers.chain.collapses") for s in at.success)
    # The step figure shows L2 flowing into Y = W3·L2 with the engine's numbers.
    step = next(c for c in charts(at) if any(d.get("name") == "W3" for d in c["data"]))
    np.testing.assert_array_equal(heatmap(step, "L2").ravel(), [-1, 1, -4])
    np.testing.assert_array_equal(heatmap(step, "Y").ravel(), steps[-1].out)


def test_the_chain_equations_are_the_engines(page):
    at, _ = page
    latex = "\n".join(e.value for e in at.latex)
    names = [f"X_{{{i}}}" for i in range(3)], [f"L_{{1{i}}}" for i in range(3)]
    for line in ll.linear_equations(ll.SEED_W1, *names):
        assert line.split(" = ", 1)[1] in latex
    assert "L_{10} &= 2X_{0} + 2X_{1} - X_{2}" in latex


def test_affine_figures_hold_the_engines_forward_and_backward(page):
    at, _ = page
    x, W, b = ll.affine_example(4, 2, 3, seed=0)
    layer = Affine(W.copy(), b.copy())
    y = layer.forward(x)
    dy = ll.upstream(y.shape, 0)
    dx = layer.backward(dy)
    specs = charts(at)
    np.testing.assert_allclose(heatmap(specs[0], "Y"), y)
    np.testing.assert_allclose(heatmap(specs[0], "B").ravel(), b)
    np.testing.assert_allclose(heatmap(specs[1], "dX"), dx)
    np.testing.assert_allclose(heatmap(specs[1], "Wᵀ"), W.T)
    np.testing.assert_allclose(heatmap(specs[2], "dW"), layer.grads[0])
    np.testing.assert_allclose(heatmap(specs[2], "Xᵀ"), x.T)
    np.testing.assert_allclose(heatmap(specs[3], "dB").ravel(), layer.grads[1])


def test_gradient_check_errors_shown_are_below_1e_6(page):
    at, lang = page
    detail = table(at, lang, "layers.check.col_array")
    errors = detail[tr(lang, "layers.check.col_error")]
    assert list(detail[tr(lang, "layers.check.col_array")]) == ["x", "W", "b"]
    assert (errors < 1e-6).all() and (errors > 0).all()
    summary = table(at, lang, "layers.check.col_layer")
    assert len(summary) == len(ll.CHECK_CASES)
    assert (summary[tr(lang, "layers.check.col_error")] < 1e-6).all()
    assert set(summary[tr(lang, "layers.check.col_ok")]) == {"✓"}
    assert set(detail[tr(lang, "layers.check.col_ok")]) == {"✓"}
    assert any(s.value.startswith(tr(lang, "layers.check.pass", error="")[:20])
               for s in at.success)


def test_softmax_numbers_are_the_engines(page):
    at, lang = page
    a = np.array([[0.3, 2.9, 4.0]])
    swl = SoftmaxWithLoss()
    loss = swl.forward(a, np.array([2]))
    assert metric(at, lang, "layers.loss.ce") == f"{loss:.4f}"
    assert metric(at, lang, "layers.loss.p_target") == f"{softmax(a)[0, 2]:.4f}"
    frame = table(at, lang, "layers.loss.col_logit")
    np.testing.assert_allclose(frame[tr(lang, "layers.loss.col_swl")], swl.backward()[0])


def test_broadcast_default_case_is_numpys_result(page):
    at, _ = page
    demo = ll.broadcast_demo((2, 3), (3,), "+")
    assert any(c.value == f"A + B =\n{demo.result!r}" for c in at.code)


@pytest.mark.parametrize("lang", LANGS)
def test_editing_a_matrix_changes_y(lang):
    at = open_page(lang)
    at.session_state[EDITOR.format("W1")] = {
        "edited_rows": {0: {"X2": 3}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    W1 = ll.SEED_W1.copy()
    W1[0, 2] = 3
    y = ll.matrix_chain([W1, ll.SEED_W2, ll.SEED_W3], ll.SEED_X)[-1].out
    assert format_vector(y) != "[-3, 0, -2]"
    assert metric(at, lang, "layers.chain.y_steps") == format_vector(y)
    assert metric(at, lang, "layers.chain.y_product") == format_vector(y)
    # X is editable too: both edits count.
    at.session_state[EDITOR.format("X")] = {
        "edited_rows": {0: {"X": 1}}, "added_rows": [], "deleted_rows": []}
    at.run()
    y = ll.matrix_chain([W1, ll.SEED_W2, ll.SEED_W3], [1, 0, 1])[-1].out
    assert metric(at, lang, "layers.chain.y_steps") == format_vector(y)


@pytest.mark.parametrize("lang", LANGS)
def test_a_bad_shape_is_a_message_not_a_traceback(lang):
    at = open_page(lang)
    at.session_state[EDITOR.format("W1")] = {
        "edited_rows": {}, "added_rows": [{"X0": 1, "X1": 1, "X2": 1}], "deleted_rows": []}
    at.run()
    assert not at.exception
    with pytest.raises(ValueError) as engine_says:
        ll.matrix_chain([np.vstack([ll.SEED_W1, [1, 1, 1]]), ll.SEED_W2,
                         ll.SEED_W3], ll.SEED_X)
    messages = [e.value for e in at.error]
    assert messages == [shown_error(lang, engine_says.value)]
    assert any(i.value == tr(lang, "layers.chain.shape_hint") for i in at.info)
    # The other tabs still work.
    assert metric(at, lang, "layers.loss.ce")
    # Going back to the lecture notes' numbers heals it.
    at.button(key="layers.chain.reset").click().run()
    assert not at.error
    assert metric(at, lang, "layers.chain.y_steps") == "[-3, 0, -2]"


@pytest.mark.parametrize("lang", LANGS)
def test_an_activation_breaks_the_collapse(lang):
    at = open_page(lang)
    at.segmented_control(key="layers.chain_act").set_value("relu").run()
    assert not at.exception
    steps = ll.matrix_chain(SEED_CHAIN, ll.SEED_X, "relu")
    gap = ll.collapse_gap(SEED_CHAIN, ll.SEED_X, "relu")
    assert gap > 0
    assert metric(at, lang, "layers.chain.y_steps") == format_vector(steps[-1].out)
    assert metric(at, lang, "layers.chain.y_product") == "[-3, 0, -2]"
    assert metric(at, lang, "layers.chain.gap") == f"{gap:.3g}"
    assert any(w.value == tr(lang, "layers.chain.breaks", name="ReLU") for w in at.warning)
    assert at.query_params["chain_act"] == "relu"


@pytest.mark.parametrize("lang", LANGS)
def test_random_chain_button_uses_the_seed(lang):
    at = open_page(lang, seed="5")
    at.button(key="layers.chain.random").click().run()
    mats, x = ll.random_chain(seed=5)
    y = ll.matrix_chain(mats, x)[-1].out
    assert metric(at, lang, "layers.chain.y_steps") == format_vector(y)
    editor = next(e for e in at.data_editor if e.key == "layers.chain.W1.v1")
    assert editor.value.to_numpy().tolist() == mats[0].tolist()


@pytest.mark.parametrize("lang", LANGS)
def test_every_layer_passes_its_gradient_check_when_picked(lang):
    at = open_page(lang, N="5", D="3", H="4", seed="11")
    for name in ll.CHECK_CASES:
        at.selectbox(key="layers.check").set_value(name).run()
        assert not at.exception
        detail = table(at, lang, "layers.check.col_array")
        case = ll.gradcheck_case(name, 5, 3, 4, seed=11)
        assert list(detail[tr(lang, "layers.check.col_array")]) == ll.array_names(case)
        assert (detail[tr(lang, "layers.check.col_error")] < 1e-6).all(), name
    assert at.query_params["check"] == "batchnorm"


@pytest.mark.parametrize("lang", LANGS)
def test_batchnorm_with_too_small_a_batch_says_so(lang):
    at = open_page(lang, N="2", check="batchnorm")
    with pytest.raises(ValueError) as engine_says:
        ll.gradcheck_case("batchnorm", 2, 2, 3)
    assert [e.value for e in at.error] == [shown_error(lang, engine_says.value)]
    summary = table(at, lang, "layers.check.col_layer")
    assert list(summary[tr(lang, "layers.check.col_note")])[-1] == tr(lang, "layers.check.skipped")


@pytest.mark.parametrize("lang", LANGS)
def test_url_state_round_trips(lang):
    at = open_page(lang, N="6", D="3", H="5", seed="7", act="sigmoid", chain_act="tanh",
                   check="tanh", step="2", bcase="outer")
    assert [at.slider(key=f"layers.{k}").value for k in "NDH"] == [6, 3, 5]
    assert at.number_input(key="layers.seed").value == 7
    assert at.segmented_control(key="layers.act").value == "sigmoid"
    assert at.segmented_control(key="layers.chain_act").value == "tanh"
    assert at.segmented_control(key="layers.step").value == 2
    assert at.selectbox(key="layers.check").value == "tanh"
    assert at.selectbox(key="layers.bcase").value == "outer"
    x, W, b = ll.affine_example(6, 3, 5, seed=7)
    np.testing.assert_allclose(heatmap(charts(at)[0], "Y"), Affine(W, b).forward(x))
    at.slider(key="layers.N").set_value(3).run()
    assert at.query_params["N"] == "3"


@pytest.mark.parametrize("lang", LANGS)
def test_bad_url_values_are_notices(lang):
    at = open_page(lang, N="99", act="swish", seed="x")
    assert len(at.warning) == 1  # one notice for the link; each value in its details
    assert len(link_notice_details(at)) == 3
    assert at.slider(key="layers.N").value == 4
    assert at.segmented_control(key="layers.act").value == "relu"


@pytest.mark.parametrize("lang", LANGS)
def test_broadcast_cases_and_numpys_own_error_message(lang):
    at = open_page(lang)
    at.selectbox(key="layers.bcase").set_value("outer").run()  # a case brings its operation
    assert at.segmented_control(key="layers.bop").value == "*"
    assert at.query_params["bcase"] == "outer" and at.query_params["bop"] == "*"
    at.selectbox(key="layers.bcase").set_value("bad_vector").run()
    assert not at.exception
    with pytest.raises(ValueError) as numpy_says:
        np.ones((2, 3)) + np.ones(2)
    assert any(c.value == f"ValueError: {str(numpy_says.value).strip()}" for c in at.code)
    assert "operands could not be broadcast together with shapes (2,3) (2,)" in "\n".join(
        c.value for c in at.code)
    assert any(e.value == tr(lang, "layers.bc.fails") for e in at.error)
    rules = table(at, lang, "layers.bc.col_axis")
    assert list(rules[tr(lang, "layers.bc.col_rule")])[-1] == tr(lang, "layers.bc.rule_mismatch")


@pytest.mark.parametrize("lang", LANGS)
def test_custom_shapes_and_a_typo(lang):
    at = open_page(lang, bcase="custom")
    at.text_input(key="layers.bc.shape_a").set_value("(3, 1)")
    at.text_input(key="layers.bc.shape_b").set_value("4").run()
    demo = ll.broadcast_demo((3, 1), (4,), "+")
    assert any(c.value == f"A + B =\n{demo.result!r}" for c in at.code)
    at.segmented_control(key="layers.bop").set_value("*").run()
    demo = ll.broadcast_demo((3, 1), (4,), "*")
    assert any(c.value == f"A * B =\n{demo.result!r}" for c in at.code)
    at.text_input(key="layers.bc.shape_b").set_value("__import__('os')").run()
    assert not at.exception
    with pytest.raises(ValueError) as engine_says:
        ll.parse_shape("__import__('os')")
    assert [e.value for e in at.error] == [shown_error(lang, engine_says.value)]


@pytest.mark.parametrize("lang", LANGS)
def test_activation_table_is_the_engines_layer(lang):
    at = open_page(lang)
    for name in ("sigmoid", "relu", "step", "tanh"):
        at.segmented_control(key="layers.act").set_value(name).run()
        assert not at.exception
        p = ll.activation_pass(name, [-2.0, -0.5, 0.0, 0.5, 2.0], [1.0] * 5)
        frame = next(df.value for df in at.dataframe if list(df.value.index)[:2] == ["x", "y"])
        np.testing.assert_allclose(frame.loc["y"], p.y)
        np.testing.assert_allclose(frame.loc["dx"], p.dx)
    at.session_state["layers.act.editor.v0"] = {
        "edited_rows": {1: {"2": -3.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    frame = next(df.value for df in at.dataframe if list(df.value.index)[:2] == ["x", "y"])
    p = ll.activation_pass("tanh", [-2.0, -0.5, 0.0, 0.5, 2.0], [1, 1, -3, 1, 1])
    np.testing.assert_allclose(frame.loc["dx"], p.dx)


@pytest.mark.parametrize("lang", LANGS)
def test_moving_a_logit_and_the_target(lang):
    at = open_page(lang)
    at.slider(key="layers.a0").set_value(5.0).run()
    at.radio(key="layers.target").set_value(0).run()
    assert not at.exception
    a = np.array([[5.0, 2.9, 4.0]])
    loss = SoftmaxWithLoss().forward(a, np.array([0]))
    assert metric(at, lang, "layers.loss.ce") == f"{loss:.4f}"
    assert at.query_params["a0"] == "5" and at.query_params["target"] == "0"


# --- issue 13: seed 003's product, dx's derivation, the losses, the Jacobian, the sizes ------

def latex_text(at: AppTest) -> str:
    return "\n".join(e.value for e in at.latex)


def test_seed_003s_product_is_shown_entry_by_entry(page):
    at, lang = page
    latex = latex_text(at)
    for line in ("C_{11} = 1\\cdot 5 + 2\\cdot 7 = 19", "C_{12} = 1\\cdot 6 + 2\\cdot 8 = 22",
                 "C_{21} = 3\\cdot 5 + 4\\cdot 7 = 43", "C_{22} = 3\\cdot 6 + 4\\cdot 8 = 50"):
        assert line.replace(" = ", " &= ", 1) in latex or line in latex, line
    assert any(c.value == f"A @ B\n{ll.SEED_A @ ll.SEED_B!r}" for c in at.code)
    assert tr(lang, "layers.affine.matmul_heading") in [h.value for h in at.subheader]


def test_dx_is_derived_entry_by_entry_before_the_matrix_form(page):
    at, lang = page
    d = ll.dx_derivation(0)
    latex = latex_text(at)
    for line in vl.dx_derivation_latex(d):
        assert vl.aligned([line]).split("&= ", 1)[1].split(" \\end")[0] in latex
    assert vl.dx_matrix_latex(d) in latex
    assert latex.index(vl.dx_derivation_latex(d)[0].split(" = ")[-1]) >= 0
    assert any(s.value == tr(lang, "layers.affine.derive_check",
                             dx=format_vector(d.backward)) for s in at.success)
    assert any(i.value == tr(lang, "layers.affine.shape_rule") for i in at.info)
    assert "never fails" not in tr(lang, "layers.affine.shape_rule")


def test_loss_table_compares_squared_error_on_the_scores(page):
    at, lang = page
    r = ll.softmax_loss([0.3, 2.9, 4.0], 2)
    frame = table(at, lang, "layers.loss.col_logit")
    np.testing.assert_allclose(frame[tr(lang, "layers.loss.col_swl")], r.da[0])
    np.testing.assert_allclose(frame[tr(lang, "layers.loss.col_se")], r.dy[0])
    np.testing.assert_allclose(frame[tr(lang, "layers.loss.col_se_a")], r.se_da[0])
    assert not np.allclose(r.se_da[0], r.da[0])
    losses = next(df.value for df in at.dataframe
                  if df.value.columns[0] == tr(lang, "layers.loss.col_value"))
    rows = ll.losses([0.3, 2.9, 4.0], 2)
    np.testing.assert_allclose(losses[tr(lang, "layers.loss.col_value")],
                               [row.value for row in rows])
    np.testing.assert_allclose(losses[tr(lang, "layers.loss.col_grad", k=2)],
                               [row.da[2] for row in rows])
    assert any(i.value == tr(lang, "layers.loss.se_now", p=f"{r.y[0, 2]:.4f}",
                             ce=f"{r.da[0, 2]:.4f}", se=f"{r.se_da[0, 2]:.4f}")
               for i in at.info)


def test_the_softmax_jacobian_is_shown_for_the_current_logits(page):
    at, _ = page
    latex = latex_text(at)
    j = ll.softmax_jacobian_pass([0.3, 2.9, 4.0], 2)
    assert vl.jacobian_latex(j) in latex
    assert vl.jacobian_backward_latex(j) in latex
    at.slider(key="layers.a0").set_value(3.0).run()
    j = ll.softmax_jacobian_pass([3.0, 2.9, 4.0], 2)
    assert vl.jacobian_latex(j) in latex_text(at)


def test_sign_coloured_figures_state_the_convention(page):
    at, lang = page
    key = tr(lang, "viz.sign_key")
    for spec in charts(at):
        if any(d.get("type") == "heatmap" for d in spec["data"]):
            texts = [a.get("text") for a in spec["layout"].get("annotations", [])]
            assert key in texts


@pytest.mark.parametrize("lang", LANGS)
def test_the_notes_sizes_button_gives_seed_003s_affine(lang):
    at = open_page(lang)
    at.button(key="layers.sizes.notes").click().run()
    assert not at.exception
    assert [at.slider(key=f"layers.{k}").value for k in "NDH"] == [10, 2, 4]
    x, W, b = ll.affine_example(10, 2, 4, seed=0)
    np.testing.assert_allclose(heatmap(charts(at)[0], "Y"), Affine(W, b).forward(x))
    assert heatmap(charts(at)[0], "Y").shape == (10, 4)


# --- every error a learner can cause here, on a Korean page ---------------------------------

def test_korean_chain_shape_error():
    at = open_page("ko")
    at.session_state[EDITOR.format("W2")] = {
        "edited_rows": {}, "added_rows": [{"L10": 1, "L11": 1, "L12": 1}], "deleted_rows": []}
    at.run()
    text = assert_korean_error(at)
    assert "`W3`" in text and "`L2`" in text


def test_korean_chain_empty_cell():
    at = open_page("ko")
    at.session_state[EDITOR.format("W1")] = {
        "edited_rows": {0: {"X1": None}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert "`W1`" in assert_korean_error(at)


def test_korean_broadcast_sizes():
    at = open_page("ko", bcase="bad_three_d")
    assert_korean_error(at)
    assert "operands could not be broadcast together with shapes (2,5,1) (2,2,5)" in "\n".join(
        c.value for c in at.code)


def test_korean_batchnorm_at_n_below_3():
    at = open_page("ko", N="2", check="batchnorm")
    assert "N = 2" in assert_korean_error(at)


def test_korean_empty_activation_cell():
    at = open_page("ko")
    at.session_state["layers.act.editor.v0"] = {
        "edited_rows": {0: {"1": None}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert "`x[1]`" in assert_korean_error(at)


@pytest.mark.parametrize(("typed", "code"), [("(2, x)", "layers_shape_not_number"),
                                              ("", "layers_shape_empty"),
                                              ("(2, 9)", "layers_shape_size"),
                                              ("1 1 1 2", "layers_shape_axes")])
def test_korean_shape_that_does_not_parse(typed, code):
    at = open_page("ko", bcase="custom")
    at.text_input(key="layers.bc.shape_a").set_value(typed).run()
    assert not at.exception
    with pytest.raises(InputError) as info:
        ll.parse_shape(typed)
    assert info.value.code == code
    assert assert_korean_error(at) == shown_error("ko", info.value)
