"""Lesson 2: the computational graph, forward values and backward gradients on every edge.

Seeds 000 (the café bill, add and multiply nodes, the sigmoid graph), 002 (upstream,
local and downstream gradients; softmax with cross-entropy) and 003 (chain rule;
branch, repeat, sum and matmul nodes). Every graph is drawn from the engine's own
Graph objects, and every number comes from the engine's forward and backward passes.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from lessons import expression as ex
from lessons.graph import (
    ELEMENTWISE_RULE,
    Graph,
    Node,
    Step,
    add,
    branch,
    branch_graph,
    cafe_graph,
    chain_rule_graph,
    matmul,
    matmul_graph,
    mul,
    numerical_gradient,
    reciprocal,
    repeat,
    repeat_graph,
    sigmoid,
    softmax_cross_entropy_graph,
    sum_,
    sum_graph,
    variable,
)
from ui.chart import show_chart
from ui.code import show_code
from ui.i18n import t
from ui.messages import code_span, show_error
from ui.messages import escape_markdown as md
from ui.params import (
    ChoiceParam,
    FloatParam,
    IntParam,
    Param,
    load_params,
    save_params,
    show_notices,
)
from ui.settings import slides_on
from viz.graph import font_css, format_number, format_value, graph_dot, matmul_shapes_figure

PAGE = "graph"
ITEMS = ("machine", "table", "chair", "cup")
MAX_STEP = 200  # more than any graph on this page has nodes
MAX_COLUMNS = 7  # a longer graph is drawn top to bottom in the page's narrow column


@dataclass(frozen=True)
class ExpressionParam(Param):
    """The learner's expression in the URL: checked by the engine's whitelist on load."""

    def parse(self, raw: str) -> str:
        try:
            ex.check(raw)
        except ex.ExpressionError as err:
            raise ValueError(expression_message(err)) from None
        return raw


CAFE = {
    "machine": (IntParam(PAGE, "machines", 2, 0, 1000),
                IntParam(PAGE, "machine_price", 1_000_000, 0, 100_000_000)),
    "table": (IntParam(PAGE, "tables", 5, 0, 1000),
              IntParam(PAGE, "table_price", 50_000, 0, 100_000_000)),
    "chair": (IntParam(PAGE, "chairs", 15, 0, 1000),
              IntParam(PAGE, "chair_price", 30_000, 0, 100_000_000)),
    "cup": (IntParam(PAGE, "cups", 20, 0, 1000),
            IntParam(PAGE, "cup_price", 10_000, 0, 100_000_000)),
}
TAX = FloatParam(PAGE, "tax", 10.0, 0.0, 100.0)
CAFE_STEP = IntParam(PAGE, "cafe_step", 0, 0, MAX_STEP)
NODE_X = FloatParam(PAGE, "nx", 3.0, -10.0, 10.0)
NODE_Y = FloatParam(PAGE, "ny", 2.0, -10.0, 10.0)
NODE_UP = FloatParam(PAGE, "nup", 1.0, -10.0, 10.0)
CHAIN_X = FloatParam(PAGE, "cx", 1.0, -5.0, 5.0)
CHAIN_Y = FloatParam(PAGE, "cy", 2.0, -5.0, 5.0)
SIG_X = FloatParam(PAGE, "sx", 1.0, -6.0, 6.0)
SIG_STEP = IntParam(PAGE, "sig_step", 0, 0, MAX_STEP)
LOGITS = tuple(FloatParam(PAGE, f"a{k}", a, -50.0, 50.0)
               for k, a in enumerate((0.3, 2.9, 4.0), start=1))
TARGET = ChoiceParam(PAGE, "target", 3, choices=(1, 2, 3))  # the class numbers, from 1
CE_STEP = IntParam(PAGE, "ce_step", 0, 0, MAX_STEP)
REPEAT_N = IntParam(PAGE, "rep_n", 3, 1, 4)
SUM_N = IntParam(PAGE, "sum_n", 2, 1, 4)
MM_N = IntParam(PAGE, "mm_n", 2, 1, 4)
MM_D = IntParam(PAGE, "mm_d", 3, 1, 4)
MM_H = IntParam(PAGE, "mm_h", 2, 1, 4)
EXPR = ExpressionParam(PAGE, "expr", ex.EXAMPLES[0])
EXPR_X = FloatParam(PAGE, "ex", 1.0, -10.0, 10.0)
EXPR_Y = FloatParam(PAGE, "ey", 2.0, -10.0, 10.0)
EXPR_STEP = IntParam(PAGE, "expr_step", 0, 0, MAX_STEP)
PARAMS = [p for pair in CAFE.values() for p in pair] + [
    TAX, CAFE_STEP, NODE_X, NODE_Y, NODE_UP, CHAIN_X, CHAIN_Y, SIG_X, SIG_STEP, *LOGITS,
    TARGET, CE_STEP, REPEAT_N, SUM_N, MM_N, MM_D, MM_H, EXPR, EXPR_X, EXPR_Y, EXPR_STEP,
]
CHECK_TOL = 1e-5  # relative error below which backprop and central differences agree


# ---------------------------------------------------------------- page helpers


def expression_message(err: ex.ExpressionError) -> str:
    """The engine's ExpressionError in the learner's language (its code picks the text)."""
    d = {k: code_span(v, 40) if isinstance(v, str) else v for k, v in err.details.items()}
    texts = {
        "empty": lambda: t("graph.expr.err.empty"),
        "too_long": lambda: t("graph.expr.err.too_long", **d),
        "syntax": lambda: t("graph.expr.err.syntax", **d)
        + (" " + t("graph.expr.err.product_hint") if d.get("implicit_product") else ""),
        "not_allowed": lambda: t("graph.expr.err.not_allowed", **d),
        "unknown_name": lambda: t("graph.expr.err.unknown_name", **d),
        "unknown_function": lambda: t("graph.expr.err.unknown_function", **d),
        "function_as_value": lambda: t("graph.expr.err.function_as_value", **d),
        "call_form": lambda: t("graph.expr.err.call_form", **d),
        "operator": lambda: t("graph.expr.err.operator", **d),
        "constant": lambda: t("graph.expr.err.constant", **d),
        "exponent_not_number": lambda: t("graph.expr.err.exponent_not_number", **d),
        "exponent_range": lambda: t("graph.expr.err.exponent_range", **d),
        "too_deep": lambda: t("graph.expr.err.too_deep", **d),
        "too_many_nodes": lambda: t("graph.expr.err.too_many_nodes", **d),
        "div_zero": lambda: t("graph.expr.err.div_zero", **d),
        "log_domain": lambda: t("graph.expr.err.log_domain", **d),
        "pow_zero": lambda: t("graph.expr.err.pow_zero", **d),
        "pow_negative": lambda: t("graph.expr.err.pow_negative", **d),
        "overflow": lambda: t("graph.expr.err.overflow"),
    }
    return texts[err.code]() if err.code in texts else code_span(err, 300)


def draw(graph: Graph, steps: list[Step] | None = None, upto: int | None = None, *,
         names: dict[str, str] | None = None, tags: dict | None = None,
         highlight: bool = True) -> None:
    """A graph from the engine, drawn by Graphviz in the browser; long graphs run top to
    bottom, so that their labels stay readable in the page's column."""
    dot = graph_dot(graph, steps, upto, names=names, edge_tags=tags, highlight=highlight,
                    max_columns=MAX_COLUMNS, slides=slides)
    st.graphviz_chart(dot, width="content")


def fmt(a) -> str:
    return format_value(a, multiline=False)


def rule_text(rule: str) -> str:
    """The engine's rule for a downstream gradient, in the learner's language."""
    if rule == ELEMENTWISE_RULE:
        return t("graph.rule.elementwise")
    if rule.startswith("dx = dy repeated"):
        return t("graph.rule.repeated")
    if rule == "dx = dy summed over axis 0":
        return t("graph.rule.summed")
    return rule  # the matrix rules are formulas: dx = dy · Wᵀ, dW = xᵀ · dy


def _move(key: str, to: int | None, delta: int, n: int) -> None:
    """Stepper button callback: jump to `to`, or move by `delta`, within 0..n."""
    now = int(st.session_state.get(key, 0))
    st.session_state[key] = max(0, min(n, to if to is not None else now + delta))


def backward_stepper(graph: Graph, param: IntParam, *, names: dict[str, str] | None = None,
                     tags: dict | None = None, seed=None) -> list[Step]:
    """Backward one node at a time: buttons, the graph with the current node lit, and a
    table of the current node's edges (upstream, local, downstream). Returns the steps."""
    names = names or {}
    steps = list(graph.backward_steps(seed))  # all of them; the page shows the first k
    n = len(steps)
    key = param.state_key
    k = max(0, min(n, int(st.session_state.get(key, 0))))
    st.session_state[key] = k
    with st.container(horizontal=True):
        st.button(t("graph.step.reset"), key=f"{key}.reset", icon=":material/first_page:",
                  on_click=_move, args=(key, 0, 0, n), disabled=k == 0)
        st.button(t("graph.step.prev"), key=f"{key}.prev", icon=":material/chevron_left:",
                  on_click=_move, args=(key, None, -1, n), disabled=k == 0)
        st.button(t("graph.step.next"), key=f"{key}.next", icon=":material/chevron_right:",
                  on_click=_move, args=(key, None, 1, n), disabled=k == n, type="primary")
        st.button(t("graph.step.all"), key=f"{key}.all", icon=":material/last_page:",
                  on_click=_move, args=(key, n, 0, n), disabled=k == n)
    st.progress(k / n, text=t("graph.step.progress", k=k, n=n))
    draw(graph, steps, k, names=names, tags=tags)
    st.caption(t("graph.legend"))
    if k == 0:
        st.info(t("graph.step.start", seed=fmt(steps[0].upstream)), icon=":material/start:")
        return steps
    step = steps[k - 1]
    node = step.node
    name = md(names.get(node.label, node.label))
    if not step.edges:
        st.info(t("graph.step.leaf", name=name, grad=fmt(step.upstream)), icon=":material/eco:")
        return steps
    st.markdown(t("graph.step.at", name=name, symbol=node.symbol, upstream=fmt(step.upstream)))
    rows = [{
        t("graph.col.edge"): f"{md(names.get(e.source.label, e.source.label))} → {name}",
        t("graph.col.forward"): fmt(e.value),
        t("graph.col.upstream"): fmt(e.upstream),
        t("graph.col.local"): fmt(e.local),
        t("graph.col.downstream"): fmt(e.downstream),
        t("graph.col.rule"): rule_text(e.rule),
    } for e in step.edges]
    st.table(pd.DataFrame(rows), hide_index=True)
    return steps


slides = slides_on()
st.html(font_css())  # keep the type sizes the graphs were laid out with
st.title(t("lesson.graph.title"))
st.markdown(t("graph.intro"))
notices = load_params(PARAMS)
show_notices(notices)

# ================================================================ 1. the café bill

st.header(t("graph.cafe.header"))
st.markdown(t("graph.cafe.story"))
item_name = {"machine": t("graph.cafe.machine"), "table": t("graph.cafe.table"),
             "chair": t("graph.cafe.chair"), "cup": t("graph.cafe.cup")}
item_unit = {"machine": t("graph.cafe.unit_machine"), "table": t("graph.cafe.unit_item"),
             "chair": t("graph.cafe.unit_item"), "cup": t("graph.cafe.unit_item")}
columns = st.columns(4)
for col, item in zip(columns, ITEMS, strict=True):
    count, price = CAFE[item]
    col.markdown(f"**{item_name[item]}**")
    col.number_input(t("graph.cafe.count"), min_value=count.lo, max_value=count.hi, step=1,
                     key=count.state_key)
    col.number_input(t("graph.cafe.price"), min_value=price.lo, max_value=price.hi,
                     step=1000, key=price.state_key)
st.slider(t("graph.cafe.tax_rate"), min_value=TAX.lo, max_value=TAX.hi, step=1.0,
          format="%.0f%%", key=TAX.state_key)

cafe_numbers = {}
for item in ITEMS:
    count, price = CAFE[item]
    cafe_numbers[f"{item}_count"] = st.session_state[count.state_key]
    cafe_numbers[f"{item}_price"] = st.session_state[price.state_key]
tax_factor = 1 + st.session_state[TAX.state_key] / 100
cafe = cafe_graph(**cafe_numbers, tax=tax_factor)
cafe_names = {
    **{f"{i}_count": t("graph.cafe.count_of", item=item_name[i]) for i in ITEMS},
    **{f"{i}_price": t("graph.cafe.price_of", item=item_name[i]) for i in ITEMS},
    **{f"{i}_cost": t("graph.cafe.cost_of", item=item_name[i]) for i in ITEMS},
    "subtotal": t("graph.cafe.subtotal"),
    "tax": t("graph.cafe.tax"),
    "total": t("graph.cafe.total"),
}
total = float(cafe.output.value)
st.metric(t("graph.cafe.total_metric"), t("graph.won", amount=format_number(total)))
st.markdown(t("graph.cafe.forward"))
draw(cafe, names=cafe_names)
st.caption(t("graph.cafe.forward_caption"))
show_code(cafe_graph)

# ================================================================ 2. add and multiply nodes

st.header(t("graph.nodes.header"))
st.markdown(t("graph.nodes.intro"))
st.latex(r"f = x + y \;\Rightarrow\; \frac{\partial f}{\partial x} = 1,\;"
         r"\frac{\partial f}{\partial y} = 1 \qquad\qquad "
         r"f = xy \;\Rightarrow\; \frac{\partial f}{\partial x} = y,\;"
         r"\frac{\partial f}{\partial y} = x")
c1, c2, c3 = st.columns(3)
c1.number_input("x", min_value=NODE_X.lo, max_value=NODE_X.hi, step=0.5, key=NODE_X.state_key)
c2.number_input("y", min_value=NODE_Y.lo, max_value=NODE_Y.hi, step=0.5, key=NODE_Y.state_key)
c3.number_input(t("graph.nodes.upstream"), min_value=NODE_UP.lo, max_value=NODE_UP.hi,
                step=0.5, key=NODE_UP.state_key)
nx, ny, nup = (float(st.session_state[p.state_key]) for p in (NODE_X, NODE_Y, NODE_UP))
add_graph = Graph(add(variable(nx, "x"), variable(ny, "y"), label="f"))
mul_graph = Graph(mul(variable(nx, "x"), variable(ny, "y"), label="f"))
add_steps = add_graph.backward(nup)
mul_steps = mul_graph.backward(nup)
left, right = (st.container(), st.container()) if slides else st.columns(2)
with left:
    st.subheader(t("graph.nodes.add"))
    draw(add_graph, add_steps, names={"f": "f"}, highlight=False)
    st.markdown(t("graph.nodes.add_says", up=fmt(nup), dx=fmt(add_graph["x"].grad),
                  dy=fmt(add_graph["y"].grad)))
with right:
    st.subheader(t("graph.nodes.mul"))
    draw(mul_graph, mul_steps, names={"f": "f"}, highlight=False)
    st.markdown(t("graph.nodes.mul_says", up=fmt(nup), x=fmt(nx), y=fmt(ny),
                  dx=fmt(mul_graph["x"].grad), dy=fmt(mul_graph["y"].grad)))
st.caption(t("graph.legend"))
show_code(add, mul)

# ================================================================ 3. the chain rule

st.header(t("graph.chain.header"))
st.markdown(t("graph.chain.intro"))
st.latex(r"t = x + y, \qquad z = t^2 \qquad\Rightarrow\qquad "
         r"\frac{\partial z}{\partial x} = \frac{\partial z}{\partial t}\,"
         r"\frac{\partial t}{\partial x} = 2t \cdot 1 = 2(x + y)")
c1, c2 = st.columns(2)
c1.slider("x", min_value=CHAIN_X.lo, max_value=CHAIN_X.hi, step=0.1, key=CHAIN_X.state_key)
c2.slider("y", min_value=CHAIN_Y.lo, max_value=CHAIN_Y.hi, step=0.1, key=CHAIN_Y.state_key)
chain = chain_rule_graph(st.session_state[CHAIN_X.state_key], st.session_state[CHAIN_Y.state_key])
chain_steps = chain.backward()
draw(chain, chain_steps, names={"t": "t", "z": "z"}, highlight=False)
tv, dz_dt, dz_dx = (float(v) for v in (chain["t"].value, chain["t"].grad, chain["x"].grad))
st.latex(rf"\frac{{\partial z}}{{\partial x}} = 2t \cdot 1 = 2 \cdot ({format_number(tv)})"
         rf" \cdot 1 = {format_number(dz_dt)} \cdot 1 = {format_number(dz_dx)}")
st.markdown(t("graph.chain.engine", dx=format_number(dz_dx), dy=fmt(chain["y"].grad)))
show_code(chain_rule_graph)

# ================================================================ 4. backward, node by node

st.header(t("graph.backward.header"))
st.markdown(t("graph.backward.intro"))
down_word, local_word, up_word = (t("graph.word.down"), t("graph.word.local"),
                                  t("graph.word.up"))
st.latex(rf"\underbrace{{\frac{{\partial L}}{{\partial x}}}}_{{\text{{{down_word}}}}}"
         rf" = \underbrace{{\frac{{\partial f}}{{\partial x}}}}_{{\text{{{local_word}}}}}"
         rf" \times \underbrace{{\frac{{\partial L}}{{\partial f}}}}_{{\text{{{up_word}}}}}")
st.markdown(t("graph.backward.vocab"))
st.subheader(t("graph.backward.cafe"))
backward_stepper(cafe, CAFE_STEP, names=cafe_names)
show_code(Graph.backward_steps, Node.backprop)

st.subheader(t("graph.cafe.grads_header"))
st.markdown(t("graph.cafe.grads_intro"))
subtotal = float(cafe["subtotal"].value)
rows = []
for item in ITEMS:
    count, price = cafe[f"{item}_count"], cafe[f"{item}_price"]
    rows.append({
        t("graph.col.leaf"): cafe_names[f"{item}_price"],
        t("graph.col.value"): format_number(price.value),
        t("graph.col.grad_total"): format_number(price.grad),
        t("graph.col.meaning"): t("graph.cafe.means_price", item=item_name[item],
                                  grad=format_number(price.grad),
                                  tax=format_number(tax_factor),
                                  count=format_number(count.value)),
    })
    rows.append({
        t("graph.col.leaf"): cafe_names[f"{item}_count"],
        t("graph.col.value"): format_number(count.value),
        t("graph.col.grad_total"): format_number(count.grad),
        t("graph.col.meaning"): t("graph.cafe.means_count", item=item_name[item],
                                  grad=format_number(count.grad), unit=item_unit[item]),
    })
rows.append({
    t("graph.col.leaf"): cafe_names["tax"],
    t("graph.col.value"): format_number(tax_factor),
    t("graph.col.grad_total"): format_number(cafe["tax"].grad),
    t("graph.col.meaning"): t("graph.cafe.means_tax", grad=format_number(cafe["tax"].grad),
                              step=format_number(float(cafe["tax"].grad) * 0.01)),
})
st.table(pd.DataFrame(rows), hide_index=True)
st.caption(t("graph.cafe.grads_caption", subtotal=format_number(subtotal)))

# ================================================================ 5. sigmoid as a graph

st.header(t("graph.sigmoid.header"))
st.markdown(t("graph.sigmoid.intro"))
st.latex(r"y = \frac{1}{1 + \exp(-x)}")
st.slider("x", min_value=SIG_X.lo, max_value=SIG_X.hi, step=0.1, key=SIG_X.state_key)
sig = Graph(sigmoid(variable(st.session_state[SIG_X.state_key], "x"), label="y"))
sig_tags = {("1+exp(-x)", "y"): "#1", ("exp(-x)", "1+exp(-x)"): "#2",
            ("-x", "exp(-x)"): "#3", ("x", "-x"): "#4"}
sig_steps = backward_stepper(sig, SIG_STEP, tags=sig_tags)
y_sig = float(sig.output.value)
e_sig = float(sig["exp(-x)"].value)
downs = {tag: float(e.downstream) for s in sig_steps for e in s.edges
         for (src, dst), tag in sig_tags.items()
         if e.source.label == src and e.target.label == dst}
st.markdown(t("graph.sigmoid.walk"))
st.latex(r"\begin{aligned}"
         r"\#1 &= -y^2 & \text{(/)}\\ \#2 &= -y^2 & (+)\\"
         r"\#3 &= -y^2 \times e^{-x} & (\exp)\\ \#4 &= y^2 \times e^{-x} & (\times(-1))"
         r"\end{aligned}")
st.table(pd.DataFrame([
    {t("graph.col.edge"): tag, t("graph.col.formula"): formula,
     t("graph.col.engine"): format_number(downs[tag]), t("graph.col.from_y"): format_number(value)}
    for tag, formula, value in (
        ("#1", "−y²", -(y_sig**2)), ("#2", "−y²", -(y_sig**2)),
        ("#3", "−y²·e^(−x)", -(y_sig**2) * e_sig), ("#4", "y²·e^(−x)", y_sig**2 * e_sig))
]), hide_index=True)
st.markdown(t("graph.sigmoid.simplify"))
st.latex(r"\begin{aligned} y^2 e^{-x} &= \frac{1}{(1 + e^{-x})^2}\, e^{-x}"
         r" = \frac{1}{1 + e^{-x}} \cdot \frac{e^{-x}}{1 + e^{-x}} \\"
         r"&= \frac{1}{1 + e^{-x}} \left( \frac{1 + e^{-x}}{1 + e^{-x}}"
         r" - \frac{1}{1 + e^{-x}} \right) = y\,(1 - y) \end{aligned}")
st.latex(rf"y(1-y) = {format_number(y_sig)} \times {format_number(1 - y_sig)}"
         rf" = {format_number(y_sig * (1 - y_sig))}"
         rf"\qquad \frac{{\partial y}}{{\partial x}}\Big|_{{\text{{{t('graph.word.backprop')}}}}}"
         rf" = {format_number(sig['x'].grad)}")
st.caption(t("graph.sigmoid.caption"))
show_code(sigmoid, reciprocal)

# ================================================================ 6. softmax with cross-entropy

st.header(t("graph.ce.header"))
st.markdown(t("graph.ce.intro"))
st.latex(r"y_k = \frac{\exp(a_k)}{\sum_i \exp(a_i)}, \qquad L = -\sum_k t_k \log y_k"
         r"\qquad\Rightarrow\qquad \frac{\partial L}{\partial a} = y - t")
columns = st.columns(4)
for k, (col, p) in enumerate(zip(columns, LOGITS, strict=False), start=1):
    col.number_input(f"a{k}", min_value=p.lo, max_value=p.hi, step=0.1, key=p.state_key)
columns[3].selectbox(t("graph.ce.target"), TARGET.choices, key=TARGET.state_key)
logits = np.array([st.session_state[p.state_key] for p in LOGITS], dtype=np.float64)
target = np.eye(3)[st.session_state[TARGET.state_key] - 1]
ce = softmax_cross_entropy_graph(logits, target)
backward_stepper(ce, CE_STEP)
y_ce = np.exp(ce["log y"].value)
grad_a = ce["a"].grad
st.markdown(t("graph.ce.compare", loss=format_number(ce.output.value)))
st.table(pd.DataFrame({
    t("graph.col.class"): [t("graph.ce.class", k=k) for k in (1, 2, 3)],
    "a": [format_number(v) for v in logits],
    "y": [format_number(v) for v in y_ce],
    "t": [format_number(v) for v in target],
    t("graph.col.grad_a"): [format_number(v) for v in grad_a],
    "y − t": [format_number(v) for v in y_ce - target],
}), hide_index=True)
st.caption(t("graph.ce.caption", err=f"{float(np.max(np.abs(grad_a - (y_ce - target)))):.1e}"))
show_code(softmax_cross_entropy_graph)

# ================================================================ 7. branch, repeat, sum, matmul

st.header(t("graph.types.header"))
st.markdown(t("graph.types.intro"))
tab_branch, tab_repeat, tab_sum, tab_matmul = st.tabs(
    [t("graph.types.branch"), t("graph.types.repeat"), t("graph.types.sum"),
     t("graph.types.matmul")])

with tab_branch:
    st.markdown(t("graph.types.branch_text"))
    br = branch_graph(2.0, weights=(2.0, 3.0))
    draw(br, br.backward(), highlight=False)
    st.latex(rf"\frac{{\partial z}}{{\partial x}} = 2 + 3 = {format_number(br['x'].grad)}")
    show_code(branch)

with tab_repeat:
    st.markdown(t("graph.types.repeat_text"))
    st.slider("N", min_value=REPEAT_N.lo, max_value=REPEAT_N.hi, key=REPEAT_N.state_key)
    n_rep = st.session_state[REPEAT_N.state_key]
    rep = repeat_graph(np.array([1.0, 2.0, 3.0]), n_rep)
    dy_rep = np.arange(1.0, 3 * n_rep + 1).reshape(n_rep, 3)
    draw(rep, rep.backward(dy_rep), highlight=False)
    st.markdown(t("graph.types.repeat_says", dx=fmt(rep["x"].grad)))
    show_code(repeat)

with tab_sum:
    st.markdown(t("graph.types.sum_text"))
    st.slider("N", min_value=SUM_N.lo, max_value=SUM_N.hi, key=SUM_N.state_key)
    n_sum = st.session_state[SUM_N.state_key]
    sm = sum_graph(np.arange(1.0, 3 * n_sum + 1).reshape(n_sum, 3), axis=0)
    dy_sum = np.array([1.0, -1.0, 2.0])
    draw(sm, sm.backward(dy_sum), highlight=False)
    st.markdown(t("graph.types.sum_says", dy=fmt(dy_sum), dx=fmt(sm["x"].grad)))
    show_code(sum_)

with tab_matmul:
    st.markdown(t("graph.types.matmul_text"))
    c1, c2, c3 = st.columns(3)
    c1.slider("N", min_value=MM_N.lo, max_value=MM_N.hi, key=MM_N.state_key)
    c2.slider("D", min_value=MM_D.lo, max_value=MM_D.hi, key=MM_D.state_key)
    c3.slider("H", min_value=MM_H.lo, max_value=MM_H.hi, key=MM_H.state_key)
    N, D, H = (int(st.session_state[p.state_key]) for p in (MM_N, MM_D, MM_H))
    rng = np.random.default_rng(0)
    x_mm = rng.integers(-3, 4, size=(N, D)).astype(np.float64)
    W_mm = rng.integers(-3, 4, size=(D, H)).astype(np.float64)
    dy_mm = rng.integers(-2, 3, size=(N, H)).astype(np.float64)
    mm = matmul_graph(x_mm, W_mm)
    draw(mm, mm.backward(dy_mm), highlight=False)
    st.latex(rf"\underset{{{N}\times{D}}}{{\frac{{\partial L}}{{\partial x}}}} ="
             rf" \underset{{{N}\times{H}}}{{\frac{{\partial L}}{{\partial y}}}}\cdot"
             rf" \underset{{{H}\times{D}}}{{W^T}} \qquad\qquad"
             rf"\underset{{{D}\times{H}}}{{\frac{{\partial L}}{{\partial W}}}} ="
             rf" \underset{{{D}\times{N}}}{{x^T}}\cdot"
             rf" \underset{{{N}\times{H}}}{{\frac{{\partial L}}{{\partial y}}}}")
    fig = matmul_shapes_figure([
        [("dy", dy_mm), "·", ("Wᵀ", W_mm.T), "=", ("dx", mm["x"].grad)],
        [("xᵀ", x_mm.T), "·", ("dy", dy_mm), "=", ("dW", mm["W"].grad)],
    ])
    show_chart(fig, "graph-matmul-shapes")
    st.caption(t("graph.types.matmul_caption"))
    show_code(matmul)

# ================================================================ 8. your own expression

st.header(t("graph.expr.header"))
st.markdown(t("graph.expr.intro"))


def _use_example(text: str) -> None:
    st.session_state[EXPR.state_key] = text
    st.session_state[EXPR_STEP.state_key] = 0


def _expression_edited() -> None:
    st.session_state[EXPR_STEP.state_key] = 0


with st.container(horizontal=True):
    for i, example in enumerate(ex.EXAMPLES):
        st.button(md(example), key=f"graph.example.{i}", on_click=_use_example, args=(example,),
                  type="tertiary", icon=":material/function:")
st.text_input(t("graph.expr.input"), max_chars=ex.MAX_LENGTH, key=EXPR.state_key,
              on_change=_expression_edited, help=t("graph.expr.help"))
c1, c2 = st.columns(2)
c1.number_input("x", min_value=EXPR_X.lo, max_value=EXPR_X.hi, step=0.1, key=EXPR_X.state_key)
c2.number_input("y", min_value=EXPR_Y.lo, max_value=EXPR_Y.hi, step=0.1, key=EXPR_Y.state_key)
try:
    expr_graph = ex.parse(st.session_state[EXPR.state_key], st.session_state[EXPR_X.state_key],
                          st.session_state[EXPR_Y.state_key])
    checks = ex.numerical_check(expr_graph)
except ex.ExpressionError as err:
    st.error(expression_message(err), icon=":material/error:")
except ValueError as err:  # anything else the engine refuses, in its own words
    show_error(err)
else:
    m1, m2, m3 = st.columns(3)
    m1.metric("f(x, y)", format_number(expr_graph.output.value))
    m2.metric("∂f/∂x", format_number(checks[0].backprop))
    m3.metric("∂f/∂y", format_number(checks[1].backprop))
    st.caption(t("graph.expr.nodes", n=len(expr_graph.nodes)))
    backward_stepper(expr_graph, EXPR_STEP)
    st.subheader(t("graph.expr.check_header"))
    st.markdown(t("graph.expr.check_intro"))
    st.table(pd.DataFrame([{
        t("graph.col.variable"): c.name,
        t("graph.col.backprop"): format_number(c.backprop),
        t("graph.col.numerical"): format_number(c.numerical),
        t("graph.col.rel_error"): f"{c.rel_error:.1e}",
        t("graph.col.agree"): "✓" if c.rel_error < CHECK_TOL else "✗",
    } for c in checks]), hide_index=True)
    if any(c.rel_error >= CHECK_TOL for c in checks):
        st.warning(t("graph.expr.disagree"), icon=":material/warning:")
show_code(ex.parse, ex.check, ex._Builder, numerical_gradient)

save_params(PARAMS)
