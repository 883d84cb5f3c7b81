"""What the layer-zoo lesson shows beyond its URL settings, for app_pages/layers.py, whose
sections hold those widgets and call these:

    words()                     # each choice's words, in this run's language
    affine_section(n, d, h, seed, slides)  # the Affine tab: product, forward, backward, why
    loss_section(logits, target, slides)   # the loss tab: softmax, losses, Jacobian
    start_state()               # the chain editors' first values (seed 000), the typed shapes
    set_chain(rows)             # the chain editors start afresh from these rows
    chain_editors()             # X, W1, W2, W3 as checked data editors -> [W1, W2, W3], X
    activation_editor()         # x and dout as a checked data editor -> their values
    typed_shapes()              # two text inputs -> the shapes of A and B
    check_result(case, n, d, h, seed)  # one layer's gradient check: table, times, verdict
    check_summary(n, d, h, seed)       # every layer checked: table and times

Every number comes from lessons.layers, every figure and table from viz.layers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from engine.functions import numerical_gradient, softmax
from engine.gradcheck import check_layer, relative_error
from engine.layers import Affine, SoftmaxWithLoss, SquaredErrorLoss
from lessons import layers as ll
from ui.chart import show_chart
from ui.code import show_code
from ui.editors import Limits, pending_problem, show_refused
from ui.i18n import t
from ui.params import ChoiceParam, FloatParam
from viz import layers as vl

CELL_WIDTH = 46  # pixels: four editors side by side fit the page
CHAIN_BASE = "layers.chain.base"  # {name: list of rows} the editors start from
CHAIN_VERSION = "layers.chain.version"  # bumped to give the editors fresh state
CHAIN_ACCEPTED = "layers.chain.accepted"  # the editors' values that passed the checks last
CHAIN_LIMITS = Limits(-ll.CHAIN_BOUND, ll.CHAIN_BOUND, whole=True, max_rows=ll.CHAIN_MAX_ROWS)
ACT_EDITOR = "layers.act.editor"
ACT_VERSION = "layers.act.version"  # bumped to give the editor fresh state
ACT_LIMITS = Limits(-ll.ACTIVATION_BOUND, ll.ACTIVATION_BOUND)
BC_SHAPE_A, BC_SHAPE_B = "layers.bc.shape_a", "layers.bc.shape_b"


def words() -> dict[str, dict]:
    """Each choice's words, made in this run's language. (AppTest calls a widget's format_func
    again outside the script run, where the language cannot be read: a dict lookup made during
    the run stays right.)"""
    cases = {"same": t("layers.bc.case_same"), "product": t("layers.bc.case_product"),
             "scalar": t("layers.bc.case_scalar"), "bias": t("layers.bc.case_bias"),
             "column": t("layers.bc.case_column"), "outer": t("layers.bc.case_outer"),
             "three_d": t("layers.bc.case_three_d"), "bad_vector": t("layers.bc.case_bad_vector"),
             "bad_three_d": t("layers.bc.case_bad_three_d"), "custom": t("layers.bc.case_custom")}
    for case in ll.CASES:  # '(2, 3) + (3,) · a bias for every row'
        cases[case.id] = f"{ll.operation_text(case.shape_a, case.op, case.shape_b)} · " \
                         f"{cases[case.id]}"
    return {
        "chain_act": {"none": t("layers.chain.act_none"), "relu": "ReLU", "sigmoid": "sigmoid",
                      "tanh": "tanh"},
        "act": {"step": t("layers.act.step"), "sigmoid": "sigmoid", "tanh": "tanh",
                "relu": "ReLU"},
        "local": {"step": t("layers.act.local_step"), "sigmoid": t("layers.act.local_sigmoid"),
                  "tanh": t("layers.act.local_tanh"), "relu": t("layers.act.local_relu")},
        "note": {"step": t("layers.act.note_step"), "sigmoid": t("layers.act.note_sigmoid"),
                 "tanh": t("layers.act.note_tanh"), "relu": t("layers.act.note_relu")},
        "case": cases,
        "rule": {"equal": t("layers.bc.rule_equal"), "stretch_a": t("layers.bc.rule_stretch_a"),
                 "stretch_b": t("layers.bc.rule_stretch_b"), "new_a": t("layers.bc.rule_new_a"),
                 "new_b": t("layers.bc.rule_new_b"), "mismatch": t("layers.bc.rule_mismatch")},
    }


def start_state() -> None:
    """On a learner's first visit: the chain editors hold seed 000 (as version 0), and the
    custom broadcasting shapes are (2, 3) and (3,)."""
    if CHAIN_BASE not in st.session_state:
        st.session_state[CHAIN_BASE] = ll.seed_chain_rows()
        st.session_state[CHAIN_VERSION] = 0
    st.session_state.setdefault(BC_SHAPE_A, "(2, 3)")
    st.session_state.setdefault(BC_SHAPE_B, "(3,)")


def set_chain(rows: dict) -> None:
    """Start the chain editors afresh (a new key each) from `rows`, {name: list of rows}."""
    st.session_state[CHAIN_BASE] = rows
    st.session_state[CHAIN_VERSION] = st.session_state.get(CHAIN_VERSION, 0) + 1


def chain_key(name: str) -> str:
    return f"layers.chain.{name}.v{st.session_state[CHAIN_VERSION]}"


def chain_frames() -> dict[str, pd.DataFrame]:
    """The editors' tables, from CHAIN_BASE (X: one column of entries)."""
    return {name: pd.DataFrame([[v] for v in rows] if name == "X" else rows, dtype="Int64",
                               columns=ll.CHAIN_INPUTS[name])
            for name, rows in st.session_state[CHAIN_BASE].items()}


def chain_editors() -> tuple[list[np.ndarray], np.ndarray]:
    """X, W1, W2, W3 side by side as bounded whole-number data editors; returns their values,
    [W1, W2, W3] and X (NaN where a cell is empty). Edits past the limits are refused before
    any is applied."""
    frames = chain_frames()
    # the browser's edits are checked here, before any editor applies them (ui/editors.py)
    problem = next(filter(None, (pending_problem(chain_key(name), frames[name], CHAIN_LIMITS)
                                 for name in ll.CHAIN_NAMES)), None)
    if problem:
        show_refused(problem)
        set_chain(st.session_state.get(CHAIN_ACCEPTED, st.session_state[CHAIN_BASE]))
        frames = chain_frames()
    values = {}
    for col, name in zip(st.columns([0.75, 1.75, 1.75, 1.75]), ll.CHAIN_NAMES, strict=True):
        config = {c: st.column_config.NumberColumn(c, min_value=-ll.CHAIN_BOUND,
                                                   max_value=ll.CHAIN_BOUND, step=1, default=0,
                                                   required=True, width=CELL_WIDTH)
                  for c in frames[name].columns}
        with col:
            st.markdown(f"**{name}**")
            edited = st.data_editor(frames[name], key=chain_key(name), column_config=config,
                                    num_rows="dynamic", hide_index=True, width="stretch")
        values[name] = edited.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    st.session_state[CHAIN_ACCEPTED] = {name: ll.chain_rows(name, v)
                                        for name, v in values.items()}
    x = values["X"][:, 0] if values["X"].size else np.zeros(0)
    return [values["W1"], values["W2"], values["W3"]], x


def activation_editor() -> np.ndarray:
    """A fixed 2×5 data editor, rows x and dout in ±ACTIVATION_BOUND; returns its values."""
    start = pd.DataFrame([list(ll.ACTIVATION_INPUTS), [1.0] * len(ll.ACTIVATION_INPUTS)],
                         index=["x", "dout"],
                         columns=[f"{i}" for i in range(len(ll.ACTIVATION_INPUTS))])
    config = {c: st.column_config.NumberColumn(c, min_value=-ll.ACTIVATION_BOUND,
                                               max_value=ll.ACTIVATION_BOUND, step=0.1,
                                               required=True) for c in start.columns}
    key = f"{ACT_EDITOR}.v{st.session_state.get(ACT_VERSION, 0)}"
    problem = pending_problem(key, start, ACT_LIMITS)
    if problem:
        show_refused(problem)
        st.session_state[ACT_VERSION] = st.session_state.get(ACT_VERSION, 0) + 1
        key = f"{ACT_EDITOR}.v{st.session_state[ACT_VERSION]}"
    edited = st.data_editor(start, key=key, column_config=config, width="stretch")
    return edited.to_numpy(dtype=np.float64, na_value=np.nan)


def typed_shapes() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two text inputs, the shapes of A and B; returns them parsed (ValueError for a typo)."""
    c1, c2 = st.columns(2)
    c1.text_input(t("layers.bc.shape_a"), key=BC_SHAPE_A, max_chars=20,
                  help=t("layers.bc.shape_help"))
    c2.text_input(t("layers.bc.shape_b"), key=BC_SHAPE_B, max_chars=20,
                  help=t("layers.bc.shape_help"))
    return ll.parse_shape(st.session_state[BC_SHAPE_A]), ll.parse_shape(
        st.session_state[BC_SHAPE_B])


def ms(seconds: float) -> str:
    return t("layers.ms", value=f"{seconds * 1e3:.3g}")


def check_result(case: ll.CheckCase, n: int, d: int, h: int, seed: int) -> None:
    """One layer's gradient check: an array a row, both times, the verdict, the scatter."""
    result = ll.run_check(case)
    st.caption(t("layers.check.case", shape=ll.shape_text(case.x.shape), n=n, d=d, h=h,
                 seed=seed))
    error = t("layers.check.col_error")
    st.dataframe(vl.check_table(ll.array_names(case), result, [
        t("layers.check.col_array"), t("layers.check.col_shape"), error,
        t("layers.check.col_ok")]), hide_index=True, width="stretch", key="layers.check.table",
        column_config={error: st.column_config.NumberColumn(format="%.2e")})
    m1, m2, m3 = st.columns(3)
    m1.metric(t("layers.check.backprop_time"), ms(result.backprop_seconds))
    m2.metric(t("layers.check.numerical_time"), ms(result.numerical_seconds))
    m3.metric(t("layers.check.ratio"), f"×{ll.slowdown(result):.0f}")
    if result.max_rel_error < ll.CHECK_TOLERANCE:
        st.success(t("layers.check.pass", error=f"{result.max_rel_error:.1e}"),
                   icon=":material/check_circle:")
    else:
        st.warning(t("layers.check.fail", error=f"{result.max_rel_error:.1e}"),
                   icon=":material/warning:")
    show_chart(vl.gradcheck_figure(
        ll.array_names(case), [c.backprop for c in result.checks],
        [c.numerical for c in result.checks], x_title=t("layers.check.axis_backprop"),
        y_title=t("layers.check.axis_numerical")), f"layers-gradcheck-{case.name}")
    st.caption(t("layers.check.scatter_caption"))
    show_code(case.layer.backward, check_layer, numerical_gradient, relative_error)


def check_summary(n: int, d: int, h: int, seed: int) -> None:
    """Every layer checked at the same sizes: a table and both times on a log axis."""
    rows = ll.check_all(n, d, h, seed)
    error, backprop, numerical = (t("layers.check.col_error"), t("layers.check.col_backprop_ms"),
                                  t("layers.check.col_numerical_ms"))
    in_ms = st.column_config.NumberColumn(format="%.3f")
    st.dataframe(vl.summary_table(rows, ll.CHECK_LABELS, [
        t("layers.check.col_layer"), error, t("layers.check.col_ok"), backprop, numerical,
        t("layers.check.col_note")], t("layers.check.skipped")), hide_index=True,
        width="stretch", key="layers.check.summary", column_config={
            error: st.column_config.NumberColumn(format="%.2e"), backprop: in_ms,
            numerical: in_ms})
    ok = [r for r in rows if r.error is None]
    show_chart(vl.timing_figure(
        [ll.CHECK_LABELS[r.name] for r in ok], [r.backprop_seconds * 1e3 for r in ok],
        [r.numerical_seconds * 1e3 for r in ok], backprop_label=t("layers.check.backprop"),
        numerical_label=t("layers.check.numerical"), x_title=t("layers.check.axis_ms")),
        "layers-gradcheck-times")
    st.caption(t("layers.check.times_caption"))
    show_code(ll.check_all, ll.gradcheck_case)


# --- the Affine tab ---------------------------------------------------------------------------

def matmul_part() -> None:
    """Seed 003's worked product, each entry as its row·column sum, and numpy's answer."""
    st.subheader(t("layers.affine.matmul_heading"))
    st.markdown(t("layers.affine.matmul_intro"))
    m = ll.matmul_worked()
    st.latex(vl.matmul_latex(m))
    st.latex(vl.aligned(vl.matmul_entries_latex(m)))
    st.markdown(t("layers.affine.matmul_numpy"))
    st.code(f"A @ B\n{ll.SEED_A @ ll.SEED_B!r}", language=None)
    show_code(ll.matmul_worked)


def dx_derivation_part(seed: int) -> None:
    """∂L/∂x_i = Σ_j ∂L/∂y_j·W_ij for D = H = 2 with the numbers, then dX = dY·Wᵀ."""
    st.subheader(t("layers.affine.derive_heading"))
    st.markdown(t("layers.affine.derive_intro"))
    st.latex(vl.DX_DERIVATION_LATEX)
    d = ll.dx_derivation(seed)
    st.markdown(t("layers.affine.derive_values", seed=seed))
    st.latex(vl.dx_values_latex(d))
    st.markdown(t("layers.affine.derive_numbers"))
    st.latex(vl.aligned(vl.dx_derivation_latex(d)))
    st.markdown(t("layers.affine.derive_matrix"))
    st.latex(vl.dx_matrix_latex(d))
    st.success(t("layers.affine.derive_check", dx=vl.format_vector(d.backward)),
               icon=":material/check_circle:")
    show_code(ll.dx_derivation)


def affine_section(n: int, d: int, h: int, seed: int, slides: bool) -> None:
    st.header(t("layers.affine.heading"))
    st.markdown(t("layers.affine.intro"))
    matmul_part()
    st.subheader(t("layers.affine.forward_heading"))
    st.latex(vl.AFFINE_LATEX)
    p = ll.affine_pass(n, d, h, seed)
    forward, dx, dw, db = vl.affine_figures(p, slides=slides, sign_label=t("viz.sign_key"))
    show_chart(forward, "layers-affine-forward")
    st.caption(t("layers.affine.forward_caption", n=n, d=d, h=h))
    st.markdown(t("layers.affine.one_sample", d=d, h=h))
    st.latex(vl.affine_sample_latex(p))
    show_code(Affine)
    st.subheader(t("layers.affine.backward_heading"))
    st.markdown(t("layers.affine.backward_intro"))
    st.latex(vl.AFFINE_BACKWARD_LATEX)
    for text, fig, name in ((t("layers.affine.dx"), dx, "layers-affine-dx"),
                            (t("layers.affine.dw"), dw, "layers-affine-dw"),
                            (t("layers.affine.db"), db, "layers-affine-db")):
        st.markdown(text)
        show_chart(fig, name)
    show_code(Affine.backward, ll.upstream)
    dx_derivation_part(seed)
    st.info(t("layers.affine.shape_rule"), icon=":material/straighten:")


# --- the loss tab -----------------------------------------------------------------------------

def loss_names() -> dict[str, str]:
    return {"ce": t("layers.loss.name_ce"), "se": t("layers.loss.name_se"),
            "mse": t("layers.loss.name_mse"), "bce": t("layers.loss.name_bce")}


def losses_part(r: ll.SoftmaxLoss, classes: dict) -> None:
    """Seed 003's MSE, BCE and CE (and seed 001's squared error) on the same y and t."""
    st.subheader(t("layers.loss.losses_heading"))
    st.markdown(t("layers.loss.losses_intro"))
    for formula in vl.LOSSES_LATEX:
        st.latex(formula)
    rows = ll.losses(r.a[0], r.onehot[0])
    st.dataframe(vl.losses_table(rows, loss_names(), t("layers.loss.col_value"),
                                 [t("layers.loss.col_grad", k=k) for k in classes]
                                 ).style.format("{:.4f}"), width="stretch")
    st.caption(t("layers.loss.losses_caption"))
    st.markdown(t("layers.loss.losses_bce"))
    show_code(ll.losses)


def jacobian_part(r: ll.SoftmaxLoss) -> None:
    """The softmax Jacobian at the current logits, and Jᵀ·(−t/y) = y − t."""
    st.subheader(t("layers.loss.jac_heading"))
    st.markdown(t("layers.loss.jac_intro"))
    j = ll.softmax_jacobian_pass(r.a[0], r.onehot[0])
    st.latex(vl.SOFTMAX_JACOBIAN_LATEX)
    st.latex(vl.jacobian_latex(j))
    st.caption(t("layers.loss.jac_check", gap=f"{j.max_gap:.1e}"))
    st.markdown(t("layers.loss.jac_backward"))
    st.latex(vl.jacobian_backward_latex(j))
    show_code(ll.softmax_jacobian, ll.softmax_jacobian_pass)


def loss_section(logits: list[FloatParam], target: ChoiceParam, slides: bool) -> None:
    st.header(t("layers.loss.heading"))
    st.markdown(t("layers.loss.intro"))
    st.latex(vl.SOFTMAX_LOSS_LATEX)
    cols = st.columns(4)
    for k, (col, p) in enumerate(zip(cols[:3], logits, strict=True)):
        p.slider(t("layers.loss.logit", k=k), step=0.1, where=col)
    classes = {k: t("layers.loss.class", k=k) for k in target.choices}
    target.widget("radio", t("layers.loss.target"), where=cols[3], format_func=classes.get)
    label = int(target.value())
    r = ll.softmax_loss([p.value() for p in logits], label)
    show_chart(vl.softmax_figure(
        classes.values(), r.a, r.y, r.onehot, r.da,
        titles=[t("layers.loss.panel_logits"), t("layers.loss.panel_probs"),
                t("layers.loss.panel_grad")],
        prob_label=t("layers.loss.prob"), target_label=t("layers.loss.target_onehot"),
        sign_label=t("viz.sign_key")), "layers-softmax-loss")
    m1, m2, m3 = st.columns(3)
    m1.metric(t("layers.loss.p_target"), f"{float(r.y[0, label]):.4f}")
    m2.metric(t("layers.loss.ce"), f"{r.loss:.4f}",
              help=t("layers.loss.ce_help", ce=f"{r.ce:.4f}"))
    m3.metric(t("layers.loss.se"), f"{r.se_loss:.4f}")
    st.dataframe(vl.loss_table(r, classes.values(), [
        t("layers.loss.col_logit"), t("layers.loss.col_prob"), t("layers.loss.col_target"),
        t("layers.loss.col_swl"), t("layers.loss.col_se"), t("layers.loss.col_se_a")]
        ).style.format("{:.4f}"), width="stretch")
    st.markdown(t("layers.loss.grad_note"))
    st.subheader(t("layers.loss.se_heading"))
    st.latex(vl.SQUARED_ERROR_LATEX)
    st.markdown(t("layers.loss.se_note"))
    st.info(t("layers.loss.se_now", p=f"{float(r.y[0, label]):.4f}",
              ce=f"{float(r.da[0, label]):.4f}", se=f"{float(r.se_da[0, label]):.4f}"),
            icon=":material/compare_arrows:")
    show_code(SoftmaxWithLoss, SquaredErrorLoss, softmax)
    losses_part(r, classes)
    jacobian_part(r)
