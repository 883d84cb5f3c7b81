"""How pages report what went wrong: a message, never a traceback."""

from __future__ import annotations

import streamlit as st

from ui.i18n import t


def show_error(err: Exception) -> None:
    """An engine ValueError (or similar) as a translated lead-in plus the engine's own words."""
    st.error(t("error.bad_input", message=str(err)), icon=":material/error:")
