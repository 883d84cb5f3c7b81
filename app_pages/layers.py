"""Lesson 3: the layer zoo. Affine with its shapes (seed 003's worked product first, and where
dX = dY·Wᵀ comes from, entry by entry), the matrix chain of seed 000, activations, softmax and
the losses (MSE, BCE, cross-entropy, squared error through the softmax Jacobian), precision
(ui/precision_view.py), broadcasting, and a live gradient check of every layer.

Seeds 000 (the chain X = [0, 0, 1]; Affine's (2,)·(2,3)+(3,)), 003 (the product, losses,
Jacobian, broadcasting, backward, shapes, (10, 2)·(2, 4)), 001 (squared error). Numbers:
lessons.layers; figures and tables: viz.layers; the longer tabs: ui.layers_view.
"""

from collections.abc import Callable

import streamlit as st

from engine.layers import ACTIVATIONS
from lessons import layers as ll
from ui import layers_view as lv
from ui.chart import show_chart
from ui.code import show_code
from ui.handout import tabs_or_sections
from ui.i18n import t
from ui.messages import show_error
from ui.params import ChoiceParam, FloatParam, IntParam, load_params, save_params
from ui.precision_view import precision_section
from ui.sections import open_sections, section_on, section_title, sections_of
from ui.settings import slides_on
from viz import layers as vl

PAGE = "layers"
N = IntParam(PAGE, "N", 4, 1, ll.MAX_SIZE)
D = IntParam(PAGE, "D", 2, 1, ll.MAX_SIZE)
H = IntParam(PAGE, "H", 3, 1, ll.MAX_SIZE)
SEED = IntParam(PAGE, "seed", 0, 0, 9999)
CHAIN_ACT = ChoiceParam(PAGE, "chain_act", "none", choices=("none", *ll.CHAIN_ACTIVATIONS))
CHAIN_STEP = ChoiceParam(PAGE, "step", 3, choices=(1, 2, 3))
ACT = ChoiceParam(PAGE, "act", "relu", choices=tuple(ACTIVATIONS))
LOGITS = [FloatParam(PAGE, f"a{k}", v, -10.0, 10.0) for k, v in enumerate(ll.WORKED_LOGITS)]
TARGET = ChoiceParam(PAGE, "target", ll.WORKED_TARGET, choices=(0, 1, 2))
BCASE = ChoiceParam(PAGE, "bcase", "bias", choices=(*(c.id for c in ll.CASES), "custom"))
BOP = ChoiceParam(PAGE, "bop", "+", choices=tuple(ll.OPS))
CHECK = ChoiceParam(PAGE, "check", "affine", choices=tuple(ll.CHECK_CASES))
# the fragments a change of N, D, H or the seed reruns: the sizes and the tabs that read them
SIZED = ("layers.sizes", "layers.tab.affine", "layers.tab.chain", "layers.tab.check")
PARAMS = [N, D, H, SEED, CHAIN_ACT, CHAIN_STEP, ACT, *LOGITS, TARGET, BCASE, BOP, CHECK]

slides = slides_on()


def case_changed() -> None:
    """A new broadcasting case brings its own operation."""
    case = ll.find_case(st.session_state[BCASE.state_key])
    if case is not None:
        st.session_state[BOP.state_key] = case.op


def notes_sizes() -> None:
    """Seed 003's Affine example: x (10, 2), W1 (2, 4)."""
    for param, value in ((N, 10), (D, 2), (H, 4)):
        st.session_state[param.state_key] = value
    rerun_sized()


def rerun_sized() -> None:
    """Rerun the sized fragments this run shows (a hidden one's key cannot be named)."""
    st.rerun([key for key, section in zip(SIZED, ("sizes", "affine", "chain", "check"),
                                          strict=True) if section_on(PAGE, section)])


@st.fragment(key=SIZED[0])
def sizes_section() -> None:
    with st.container(border=True):
        st.markdown(t("layers.sizes.heading"))
        c_n, c_d, c_h, c_seed = st.columns(4)
        # the Affine, chain and check tabs read the sizes: rerun them too, not the whole page
        on = dict(on_change=rerun_sized)
        N.slider(t("layers.sizes.n"), where=c_n, help=t("layers.sizes.n_help"), **on)
        D.slider(t("layers.sizes.d"), where=c_d, help=t("layers.sizes.d_help"), **on)
        H.slider(t("layers.sizes.h"), where=c_h, help=t("layers.sizes.h_help"), **on)
        SEED.number_input(t("layers.sizes.seed"), step=1, where=c_seed,
                          help=t("layers.sizes.seed_help"), **on)
        c_text, c_button = st.columns([2.2, 1], vertical_alignment="center")
        c_text.caption(t("layers.sizes.caption"))
        c_button.button(t("layers.sizes.notes_example"), key="layers.sizes.notes",
                        on_click=notes_sizes, icon=":material/menu_book:", width="stretch",
                        help=t("layers.sizes.notes_example_help"))
        save_params([N, D, H, SEED])


def affine_tab() -> None:
    lv.affine_section(N.value(), D.value(), H.value(), SEED.value(), slides)


def chain_tab() -> None:
    st.header(t("layers.chain.heading"))
    st.markdown(t("layers.chain.intro"))
    b_reset, b_random = st.columns(2)
    b_reset.button(t("layers.chain.reset"), on_click=lv.set_chain, args=(ll.seed_chain_rows(),),
                   key="layers.chain.reset", icon=":material/restart_alt:", width="stretch")
    b_random.button(t("layers.chain.random", seed=SEED.value()), on_click=lv.set_chain,
                    args=(ll.random_chain_rows(SEED.value()),), key="layers.chain.random",
                    icon=":material/casino:", width="stretch")
    st.caption(t("layers.chain.edit_hint", bound=ll.CHAIN_BOUND, rows=ll.CHAIN_MAX_ROWS))
    matrices, x = lv.chain_editors()
    act_names = lv.words()["chain_act"]
    act = CHAIN_ACT.widget("segmented_control", t("layers.chain.activation"), required=True,
                           format_func=act_names.__getitem__,
                           help=t("layers.chain.activation_help"))
    try:
        run = ll.run_chain(matrices, x, None if act == "none" else act)
    except ValueError as err:
        show_error(err)
        st.info(t("layers.chain.shape_hint"), icon=":material/lightbulb:")
        show_code(ll.matrix_chain)
        return
    name = act_names[act]
    st.subheader(t("layers.chain.equations_heading"))
    st.markdown(t("layers.chain.equations_intro"))
    equations = vl.chain_equations(run)
    for col, lines in zip(st.columns(3), equations, strict=True):
        col.latex(vl.aligned(lines))
    st.subheader(t("layers.chain.step_heading"))
    v = ll.CHAIN_VALUES
    k = CHAIN_STEP.widget("segmented_control", t("layers.chain.step"), required=True,
                          format_func=lambda i: f"{v[i]} = W{i}·{v[i - 1]}")
    flow, step, collapsed = vl.chain_figures(run, k, name, slides=slides,
                                             sign_label=t("viz.sign_key"))
    show_chart(flow, "layers-chain-flow")
    st.caption(t("layers.chain.flow_caption"))
    show_chart(step, f"layers-chain-step-{k}")
    s = run.steps[k - 1]
    st.latex(vl.aligned(vl.worked_equations(equations[k - 1], s.W, s.x_in, s.pre_activation)))
    if run.activation and k < len(run.steps):
        st.markdown(t("layers.chain.after_activation", name=name, values=vl.format_vector(s.out)))
    st.subheader(t("layers.chain.collapse_heading"))
    st.markdown(t("layers.chain.collapse_intro"))
    st.latex(vl.collapse_latex(run))
    show_chart(collapsed, "layers-chain-collapsed")
    c1, c2, c3 = st.columns(3)
    c1.metric(t("layers.chain.y_steps"), vl.format_vector(run.y))
    c2.metric(t("layers.chain.y_product"), vl.format_vector(run.direct))
    c3.metric(t("layers.chain.gap"), f"{run.gap:.3g}")
    if run.activation is None:
        st.success(t("layers.chain.collapses"), icon=":material/check_circle:")
    elif run.gap > 1e-9:
        st.warning(t("layers.chain.breaks", name=name), icon=":material/link_off:")
    else:
        st.info(t("layers.chain.breaks_hidden", name=name), icon=":material/visibility_off:")
    show_code(ll.matrix_chain, ll.collapse, ll.collapse_gap, ll.linear_equations)


def activations_tab() -> None:
    st.header(t("layers.act.heading"))
    st.markdown(t("layers.act.intro"))
    w = lv.words()
    name = ACT.widget("segmented_control", t("layers.act.pick"), required=True,
                      format_func=w["act"].__getitem__)
    for formula in vl.ACTIVATION_LATEX[name]:
        st.latex(formula)
    st.markdown(t("layers.act.input_hint", bound=int(ll.ACTIVATION_BOUND)))
    table = lv.activation_editor()
    try:
        p = ll.activation_pass(name, table[0], table[1])
    except ValueError as err:
        show_error(err)
        return
    show_chart(vl.activation_figure(
        *ll.activation_curve(name), p.x, p.y, f_label=t("layers.act.curve", name=w["act"][name]),
        df_label=t("layers.act.derivative"), points_label=t("layers.act.points"),
        x_title="x"), f"layers-activation-{name}")
    st.markdown(t("layers.act.table_heading"))
    st.dataframe(vl.activation_table(p, w["local"][name]).style.format("{:.4g}"), width="stretch")
    st.markdown(w["note"][name])
    show_code(ACTIVATIONS[name].layer, ACTIVATIONS[name].f, ACTIVATIONS[name].grad)


def loss_tab() -> None:
    lv.loss_section(LOGITS, TARGET, slides)


def precision_tab() -> None:
    precision_section()


def broadcast_tab() -> None:
    st.header(t("layers.bc.heading"))
    st.markdown(t("layers.bc.intro"))
    w = lv.words()
    case_id = BCASE.widget("selectbox", t("layers.bc.case"), on_change=case_changed,
                           format_func=w["case"].__getitem__)
    op = BOP.widget("segmented_control", t("layers.bc.op"), required=True)
    case = ll.find_case(case_id)
    if case is None:  # shapes the learner types
        try:
            case = ll.BroadcastCase("custom", *lv.typed_shapes(), op)
        except ValueError as err:
            show_error(err)
            return
    st.caption(t("layers.bc.values_note"))
    rules = vl.rule_table(ll.broadcast_axes(case.shape_a, case.shape_b), [
        t("layers.bc.col_axis"), t("layers.bc.col_out"), t("layers.bc.col_rule")], w["rule"])
    try:
        demo = ll.run_case(case, op)
    except ValueError as err:  # numpy's own words are the lesson here
        st.error(t("layers.bc.fails"), icon=":material/school:")
        st.code(f"ValueError: {str(err).strip()}", language=None)
        st.markdown(t("layers.bc.fails_why"))
        st.dataframe(rules, hide_index=True, width="stretch")
        a, b = ll.case_operands(case)
        if a.ndim <= 2 and b.ndim <= 2:
            show_chart(vl.broadcast_failed_figure(a, b, op, slides=slides,
                                                  sign_label=t("viz.sign_key")),
                       "layers-broadcast-fails")
        show_code(ll.broadcast_demo, ll.broadcast_axes)
        return
    st.success(t("layers.bc.works", shape=ll.shape_text(demo.result.shape)),
               icon=":material/check_circle:")
    st.dataframe(rules, hide_index=True, width="stretch")
    if demo.result.ndim <= 2:
        show_chart(vl.broadcast_figure(demo, slides=slides, sign_label=t("viz.sign_key")),
                   "layers-broadcast")
        st.caption(t("layers.bc.faded"))
    st.markdown(t("layers.bc.printed"))
    for col, text in zip(st.columns(3), (f"A =\n{demo.a!r}", f"B =\n{demo.b!r}",
                                         f"A {op} B =\n{demo.result!r}"), strict=True):
        col.code(text, language=None)
    show_code(ll.broadcast_demo, ll.broadcast_axes)


def check_tab() -> None:
    n, d, h, seed = N.value(), D.value(), H.value(), SEED.value()
    st.header(t("layers.check.heading"))
    st.markdown(t("layers.check.intro"))
    st.latex(vl.GRADCHECK_LATEX)
    c_pick, c_again = st.columns([3, 1], vertical_alignment="bottom")
    name = CHECK.widget("selectbox", t("layers.check.pick"), where=c_pick,
                        format_func=ll.CHECK_LABELS.__getitem__)
    c_again.button(t("layers.check.again"), key="layers.check.again", icon=":material/refresh:",
                   width="stretch", help=t("layers.check.again_help"))
    try:
        case = ll.gradcheck_case(name, n, d, h, seed)
    except ValueError as err:
        show_error(err)
        st.info(t("layers.check.sizes_hint"), icon=":material/tune:")
    else:
        lv.check_result(case, n, d, h, seed)
    st.subheader(t("layers.check.all_heading"))
    st.markdown(t("layers.check.all_intro", n=n, d=d, h=h, seed=seed))
    lv.check_summary(n, d, h, seed)


def tab_body(render: Callable[[], None], params: list) -> None:
    """A tab, its settings loaded again (a widget not drawn last run has lost its state, and a
    fragment rerun does not pass the page's load_params) and saved to the URL."""
    load_params(params)
    render()
    save_params(params)



st.title(t("lesson.layers.title"))
st.markdown(t("layers.intro"))
view = open_sections(PAGE, load_params(PARAMS))
lv.start_state()
if view.on("sizes"):
    sizes_section()
TABS = {  # each tab (ui/sections.py names it): its section, the settings it saves, its key
    "affine": (affine_tab, [], SIZED[1]),
    "chain": (chain_tab, [CHAIN_ACT, CHAIN_STEP], SIZED[2]),
    "activations": (activations_tab, [ACT], None),
    "loss": (loss_tab, [*LOGITS, TARGET], None),
    "precision": (precision_tab, [], None),  # ui/precision_view.py
    "broadcast": (broadcast_tab, [BCASE, BOP], None),
    "check": (check_tab, [CHECK], SIZED[3]),
}
shown = [s for s in sections_of(PAGE) if s.id in TABS and view.on(s.id)]
for tab, section in zip(tabs_or_sections([section_title(s) for s in shown]) if shown else [],
                        shown, strict=True):
    with tab:
        render, params, key = TABS[section.id]
        st.fragment(tab_body, key=key)(render, params)
save_params(PARAMS)
