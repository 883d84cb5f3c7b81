"""The one chart wrapper every page uses: theme, slide mode and the export button."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ui.i18n import current_lang
from ui.settings import export_format, slides_on
from viz.theme import export_config, style_figure


def show_chart(fig: go.Figure, name: str, *, key: str | None = None,
               height: int | None = None, styled: bool = False, static: bool = False) -> None:
    """Draw `fig` in the shared style. `name` says what it shows ('xor-decision-boundary'):
    the camera button saves it as <name>-<lang>.png or .svg at 1920×1080.
    styled: the figure went through here before (a live chart refreshed in place), so its
    style is already set; styling costs ~10 ms a figure.
    static: no hover, zoom or buttons (a live chart while it is redrawn several times a
    second: the browser draws it in about half the time, and nobody can hover it anyway).
    """
    slides = slides_on()
    if not styled:
        style_figure(fig, slides=slides, height=height)
    config = export_config(f"{name}-{current_lang()}", export_format())
    if static:
        config["staticPlot"] = True
    st.plotly_chart(fig, key=key, config=config, theme=None,
                    width="content" if slides else "stretch")
