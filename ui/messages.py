"""How pages report what went wrong: a message, never a traceback."""

from __future__ import annotations

import re

import streamlit as st

from ui.i18n import t

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_markdown(text: object) -> str:
    """Text a learner typed (or the engine echoed from it), safe inside Markdown:
    __import__ stays __import__ instead of turning bold, x*y*z keeps its stars."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def show_error(err: Exception) -> None:
    """An engine ValueError (or similar) as a translated lead-in plus the engine's own words."""
    st.error(t("error.bad_input", message=escape_markdown(err)), icon=":material/error:")
