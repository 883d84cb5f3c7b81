"""Lesson 2: the computational graph, forward values and backward gradients on every edge.

Eight sections, each a fragment: the café bill, add and multiply nodes, the chain rule,
backward node by node, sigmoid as a graph, softmax with cross-entropy, the branch, repeat,
sum and matmul nodes, and the learner's own expression. Every graph is engine.autograd's,
built by lessons.graph (or lessons.expression), drawn by viz.graph through ui.graph_view.
"""

import streamlit as st

from engine import autograd as ag
from lessons import expression as ex
from lessons import graph as lg
from ui import graph_view as gv
from ui.chart import show_chart
from ui.code import show_code
from ui.handout import tabs_or_sections
from ui.i18n import t
from ui.messages import escape_markdown as md
from ui.messages import show_error
from ui.params import ChoiceParam, FloatParam, IntParam, load_params, save_params
from ui.sections import open_sections, section_on
from ui.settings import slides_on
from viz import graph as vg
from viz.common import format_number

PAGE = "graph"
MAX_STEP = 200  # more than any graph on this page has nodes
# A café number reruns both sections that draw the bill, and only those.
CAFE_SECTIONS = ["graph.cafe_section", "graph.backward_section"]

CAFE = {item: (IntParam(PAGE, f"{item}s", count, 0, 1000),
               IntParam(PAGE, f"{item}_price", price, 0, 100_000_000))
        for item, count, price in (("machine", 2, 1_000_000), ("table", 5, 50_000),
                                   ("chair", 15, 30_000), ("cup", 20, 10_000))}
TAX = FloatParam(PAGE, "tax", 10.0, 0.0, 100.0)
CAFE_PARAMS = [*(p for pair in CAFE.values() for p in pair), TAX]
CAFE_STEP, SIG_STEP, CE_STEP, EXPR_STEP = (IntParam(PAGE, f"{name}_step", 0, 0, MAX_STEP)
                                           for name in ("cafe", "sig", "ce", "expr"))
NODE_X, NODE_Y, NODE_UP = (FloatParam(PAGE, name, v, -10.0, 10.0)
                           for name, v in (("nx", 3.0), ("ny", 2.0), ("nup", 1.0)))
CHAIN_X, CHAIN_Y = (FloatParam(PAGE, name, v, -5.0, 5.0) for name, v in (("cx", 1.0), ("cy", 2.0)))
SIG_X = FloatParam(PAGE, "sx", 1.0, -6.0, 6.0)
LOGITS = tuple(FloatParam(PAGE, f"a{k}", a, -50.0, 50.0)
               for k, a in enumerate((0.3, 2.9, 4.0), start=1))
TARGET = ChoiceParam(PAGE, "target", 3, choices=(1, 2, 3))  # the class numbers, from 1
REPEAT_N = IntParam(PAGE, "rep_n", 3, 1, 4)
SUM_N = IntParam(PAGE, "sum_n", 2, 1, 4)
# D = H = 2 as in seed 002's derivation of dx = dy·Wᵀ
MM_N, MM_D, MM_H = (IntParam(PAGE, f"mm_{k}", v, 1, 4) for k, v in (("n", 2), ("d", 2), ("h", 2)))
EXPR = gv.ExpressionParam(PAGE, "expr", ex.EXAMPLES[0])
EXPR_X, EXPR_Y = (FloatParam(PAGE, name, v, -10.0, 10.0) for name, v in (("ex", 1.0), ("ey", 2.0)))
PARAMS = [*CAFE_PARAMS, CAFE_STEP, NODE_X, NODE_Y, NODE_UP, CHAIN_X, CHAIN_Y, SIG_X, SIG_STEP,
          *LOGITS, TARGET, CE_STEP, REPEAT_N, SUM_N, MM_N, MM_D, MM_H, EXPR, EXPR_X, EXPR_Y,
          EXPR_STEP]


def cafe_now() -> ag.Graph:
    """The café bill at the widgets' numbers (two sections draw it)."""
    return lg.cafe_bill({i: c.value() for i, (c, _) in CAFE.items()},
                        {i: p.value() for i, (_, p) in CAFE.items()}, TAX.value())


def cafe_changed() -> None:
    """The backward section walks the same bill: rerun it with the café, not the page."""
    st.rerun([key for key, section in zip(CAFE_SECTIONS, ("cafe", "backward"), strict=True)
              if section_on(PAGE, section)])  # a hidden section's fragment cannot be named


@st.fragment(key=CAFE_SECTIONS[0])
def cafe_section() -> None:
    st.header(t("graph.cafe.header"))
    st.markdown(t("graph.cafe.story"))
    words = gv.cafe_words()
    for col, name in zip(st.columns(4), lg.CAFE_ITEMS, strict=True):
        count, price = CAFE[name]
        col.markdown(f"**{words.items[name]}**")
        count.number_input(t("graph.cafe.count"), step=1, where=col, on_change=cafe_changed)
        price.number_input(t("graph.cafe.price"), step=1000, where=col, on_change=cafe_changed)
    TAX.slider(t("graph.cafe.tax_rate"), step=1.0, format="%.0f%%", on_change=cafe_changed)
    save_params(CAFE_PARAMS)
    cafe = cafe_now()
    st.metric(t("graph.cafe.total_metric"),
              t("graph.won", amount=format_number(cafe.output.value)))
    st.markdown(t("graph.cafe.forward"))
    gv.draw(cafe, figure="graph-cafe", names=words.names)
    st.caption(t("graph.cafe.forward_caption"))
    show_code(lg.cafe_graph)


@st.fragment
def nodes_section() -> None:
    st.header(t("graph.nodes.header"))
    st.markdown(t("graph.nodes.intro"))
    st.latex(vg.NODE_RULES_LATEX)
    c1, c2, c3 = st.columns(3)
    NODE_X.number_input("x", step=0.5, where=c1)
    NODE_Y.number_input("y", step=0.5, where=c2)
    NODE_UP.number_input(t("graph.nodes.upstream"), step=0.5, where=c3)
    save_params([NODE_X, NODE_Y, NODE_UP])
    x, y, up, fmt = NODE_X.value(), NODE_Y.value(), NODE_UP.value(), vg.format_inline
    add_graph, mul_graph = lg.two_input_graph("add", x, y), lg.two_input_graph("mul", x, y)
    left, right = (st.container(), st.container()) if slides_on() else st.columns(2)
    with left:
        st.subheader(t("graph.nodes.add"))
        gv.draw(add_graph, add_graph.backward(up), figure="graph-add-node", names={"f": "f"},
                highlight=False)
        st.markdown(t("graph.nodes.add_says", up=fmt(up), dx=fmt(add_graph["x"].grad),
                      dy=fmt(add_graph["y"].grad)))
    with right:
        st.subheader(t("graph.nodes.mul"))
        gv.draw(mul_graph, mul_graph.backward(up), figure="graph-mul-node", names={"f": "f"},
                highlight=False)
        st.markdown(t("graph.nodes.mul_says", up=fmt(up), x=fmt(x), y=fmt(y),
                      dx=fmt(mul_graph["x"].grad), dy=fmt(mul_graph["y"].grad)))
    st.caption(t("graph.legend"))
    show_code(ag.add, ag.mul)


@st.fragment
def chain_section() -> None:
    st.header(t("graph.chain.header"))
    st.markdown(t("graph.chain.intro"))
    st.latex(vg.CHAIN_RULE_LATEX)
    c1, c2 = st.columns(2)
    CHAIN_X.slider("x", step=0.1, where=c1)
    CHAIN_Y.slider("y", step=0.1, where=c2)
    save_params([CHAIN_X, CHAIN_Y])
    chain = lg.chain_rule_graph(CHAIN_X.value(), CHAIN_Y.value())
    gv.draw(chain, chain.backward(), figure="graph-chain-rule", names={"t": "t", "z": "z"},
            highlight=False)
    st.latex(vg.chain_rule_numbers_latex(chain))
    st.markdown(t("graph.chain.engine", dx=format_number(chain["x"].grad),
                  dy=vg.format_inline(chain["y"].grad)))
    show_code(lg.chain_rule_graph)


@st.fragment(key=CAFE_SECTIONS[1])
def backward_section() -> None:
    st.header(t("graph.backward.header"))
    st.markdown(t("graph.backward.intro"))
    st.latex(vg.backward_rule_latex(t("graph.word.down"), t("graph.word.local"),
                                    t("graph.word.up")))
    st.markdown(t("graph.backward.vocab"))
    st.subheader(t("graph.backward.cafe"))
    cafe = cafe_now()
    gv.backward_stepper(cafe, CAFE_STEP, figure="graph-cafe-backward", names=gv.cafe_words().names)
    save_params([CAFE_STEP])
    show_code(ag.Graph.backward_steps, ag.Node.backprop)
    st.subheader(t("graph.cafe.grads_header"))
    st.markdown(t("graph.cafe.grads_intro"))
    gv.cafe_gradient_table(cafe)


@st.fragment
def sigmoid_section() -> None:
    st.header(t("graph.sigmoid.header"))
    st.markdown(t("graph.sigmoid.intro"))
    st.latex(vg.SIGMOID_LATEX)
    SIG_X.slider("x", step=0.1)
    sig = lg.sigmoid_graph(SIG_X.value())
    steps = gv.backward_stepper(sig, SIG_STEP, figure="graph-sigmoid", tags=lg.SIGMOID_TAGS)
    save_params([SIG_X, SIG_STEP])
    st.markdown(t("graph.sigmoid.walk"))
    st.latex(vg.SIGMOID_WALK_LATEX)
    gv.sigmoid_walk_table(sig, steps)
    st.markdown(t("graph.sigmoid.simplify"))
    st.latex(vg.SIGMOID_SIMPLIFY_LATEX)
    st.latex(vg.sigmoid_check_latex(sig, t("graph.word.backprop")))
    st.caption(t("graph.sigmoid.caption"))
    show_code(ag.sigmoid, ag.reciprocal)


@st.fragment
def softmax_section() -> None:
    st.header(t("graph.ce.header"))
    st.markdown(t("graph.ce.intro"))
    st.latex(vg.SOFTMAX_LOSS_LATEX)
    columns = st.columns(4)
    for k, (col, p) in enumerate(zip(columns, LOGITS, strict=False), start=1):
        p.number_input(f"a{k}", step=0.1, where=col)
    TARGET.widget("selectbox", t("graph.ce.target"), where=columns[3])
    ce = lg.softmax_cross_entropy_graph([p.value() for p in LOGITS],
                                        lg.one_hot(TARGET.value() - 1, 3))
    steps = gv.backward_stepper(ce, CE_STEP, figure="graph-softmax-loss", names=gv.SOFTMAX_NAMES)
    save_params([*LOGITS, TARGET, CE_STEP])
    gv.softmax_walk(lg.softmax_check(ce, steps), TARGET.value())
    shifted = lg.shifted_softmax(ce)
    st.info(t("graph.ce.stable", limit=format_number(lg.EXP_LIMIT),
              shift=format_number(shifted.shift), diff=f"{shifted.difference:.1e}"),
            icon=":material/info:")
    show_code(lg.softmax_cross_entropy_graph)


@st.fragment
def node_types_section() -> None:
    st.header(t("graph.types.header"))
    st.markdown(t("graph.types.intro"))
    tab_branch, tab_repeat, tab_sum, tab_matmul = tabs_or_sections(
        [t("graph.types.branch"), t("graph.types.repeat"), t("graph.types.sum"),
         t("graph.types.matmul")])
    with tab_branch:
        st.markdown(t("graph.types.branch_text"))
        br = lg.branch_graph(2.0, weights=(2.0, 3.0))
        gv.draw(br, br.backward(), figure="graph-branch", highlight=False)
        st.latex(vg.branch_latex(br))
        show_code(ag.branch)
    with tab_repeat:
        st.markdown(t("graph.types.repeat_text"))
        REPEAT_N.slider("N")
        rep, dy = lg.repeat_example(REPEAT_N.value())
        gv.draw(rep, rep.backward(dy), figure="graph-repeat", highlight=False)
        st.markdown(t("graph.types.repeat_says", dx=vg.format_inline(rep["x"].grad)))
        show_code(ag.repeat)
    with tab_sum:
        st.markdown(t("graph.types.sum_text"))
        SUM_N.slider("N")
        sm, dy = lg.sum_example(SUM_N.value())
        gv.draw(sm, sm.backward(dy), figure="graph-sum", highlight=False)
        st.markdown(t("graph.types.sum_says", dy=vg.format_inline(dy),
                      dx=vg.format_inline(sm["x"].grad)))
        show_code(ag.sum_)
    with tab_matmul:
        st.markdown(t("graph.types.matmul_text"))
        for col, p, name in zip(st.columns(3), (MM_N, MM_D, MM_H), "NDH", strict=True):
            p.slider(name, where=col)
        mm, dy = lg.matmul_example(MM_N.value(), MM_D.value(), MM_H.value())
        gv.draw(mm, mm.backward(dy), figure="graph-matmul", highlight=False)
        gv.matmul_derivation(mm, dy)
        st.markdown(t("graph.types.matmul_check"))
        st.latex(vg.matmul_shapes_latex(MM_N.value(), MM_D.value(), MM_H.value()))
        show_chart(vg.matmul_backward_figure(mm, dy, t("viz.sign_key")), "graph-matmul-shapes")
        st.caption(t("graph.types.matmul_caption"))
        show_code(ag.matmul)
    save_params([REPEAT_N, SUM_N, MM_N, MM_D, MM_H])


def restart_expression(text: str | None = None) -> None:
    """A new expression (an example's `text`, or one typed in) starts backward afresh."""
    if text is not None:
        st.session_state[EXPR.state_key] = text
    st.session_state[EXPR_STEP.state_key] = 0


@st.fragment
def expression_section() -> None:
    st.header(t("graph.expr.header"))
    st.markdown(t("graph.expr.intro"))
    with st.container(horizontal=True):
        for i, example in enumerate(ex.EXAMPLES):
            st.button(md(example), key=f"graph.example.{i}", on_click=restart_expression,
                      args=(example,), type="tertiary", icon=":material/function:")
    st.text_input(t("graph.expr.input"), max_chars=ex.MAX_LENGTH, key=EXPR.state_key,
                  **EXPR.widget_args(on_change=restart_expression,  # disabled when locked
                                     help=t("graph.expr.help")))
    c1, c2 = st.columns(2)
    EXPR_X.number_input("x", step=0.1, where=c1)
    EXPR_Y.number_input("y", step=0.1, where=c2)
    try:
        graph = ex.parse(EXPR.value(), EXPR_X.value(), EXPR_Y.value())
        checks = ex.numerical_check(graph)
    except ex.ExpressionError as err:
        st.error(gv.expression_message(err), icon=":material/error:")
    except ValueError as err:  # anything else the engine refuses, in its own words
        show_error(err)
    else:
        m1, m2, m3 = st.columns(3)
        m1.metric("f(x, y)", format_number(graph.output.value))
        m2.metric("∂f/∂x", format_number(checks[0].backprop))
        m3.metric("∂f/∂y", format_number(checks[1].backprop))
        st.caption(t("graph.expr.nodes", n=len(graph.nodes)))
        gv.backward_stepper(graph, EXPR_STEP, figure="graph-expression")
        st.subheader(t("graph.expr.check_header"))
        st.markdown(t("graph.expr.check_intro"))
        gv.expression_check_table(checks)
    show_code(ex.parse, ex.check, ex.GraphBuilder, ag.central_difference)
    save_params([EXPR, EXPR_X, EXPR_Y, EXPR_STEP])


st.html(vg.font_css())  # keep the type sizes the graphs were laid out with
st.title(t("lesson.graph.title"))
st.markdown(t("graph.intro"))
gv.export_notice()  # once, when the server cannot save the graphs as files
open_sections(PAGE, load_params(PARAMS)).run({
    "cafe": cafe_section, "nodes": nodes_section, "chain": chain_section,
    "backward": backward_section, "sigmoid": sigmoid_section, "softmax": softmax_section,
    "types": node_types_section, "expr": expression_section})
