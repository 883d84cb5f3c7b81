"""How pages report what went wrong: a message, never a traceback.

Anything a learner (or a link) supplied is shown as a Markdown code span (`code_span`), never
as Markdown: Streamlit's Markdown turns bare URLs into live links even after their
characters are escaped, so `escape_markdown` alone would let ?tax=https://evil.example
show a clickable link. Inside a code span nothing is a link, emphasis, math or HTML.
"""

from __future__ import annotations

import re
import unicodedata

import streamlit as st

from ui.i18n import t

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
_BACKTICKS = re.compile(r"`+")


def escape_markdown(text: object) -> str:
    """Text the app itself made (engine labels, file errors), safe inside Markdown:
    __import__ stays __import__ instead of turning bold, x*y*z keeps its stars. For anything
    a learner or a link supplied, use code_span."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def code_span(text: object, limit: int = 60) -> str:
    """`text` (its first `limit` characters) as one Markdown code span, shown as it is.

    Control characters become '�' (a newline would end the span's line); the fence is one
    backtick longer than the longest run of backticks inside, and a space pads a text that
    starts or ends with a backtick, as CommonMark asks."""
    shown = "".join("\ufffd" if unicodedata.category(c) == "Cc" else c
                    for c in str(text)[:limit])
    if not shown.strip():
        return "` `" if not shown else f"`{shown}`"
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(shown)), default=0) + 1)
    pad = " " if shown[0] == "`" or shown[-1] == "`" else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def show_error(err: Exception) -> None:
    """An engine ValueError (or similar): a translated lead-in, then the engine's own words,
    quoted as they are (they may repeat what the learner typed)."""
    st.error(t("error.bad_input", message=code_span(err, limit=300)), icon=":material/error:")
