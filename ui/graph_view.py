"""What the computational-graph lesson shows beyond its URL settings, for app_pages/graph.py,
whose sections hold those widgets and call these:

    draw(graph, figure=name)              # an engine graph, drawn by Graphviz in the browser,
                                          # its nodes as a table (node_table), and buttons
                                          # that save it as <name>-<lang>.svg/.png
    backward_stepper(graph, param, figure=name)  # backward one node at a time: buttons,
                                          # graph, table
    export_notice()                       # once per page: no Graphviz, so no graph files
    sigmoid_walk_table(graph, steps)      # the sigmoid's four edges beside y(1 − y)
    softmax_walk(check, target)           # seed 002's two paths into exp(a_k), and y − t
    matmul_derivation(graph, dy)          # dx = dy · Wᵀ element by element, then as matrices
    cafe_words()                          # the café's item names, node names and units
    cafe_gradient_table(graph)            # d total / d every number of the bill, and its meaning
    expression_message(err)               # the parser's ExpressionError, in this run's language
    expression_check_table(checks)        # backprop beside central differences for x and y
    ExpressionParam(page, name, default)  # the learner's expression in the URL, checked on load

Every graph comes from lessons.graph or lessons.expression, every drawing from viz.graph.
Every table teaching numbers comes with a CSV button (ui.export.show_table).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from engine.autograd import ELEMENTWISE_RULE, BackwardStep, Graph
from lessons import expression as ex
from lessons import graph as lg
from ui import export
from ui.i18n import t
from ui.messages import code_span
from ui.messages import escape_markdown as md
from ui.params import IntParam, Param
from ui.settings import slides_on
from viz import graph as vg
from viz.common import format_number

MAX_COLUMNS = 7  # a longer graph is drawn top to bottom in the page's narrow column


def draw(graph: Graph, steps: list[BackwardStep] | None = None, upto: int | None = None, *,
         figure: str, names: dict[str, str] | None = None, tags: dict | None = None,
         highlight: bool = True, max_columns: int = MAX_COLUMNS, table: bool = True) -> None:
    """A graph from the engine, drawn by Graphviz in the browser; graphs longer than
    `max_columns` run top to bottom, so that their labels stay readable in the column.
    Under it, buttons that save it as <figure>-<lang>.svg/.png (ui.export; `figure` names
    this graph on the page, 'graph-cafe'), laid out for a slide: left to right whatever
    its length (a slide is wide) and in slide mode's type sizes. With `table`, its nodes
    as a table beside them (node_table; False: the caller puts it)."""
    dot = partial(vg.graph_dot, graph, steps, upto, names=names, edge_tags=tags,
                  highlight=highlight)
    st.graphviz_chart(dot(max_columns=max_columns, slides=slides_on()), width="content")
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        if table:
            node_table(graph, steps, upto, figure=figure, names=names)
        export.graph_downloads(dot(max_columns=None, slides=True), figure)


def export_notice() -> None:
    """Once per page, above its graphs: say so when the server cannot make their files."""
    export.graphviz_notice()


def node_table(graph: Graph, steps: list[BackwardStep] | None = None, upto: int | None = None,
               *, figure: str, names: dict[str, str] | None = None) -> None:
    """The graph's text form, a click away: a popover holding node_rows as a table, saved
    as <figure>-nodes-<lang>.csv. The graphs are small, so the table is built every run (the
    lesson reruns only on its own clicks): no rerun when it opens."""
    with st.popover(t("graph.text.label"), icon=":material/table:"):
        st.caption(t("graph.text.caption"))
        export.show_table(pd.DataFrame(node_rows(graph, steps, upto, names=names)),
                          f"{figure}-nodes")


def node_rows(graph: Graph, steps: list[BackwardStep] | None = None, upto: int | None = None,
              *, names: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The graph in words, as draw() shows it after `upto` of `steps` (default: all): one row
    per node, with its operation, its forward value and, with steps, its gradient once its
    backward step is done (the full upstream it had then), else a dash."""
    names = names or {}
    done = list(steps or [])[:len(steps or []) if upto is None else upto]
    grads = {id(s.node): s.upstream for s in done}
    ops = {"input": t("graph.text.input"), "const": t("graph.text.const")}
    rows = []
    for node in graph.nodes:
        row = {t("graph.text.col_node"): md(names.get(node.label, node.label)),
               t("graph.text.col_op"): md(ops.get(node.op, node.symbol)),
               t("graph.col.forward"): vg.format_inline(node.value)}
        if steps is not None:
            grad = grads.get(id(node))
            row[t("graph.text.col_grad")] = t("graph.text.pending") if grad is None \
                else vg.format_inline(grad)
        rows.append(row)
    return rows


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


def backward_stepper(graph: Graph, param: IntParam, *, figure: str,
                     names: dict[str, str] | None = None, tags: dict | None = None,
                     max_columns: int = MAX_COLUMNS) -> list[BackwardStep]:
    """Backward one node at a time: buttons, the graph with the current node lit (saved as
    <figure>-<lang>.svg/.png), and a table of the current node's edges (upstream, local,
    downstream). Returns the steps."""
    names = names or {}
    fmt = vg.format_inline
    steps = graph.backward()  # all of them; the page shows the first k
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
    draw(graph, steps, k, figure=figure, names=names, tags=tags, max_columns=max_columns,
         table=False)
    st.caption(t("graph.legend"))
    node_table(graph, steps, k, figure=figure, names=names)
    if k == 0:
        st.info(t("graph.step.start", seed=fmt(steps[0].upstream)), icon=":material/start:")
        return steps
    step = steps[k - 1]
    name = md(names.get(step.node.label, step.node.label))
    if not step.edges:
        st.info(t("graph.step.leaf", name=name, grad=fmt(step.upstream)), icon=":material/eco:")
        return steps
    st.markdown(t("graph.step.at", name=name, symbol=step.node.symbol,
                  upstream=fmt(step.upstream)))
    rows = [{
        t("graph.col.edge"): f"{md(names.get(e.source.label, e.source.label))} → {name}",
        t("graph.col.forward"): fmt(e.value),
        t("graph.col.upstream"): fmt(e.upstream),
        t("graph.col.local"): fmt(e.local),
        t("graph.col.downstream"): fmt(e.downstream),
        t("graph.col.rule"): rule_text(e.rule),
    } for e in step.edges]
    export.show_table(pd.DataFrame(rows), f"{figure}-step")
    return steps


# ---------------------------------------------------------------- the café bill


@dataclass(frozen=True)
class CafeWords:
    """The café's words in this run's language, by item ('chair') and by node label."""

    items: dict[str, str]  # 'chair' -> 'Chairs'
    units: dict[str, str]  # 'chair' -> what one more of it is called
    names: dict[str, str]  # 'chair_price' -> 'chair price', 'subtotal' -> …


def cafe_words() -> CafeWords:
    items = {"machine": t("graph.cafe.machine"), "table": t("graph.cafe.table"),
             "chair": t("graph.cafe.chair"), "cup": t("graph.cafe.cup")}
    units = {"machine": t("graph.cafe.unit_machine"), "table": t("graph.cafe.unit_item"),
             "chair": t("graph.cafe.unit_item"), "cup": t("graph.cafe.unit_item")}
    names = {
        **{f"{i}_count": t("graph.cafe.count_of", item=items[i]) for i in lg.CAFE_ITEMS},
        **{f"{i}_price": t("graph.cafe.price_of", item=items[i]) for i in lg.CAFE_ITEMS},
        **{f"{i}_cost": t("graph.cafe.cost_of", item=items[i]) for i in lg.CAFE_ITEMS},
        "subtotal": t("graph.cafe.subtotal"),
        "tax": t("graph.cafe.tax"),
        "total": t("graph.cafe.total"),
    }
    return CafeWords(items, units, names)


def cafe_gradient_table(graph: Graph) -> None:
    """Every price, count and the tax factor with d total / d it and what that means
    (after a backward pass), then the subtotal the tax's gradient equals."""
    words, fn = cafe_words(), format_number
    tax = graph["tax"].value
    rows = []
    for leaf in lg.cafe_leaves(graph):
        if leaf.kind == "price":
            meaning = t("graph.cafe.means_price", item=words.items[leaf.item],
                        grad=fn(leaf.grad), tax=fn(tax),
                        count=fn(graph[f"{leaf.item}_count"].value))
        elif leaf.kind == "count":
            meaning = t("graph.cafe.means_count", item=words.items[leaf.item],
                        grad=fn(leaf.grad), unit=words.units[leaf.item])
        else:
            meaning = t("graph.cafe.means_tax", grad=fn(leaf.grad), step=fn(leaf.grad * 0.01))
        rows.append({
            t("graph.col.leaf"): words.names[leaf.label],
            t("graph.col.value"): fn(leaf.value),
            t("graph.col.grad_total"): fn(leaf.grad),
            t("graph.col.meaning"): meaning,
        })
    export.show_table(pd.DataFrame(rows), "graph-cafe-gradients")
    st.caption(t("graph.cafe.grads_caption", subtotal=fn(graph["subtotal"].value)))


# ---------------------------------------------------------------- sigmoid


def sigmoid_walk_table(graph: Graph, steps: list[BackwardStep]) -> None:
    """The sigmoid graph's four backward edges: their formula, the engine's number and the
    same number from y alone (lessons.graph.sigmoid_walk)."""
    export.show_table(pd.DataFrame([
        {t("graph.col.edge"): e.tag, t("graph.col.formula"): e.formula,
         t("graph.col.engine"): format_number(e.backprop),
         t("graph.col.from_y"): format_number(e.from_y)} for e in lg.sigmoid_walk(graph, steps)
    ]), "graph-sigmoid-walk")


# ---------------------------------------------------------------- softmax with cross-entropy

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
# the seed's names for the softmax-with-loss graph's nodes (three classes)
SOFTMAX_NAMES = {
    "S": "S", "1/S": "1/S", "L": "L",
    **{f"{name}{k}": f"{name}{k}".translate(_SUB) for k in (1, 2, 3) for name in "aty"},
}


def softmax_walk(check: lg.SoftmaxCheck, target: int) -> None:
    """Seed 002's walk back to the scores: the formulas, the target class's exp node with
    its numbers, and a table of both paths into every exp node beside y − t."""
    fn = format_number
    st.markdown(t("graph.ce.walk"))
    st.latex(vg.SOFTMAX_WALK_LATEX)
    st.markdown(t("graph.ce.lane", k=target))
    st.latex(vg.softmax_lane_latex(check.lanes[target - 1], check.s))
    st.markdown(t("graph.ce.compare", loss=fn(check.loss), s=fn(check.s)))
    export.show_table(pd.DataFrame([{
        t("graph.col.class"): t("graph.ce.class", k=lane.k),
        "a": fn(lane.a), "exp(a)": fn(lane.exp_a), "t": fn(lane.t),
        t("graph.col.via_s"): fn(lane.from_s), t("graph.col.via_y"): fn(lane.from_y),
        t("graph.col.exp_up"): fn(lane.upstream), t("graph.col.grad_a"): fn(lane.grad_a),
        "y − t": fn(lane.y_minus_t),
    } for lane in check.lanes]), "graph-softmax-paths")
    st.caption(t("graph.ce.caption", err=f"{check.max_error:.1e}"))


# ---------------------------------------------------------------- matmul: dx = dy · Wᵀ


def matmul_derivation(graph: Graph, dy) -> None:
    """Where dx = dy · Wᵀ comes from (seed 002): the paths from xᵢ through every yⱼ, the sums
    with the graph's numbers for the first row, then the matrix form (after backward)."""
    st.markdown(t("graph.types.matmul_paths"))
    st.latex(vg.MATMUL_SEED_LATEX)
    sums = lg.matmul_elementwise(graph, dy, n=1)
    st.markdown(t("graph.types.matmul_numbers", dx=vg.format_inline(graph["x"].grad[0])))
    st.latex(vg.matmul_elementwise_latex(sums))
    st.markdown(t("graph.types.matmul_matrix"))
    st.latex(vg.MATMUL_MATRIX_LATEX)


# ---------------------------------------------------------------- the learner's expression


def expression_message(err: ex.ExpressionError) -> str:
    """The parser's ExpressionError in the learner's language (its code picks the text)."""
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
        "infinite_slope": lambda: t("graph.expr.err.infinite_slope", **d),
        "check_edge": lambda: t("graph.expr.err.check_edge", name=d["name"], value=d["value"],
                                h=d["h"]),
        "overflow": lambda: t("graph.expr.err.overflow"),
    }
    return texts[err.code]() if err.code in texts else code_span(err, 300)


@dataclass(frozen=True)
class ExpressionParam(Param):
    """The learner's expression in the URL: checked by the parser's whitelist on load."""

    def parse(self, raw: str) -> str:
        try:
            ex.check(raw)
        except ex.ExpressionError as err:
            raise ValueError(expression_message(err)) from None
        return raw


def expression_check_table(checks: list[ex.GradientCheck]) -> None:
    """Backprop beside central differences for x and y, and a warning when they disagree."""
    export.show_table(pd.DataFrame([{
        t("graph.col.variable"): c.name,
        t("graph.col.backprop"): format_number(c.backprop),
        t("graph.col.numerical"): format_number(c.numerical),
        t("graph.col.rel_error"): f"{c.rel_error:.1e}",
        t("graph.col.agree"): "✓" if c.agrees else "✗",
    } for c in checks]), "graph-expression-check")
    if not all(c.agrees for c in checks):
        st.warning(t("graph.expr.disagree"), icon=":material/warning:")
