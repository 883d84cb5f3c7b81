"""Charts in words under AppTest: a chart's summary under it and its Data table a click away
(perceptron, MNIST), and the graph lesson's graphs as node tables, matching the engine."""

from __future__ import annotations

import re

import pytest

from lessons import perceptron as pl
from lessons.graph import cafe_graph
from tests.app.helpers import open_lesson
from ui.chart import data_key
from ui.chart_text import fmt, trend
from ui.i18n import LANGS, tr
from viz import mnist as vz
from viz.graph import format_inline


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def captions(at) -> list[str]:
    return [unescape(c.value) for c in at.caption]


def curve_text(lang: str, value, axis: str, x, direction: str | None) -> str:
    text = tr(lang, "chart.curve", value=fmt(value), axis=axis, x=fmt(x))
    return text + (f", {tr(lang, f'chart.trend.{direction}')}" if direction else "")


@pytest.mark.parametrize("lang", LANGS)
def test_the_learning_rule_chart_says_each_gates_last_errors_and_shows_its_data(lang):
    at = open_lesson("app_pages/perceptron.py", lang)
    verdicts = pl.gate_verdicts(lr=0.1, epochs=pl.LEARN_EPOCHS, seed=0)
    epoch = tr(lang, "perceptron.s2.epoch")
    parts = [f"{gate}: " + curve_text(lang, v.learned.errors[-1], epoch, len(v.learned.errors),
                                      trend(v.learned.errors))
             for gate, v in verdicts.items()]
    expected = f"{tr(lang, 'perceptron.s2.errors')} — " + "; ".join(parts)
    assert expected in captions(at)

    # the Data popover builds its table only when opened
    series = tr(lang, "chart.col.series")
    assert not [t for t in at.table if series in t.value.columns]
    at.session_state[data_key("perceptron.chart.errors")] = True
    at.run()
    assert not at.exception
    table = next(t.value for t in at.table if series in t.value.columns)
    and_rows = table[table[series] == "AND"]
    assert list(and_rows[epoch]) == [str(k) for k in range(1, len(verdicts["AND"].learned.errors)
                                                           + 1)]
    assert list(and_rows[tr(lang, "perceptron.s2.errors")]) == [
        fmt(e) for e in verdicts["AND"].learned.errors]


def test_the_live_loss_chart_says_the_runs_last_loss():
    lang = "ko"
    at = open_lesson("app_pages/mnist.py", lang, timeout=120)
    at.button(key="mnist.train.step").click().run()
    assert not at.exception
    loss = at.session_state["mnist.model"].model.trainer.history.loss
    raw, _ = vz.loss_data(loss.x, loss.y, max_points=max(loss.limit, 2))
    part = f"{tr(lang, 'mnist.s7.loss_raw')}: " + tr(
        lang, "chart.curve", value=fmt(raw["y"][-1]), axis=tr(lang, "mnist.s7.axis_step"),
        x=fmt(raw["x"][-1]))
    found = [c for c in captions(at) if c.startswith(tr(lang, "mnist.s7.axis_loss") + " — ")]
    assert len(found) == 1 and part in found[0], found


@pytest.mark.parametrize("lang", LANGS)
def test_the_cafe_stepper_has_its_nodes_as_a_table_at_the_current_step(lang):
    at = open_lesson("app_pages/graph.py", lang)
    key = "graph.cafe_step"
    for _ in range(2):
        at.button(key=f"{key}.next").click().run()
    node, grad = tr(lang, "graph.text.col_node"), tr(lang, "graph.text.col_grad")
    total = tr(lang, "graph.cafe.total")
    tables = [t.value for t in at.table
              if grad in t.value.columns and total in set(t.value[node])]
    assert len(tables) == 1  # the stepper's; the forward-only drawing has no gradients
    table = tables[0]
    graph = cafe_graph()
    steps = graph.backward()
    done = {id(s.node): s.upstream for s in steps[:2]}  # total, then tax
    assert len(table) == len(graph.nodes)
    assert list(table[tr(lang, "graph.col.forward")]) == [format_inline(n.value)
                                                          for n in graph.nodes]
    assert list(table[grad]) == [format_inline(done[id(n)]) if id(n) in done
                                 else tr(lang, "graph.text.pending") for n in graph.nodes]
    assert sum(g != tr(lang, "graph.text.pending") for g in table[grad]) == 2
