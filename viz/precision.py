"""The precision section's table and figure: float64, float32 and float16 side by side.

Numbers come from lessons.precision; every label is passed in by the page (no t() here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lessons.precision import Comparison, FloatFacts, Overflow
from viz import palette
from viz.common import format_number, legend_on_top

DTYPE_COLORS = palette.DTYPES


def kb(n_bytes: int) -> str:
    """Bytes as kilobytes (1 KB = 1,000 bytes), as a person writes them."""
    return format_number(round(n_bytes / 1000, 2))


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g}"


def small(v: float) -> str:
    """A difference: 0 as 0, anything else in scientific notation (1.3e-07)."""
    if not np.isfinite(v):
        return str(v)
    return "0" if v == 0 else f"{v:.1e}"


def _by_type(values: Mapping[str, Sequence[str]], types: Sequence[str]) -> pd.DataFrame:
    """A row per measure (its label as the index), a column per type: three narrow columns
    fit a phone, where a column per measure would not."""
    return pd.DataFrame.from_dict(dict(values), orient="index", columns=list(types))


def cost_table(result: Comparison, labels: Sequence[str]) -> pd.DataFrame:
    """Per type: bits, the bytes of the parameters, layer outputs and inputs (KB), and the
    median times of a forward pass and of a training step (ms)."""
    bits, params, acts, inputs, forward, step = labels
    rows = result.rows.values()
    return _by_type({
        bits: [str(r.bits) for r in rows],
        params: [kb(r.param_bytes) for r in rows],
        acts: [kb(r.activation_bytes) for r in rows],
        inputs: [kb(r.input_bytes) for r in rows],
        forward: [ms(r.forward_s) for r in rows],
        step: [ms(r.step_s) for r in rows]}, list(result.rows))


def diff_table(result: Comparison, labels: Sequence[str]) -> pd.DataFrame:
    """Per type: its loss, and how far its results are from float64's."""
    loss, loss_diff, scores, probs, weights, step, lost = labels
    rows = result.rows.values()
    return _by_type({
        loss: [f"{r.loss:.7f}" for r in rows],
        loss_diff: [small(r.loss_diff) for r in rows],
        scores: [small(r.scores_diff) for r in rows],
        probs: [small(r.prob_diff) for r in rows],
        weights: [small(r.weight_diff) for r in rows],
        step: [small(r.step_rel_error) for r in rows],
        lost: [f"{r.lost_updates:.2%}" for r in rows]}, list(result.rows))


def facts_table(facts: Mapping[str, FloatFacts], labels: Sequence[str]) -> pd.DataFrame:
    """Per type: what np.finfo says it can hold, and 1 + 10⁻⁴ and exp(12) in it."""
    bits, digits, eps, one, biggest, tiny, limit, exp12 = labels
    rows = facts.values()
    return _by_type({
        bits: [f"{f.bits} ({f.mantissa_bits})" for f in rows],
        digits: [str(f.decimal_digits) for f in rows],
        eps: [f"{f.eps:.3g}" for f in rows],
        one: [f"{f.one_plus_small:.8g}" for f in rows],
        biggest: [format_number(f.max) for f in rows],
        tiny: [f"{f.tiny:.3g}" for f in rows],
        limit: [f"{f.exp_limit:.2f}" for f in rows],
        exp12: [format_number(f.exp12) for f in rows]}, list(facts))


def overflow_table(o: Overflow, classes: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
    """A row per class; columns: the score a, exp(a) in float16, exp(a)/Σexp(a) in float16,
    the shifted softmax in float16, softmax in float64."""
    def shown(values, fmt: str) -> list[str]:
        return [str(v) if not np.isfinite(v) else format(v, fmt) for v in values]

    data = [shown(o.scores, ".2f"), shown(o.exp16, ".4g"), shown(o.naive16, ".4f"),
            shown(o.shifted16, ".4f"), shown(o.ref64, ".4f")]
    return pd.DataFrame(dict(zip(columns, data, strict=True)), index=list(classes))


def _bar_figure(names: Sequence[str], series, y_title: str) -> go.Figure:
    """A group of bars per type, one bar per (label, values, colour) series, each labelled."""
    fig = go.Figure()
    for label, values, color in series:
        fig.add_trace(go.Bar(x=list(names), y=values, name=label, marker_color=color,
                             text=[f"{v:.3g}" for v in values], textposition="outside"))
    fig.update_yaxes(title_text=y_title)
    fig.update_traces(cliponaxis=False, constraintext="none")
    fig.update_layout(barmode="group", height=340)
    return legend_on_top(fig)


def memory_figure(result: Comparison, *, y_title: str, params_label: str,
                  acts_label: str) -> go.Figure:
    """The kilobytes of the parameters and of one forward pass's layer outputs, per type."""
    rows = list(result.rows.values())
    params = [r.param_bytes / 1000 for r in rows]
    acts = [r.activation_bytes / 1000 for r in rows]
    fig = _bar_figure(list(result.rows), [(params_label, params, palette.PAIR[0]),
                                          (acts_label, acts, palette.PAIR[1])], y_title)
    return fig.update_yaxes(range=[0, max(params + acts) * 1.2])


def time_figure(result: Comparison, *, y_title: str, forward_label: str,
                step_label: str) -> go.Figure:
    """The median ms of a forward pass and of a training step, per type, on a log scale:
    float16 on a CPU can be a hundred times slower than float32."""
    rows = list(result.rows.values())
    forward = [r.forward_s * 1e3 for r in rows]
    step = [r.step_s * 1e3 for r in rows]
    fig = _bar_figure(list(result.rows), [(forward_label, forward, palette.PAIR[0]),
                                          (step_label, step, palette.PAIR[1])], y_title)
    lo, hi = np.log10(min(forward + step)), np.log10(max(forward + step))
    return fig.update_yaxes(type="log", dtick=1, range=[np.floor(lo), hi + 0.35])
