"""The sidebar every page shares (called once, from the shell)."""

from __future__ import annotations

import streamlit as st

from ui.class_link import render_builder
from ui.handout import handout_button
from ui.i18n import LANGS, QUERY_PARAM, STATE_KEY, t
from ui.settings import EXPORT_KEY, SLIDES_KEY, write_slides_to_url
from viz.theme import EXPORT_FORMATS


def _write_lang_to_url() -> None:
    # Runs before the rerun, so init_language() reads the new ?lang= and the page stays.
    st.query_params[QUERY_PARAM] = st.session_state[STATE_KEY]


def render_sidebar(current: str = "") -> None:
    """Language switch, slide mode, the format the chart camera buttons save, and the class
    link builder (ui/class_link.py). `current`: the open page's URL path."""
    with st.sidebar:
        st.radio(
            t("sidebar.language"),
            LANGS,
            format_func=lambda lang: t(f"lang.{lang}"),
            key=STATE_KEY,
            horizontal=True,
            on_change=_write_lang_to_url,
        )
        st.toggle(t("sidebar.slides"), key=SLIDES_KEY, on_change=write_slides_to_url,
                  help=t("sidebar.slides_help"))
        if st.session_state.get(SLIDES_KEY):
            st.radio(t("sidebar.export_format"), EXPORT_FORMATS, key=EXPORT_KEY,
                     format_func=str.upper, horizontal=True,
                     help=t("sidebar.export_help"))
        handout_button()  # "Handout (print)": this page as lecture notes (ui.handout)
    render_builder(current)
