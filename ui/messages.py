"""How pages report what went wrong: a message, never a traceback.

Anything a learner (or a link) supplied is shown as a Markdown code span (`code_span`), never
as Markdown: Streamlit's Markdown turns bare URLs into live links even after their
characters are escaped, so `escape_markdown` alone would let ?tax=https://evil.example
show a clickable link. Inside a code span nothing is a link, emphasis, math or HTML.
"""

from __future__ import annotations

import numbers
import re
import unicodedata

import streamlit as st

from ui.i18n import current_lang, load_catalog, tr

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


def _shown(value: object) -> object:
    """A detail of an error as its text shows it: numbers stay numbers (for {x:g}), anything
    else (a shape, a name the learner typed) becomes a code span."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return value
    return code_span(value, limit=40)


def say_error(lang: str, err: Exception) -> str:
    """What went wrong, in `lang`.

    An error with a `code` (engine.backend.InputError and its kind) is said by the
    catalog's `error.<code>`, filled with the error's own values. Anything else (numpy's
    broadcast error, say) gets a translated lead-in and the original words, quoted."""
    code = getattr(err, "code", None)
    key = f"error.{code}"
    if code is not None and key in load_catalog(lang):
        details = {k: _shown(v) for k, v in getattr(err, "details", {}).items()}
        return tr(lang, key, **details)
    return tr(lang, "error.bad_input", message=code_span(err, limit=300))


def error_text(err: Exception) -> str:
    """say_error in the language of this run."""
    return say_error(current_lang(), err)


def show_error(err: Exception) -> None:
    """An error a learner caused, as st.error in their language (see error_text)."""
    st.error(error_text(err), icon=":material/error:")
