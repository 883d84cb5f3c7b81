"""The one chart wrapper every page uses: theme, slide mode, the export button, and the
chart's text alternative (ui.chart_text): a one-line summary under it, and its data a click
away."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

import plotly.graph_objects as go
import streamlit as st

from ui import figure_cache
from ui.chart_text import ChartInfo, chart_info, data_table, summary, tabular, trace_arrays
from ui.handout import handout_on
from ui.i18n import current_lang, t
from ui.messages import escape_markdown as md
from ui.settings import export_format, slides_on
from viz.theme import export_config, style_figure


def show_chart(fig: go.Figure, name: str, *, key: str | None = None,
               height: int | None = None, styled: bool = False, static: bool = False) -> None:
    """Draw `fig` in the shared style, its summary under it and its data a click away
    (chart_text). `name` says what it shows ('xor-decision-boundary'): the camera button
    saves it as <name>-<lang>.png or .svg at 1920×1080. `key`, or else `name`, keys the
    chart's Data popover: one chart per key on a page.
    styled: the figure went through here before (a live chart refreshed in place), so its
    style is already set; styling costs ~10 ms a figure.
    static: no hover, zoom or buttons (a live chart while it is redrawn several times a
    second: the browser draws it in about half the time, and nobody can hover it anyway).
    """
    slides = slides_on()
    if not styled:
        style_figure(fig, slides=slides, height=height)
    _plot(fig, name, key, slides, static)
    chart_text(chart_info(fig), trace_arrays(fig), key or name)


def show_pure_chart(build: partial, name: str, *, key: str | None = None,
                    height: int | None = None, shared: bool = True) -> None:
    """show_chart(build(), name, key=key, height=height) for a figure that is a pure function
    of its arguments: `build` is a partial of a viz builder holding everything the figure is
    made from (the data, the labels already in the learner's language). The finished chart
    (its spec and its text alternative's data) is made once per process for each builder,
    arguments (by content), language, slide mode and height, and drawn from ui.figure_cache
    after that: the same default view for a whole class costs one build.
    shared=False: build it for this run only (a learner's own trained network, which no
    other session may be given)."""
    if not (shared and figure_cache.ENABLED):
        show_chart(build(), name, key=key, height=height)
        return
    slides = slides_on()
    chart = figure_cache.CACHE.get(
        _chart_key(build, slides, height),
        lambda: figure_cache.finished(style_figure(build(), slides=slides, height=height)))
    _plot(figure_cache.SpecFigure(chart.spec), name, key, slides)
    chart_text(chart.info, chart.arrays, key or name)


def _chart_key(build: partial, slides: bool, height: int | None) -> tuple:
    func: Callable = build.func
    return (f"{func.__module__}.{func.__qualname__}",
            figure_cache.digest((build.args, build.keywords)), current_lang(), slides, height)


def _plot(fig: go.Figure, name: str, key: str | None, slides: bool, static: bool = False) -> None:
    config = export_config(f"{name}-{current_lang()}", export_format())
    if static or handout_on():  # a handout is paper: nothing to hover or click
        config["staticPlot"] = True
    st.plotly_chart(fig, key=key, config=config, theme=None,
                    width="content" if slides else "stretch")


def data_key(key: str) -> str:
    """The session-state key of chart `key`'s Data popover (True while it is open)."""
    return f"chart-data.{key}"


def chart_text(info: ChartInfo, arrays: Sequence[Mapping], key: str) -> None:
    """The chart's text alternative, under it: its summary as a caption (read by screen
    readers in the page's order), and where a table helps, a Data popover. Opening the
    popover reruns the page (or the fragment the chart is in), and only an open one builds
    its table: a closed one costs a redraw nothing but its button."""
    lang = current_lang()
    with st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False):
        st.caption(md(summary(info, arrays, lang)), width="stretch")
        if not tabular(info, arrays):
            return
        pop = st.popover(t("chart.data"), help=t("chart.data_help"), icon=":material/table:",
                         key=data_key(key), on_change="rerun")
        if not pop.open:
            return
        with pop:
            frame = data_table(info, arrays, lang)
            if frame is None:
                return
            total = frame.attrs.get("points", len(frame))
            if total > len(frame):
                st.caption(t("chart.data_rows", shown=len(frame), n=total))
            st.table(frame, hide_index=True)
