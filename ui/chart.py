"""The one chart wrapper every page uses: theme, slide mode and the export button."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ui.i18n import current_lang
from ui.settings import export_format, slides_on
from viz.theme import export_config, style_figure


def show_chart(fig: go.Figure, name: str, *, key: str | None = None,
               height: int | None = None) -> None:
    """Draw `fig` in the shared style. `name` says what it shows ('xor-decision-boundary'):
    the camera button saves it as <name>-<lang>.png or .svg at 1920×1080.
    """
    slides = slides_on()
    style_figure(fig, slides=slides, height=height)
    config = export_config(f"{name}-{current_lang()}", export_format())
    st.plotly_chart(fig, key=key, config=config, theme=None,
                    width="content" if slides else "stretch")
