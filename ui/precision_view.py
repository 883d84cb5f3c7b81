"""The layer zoo's precision section (seed 003, 1-5 계산 고속화, 비트 정밀도).

The same network, forward pass and SGD step in float64, float32 and float16, measured live:
memory, time, and how far each result lies from float64's; then what float16 can hold,
and softmax of large scores in it. The layer zoo page calls `precision_section()` inside a
fragment of its own; every widget here is keyed "precision_...".
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from engine.datasets import spiral
from lessons import precision as lp
from ui.chart import show_chart
from ui.data import mnist_data
from ui.i18n import t
from viz import precision as vp

NET_KEY = "precision_net"
BATCH_KEY = "precision_batch"
LARGEST_KEY = "precision_largest"
LARGEST_DEFAULT = 12  # just above ln(65504) ≈ 11.09: exp overflows in float16


@st.cache_resource(show_spinner=False)
def spiral_points() -> tuple[np.ndarray, np.ndarray]:
    """Seed 003's 300 spiral points in float64 and their labels (read-only)."""
    x, labels = spiral(one_hot_label=False, dtype=np.float64)
    x.setflags(write=False)
    labels.setflags(write=False)
    return x, labels


@st.cache_data(show_spinner=False, max_entries=16)
def measured(net: str, batch_size: int) -> lp.Comparison:
    """The three runs for these settings, measured once per process: a rerun of the page
    shows the same times instead of measuring (and flickering) again."""
    if net == "mnist":
        (x, labels), _ = mnist_data()
    else:
        x, labels = spiral_points()
    return lp.compare(lp.PrecisionConfig(net=net, batch_size=batch_size), x, labels)


def sizes_text(net: str) -> str:
    return "-".join(str(s) for s in lp.NETS[net])


def settings() -> tuple[str, int]:
    """The network and the batch size; the spiral only, when MNIST cannot be read."""
    nets = {"mnist": t("precision.net_mnist", sizes=sizes_text("mnist")),
            "spiral": t("precision.net_spiral", sizes=sizes_text("spiral"))}
    try:
        mnist_data()
    except (FileNotFoundError, ValueError):  # missing or broken on this server
        nets.pop("mnist")  # the section still teaches on the spiral: a warning, not an error
        st.warning(t("precision.no_mnist"), icon=":material/database:")
    c_net, c_batch = st.columns([3, 2])
    net = c_net.radio(t("precision.net"), list(nets), format_func=nets.get, horizontal=True,
                      key=NET_KEY, help=t("precision.net_help"))
    batch = c_batch.select_slider(t("precision.batch"), lp.BATCH_SIZES, value=lp.MAX_BATCH,
                                  key=BATCH_KEY,
                                  help=t("precision.batch_help", max=lp.MAX_BATCH))
    return net, int(batch)


def cost_part(result: lp.Comparison) -> None:
    rows = result.rows
    st.markdown(t("precision.cost_heading"))
    st.dataframe(vp.cost_table(result, [
        t("precision.col_bits"), t("precision.col_params_kb"),
        t("precision.col_acts_kb"), t("precision.col_input_kb"), t("precision.col_forward_ms"),
        t("precision.col_step_ms")]))
    left, right = st.columns(2)  # side by side on a desktop, one below the other on a phone
    with left:
        show_chart(vp.memory_figure(result, y_title=t("precision.fig_memory"),
                                    params_label=t("precision.fig_params"),
                                    acts_label=t("precision.fig_acts")), "precision-memory")
    with right:
        show_chart(vp.time_figure(result, y_title=t("precision.fig_time"),
                                  forward_label=t("precision.fig_forward"),
                                  step_label=t("precision.fig_step")), "precision-time")
    r64, r32, r16 = rows["float64"], rows["float32"], rows["float16"]
    st.caption(t("precision.cost_caption", repeats=result.config.repeats,
                 n_params=result.n_params, kb64=vp.kb(r64.param_bytes),
                 kb16=vp.kb(r16.param_bytes),
                 ratio32=r32.step_s / r64.step_s, ratio16=r16.step_s / r64.step_s))


def diff_part(result: lp.Comparison) -> None:
    r32, r16 = result.rows["float32"], result.rows["float16"]
    st.markdown(t("precision.diff_heading"))
    st.dataframe(vp.diff_table(result, [
        t("precision.col_loss"), t("precision.col_loss_diff"),
        t("precision.col_scores_diff"), t("precision.col_probs_diff"),
        t("precision.col_weight_diff"), t("precision.col_step_error"),
        t("precision.col_lost")]))
    st.caption(t("precision.diff_caption", lr=result.config.lr))
    st.markdown(t("precision.diff_reading", loss32=r32.loss_diff, loss16=r16.loss_diff,
                  step16=r16.step_rel_error, lost16=r16.lost_updates))


def facts_part() -> None:
    facts = lp.float_facts()
    f16 = facts["float16"]
    st.markdown(t("precision.facts_heading"))
    st.dataframe(vp.facts_table(facts, [
        t("precision.col_bits_mantissa"), t("precision.col_digits"),
        t("precision.col_eps"), t("precision.col_one_plus", small=lp.SMALL_ADDEND),
        t("precision.col_max"),
        t("precision.col_tiny"), t("precision.col_exp_limit"), t("precision.col_exp12")]))
    st.caption(t("precision.facts_caption", eps=f16.eps, max=f16.max, limit=f16.exp_limit,
                 digits=f16.decimal_digits, exp12=facts["float64"].exp12))


def overflow_part(result: lp.Comparison) -> None:
    st.markdown(t("precision.overflow_heading"))
    limit = lp.float_facts()["float16"].exp_limit
    largest = st.slider(t("precision.largest"), 1, 20, LARGEST_DEFAULT, key=LARGEST_KEY,
                        help=t("precision.largest_help", limit=limit))
    sample = lp.widest_sample(result.scores64)
    o = lp.softmax_overflow(result.scores64[sample], float(largest))
    st.dataframe(vp.overflow_table(
        o, [t("precision.col_class", k=k) for k in range(o.scores.size)],
        [t("precision.overflow_col_scores"), t("precision.overflow_col_exp16"),
         t("precision.overflow_col_naive16"), t("precision.overflow_col_shifted16"),
         t("precision.overflow_col_ref64")]))
    st.caption(t("precision.overflow_caption"))
    if o.naive_has_nan:
        st.markdown(t("precision.overflow_broken", n_inf=o.n_inf, limit=limit,
                      error=o.shifted_error))
    else:
        st.markdown(t("precision.overflow_fine", largest=largest, limit=limit,
                      error=o.shifted_error, over=math.ceil(limit)))


def precision_section() -> None:
    """Draw the whole section, its heading included (the page wraps it in a fragment)."""
    st.subheader(t("precision.title"))
    st.markdown(t("precision.intro"))
    net, batch = settings()
    result = measured(net, batch)
    st.caption(t("precision.setup", sizes=sizes_text(net), n=batch, lr=result.config.lr))
    cost_part(result)
    diff_part(result)
    facts_part()
    overflow_part(result)
    st.markdown(t("precision.takeaway"))
