"""Slide mode: a sidebar switch and `?slides=1`, kept in the URL like the language."""

from __future__ import annotations

import streamlit as st

SLIDES_PARAM = "slides"
SLIDES_KEY = "ui_slides"
EXPORT_KEY = "ui_export_format"


def init_slides() -> bool:
    """Decide slide mode for this run: ?slides= wins, then the session's switch."""
    raw = st.query_params.get(SLIDES_PARAM)
    if raw is not None:
        st.session_state[SLIDES_KEY] = raw.strip().lower() in ("1", "true", "on", "yes")
    on = bool(st.session_state.get(SLIDES_KEY, False))
    st.session_state[SLIDES_KEY] = on
    if on:
        st.query_params[SLIDES_PARAM] = "1"
    elif SLIDES_PARAM in st.query_params:
        del st.query_params[SLIDES_PARAM]
    return on


def slides_on() -> bool:
    return bool(st.session_state.get(SLIDES_KEY, False))


def export_format() -> str:
    return st.session_state.get(EXPORT_KEY, "png")


def write_slides_to_url() -> None:
    """Switch callback: runs before the rerun, so init_slides() reads the new value."""
    if st.session_state.get(SLIDES_KEY):
        st.query_params[SLIDES_PARAM] = "1"
    elif SLIDES_PARAM in st.query_params:
        del st.query_params[SLIDES_PARAM]
