"""The sidebar every page shares (called once, from the shell)."""

from __future__ import annotations

import streamlit as st

from ui.i18n import LANGS, QUERY_PARAM, STATE_KEY, t


def _write_lang_to_url() -> None:
    # Runs before the rerun, so init_language() reads the new ?lang= and the page stays.
    st.query_params[QUERY_PARAM] = st.session_state[STATE_KEY]


def render_sidebar() -> None:
    """The language switch (its value is the session's language, set by init_language)."""
    with st.sidebar:
        st.radio(
            t("sidebar.language"),
            LANGS,
            format_func=lambda lang: t(f"lang.{lang}"),
            key=STATE_KEY,
            horizontal=True,
            on_change=_write_lang_to_url,
        )
