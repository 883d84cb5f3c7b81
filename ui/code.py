"""'Show the code': the engine source behind a figure, read from the engine itself."""

from __future__ import annotations

import inspect

import streamlit as st

from ui.i18n import t


def source_of(obj) -> tuple[str, str]:
    """(where, source) of a function, class or method: 'engine/layers.py · Affine'."""
    target = inspect.unwrap(obj)
    path = inspect.getsourcefile(target) or "?"
    module = path.split("/engine/")[-1] if "/engine/" in path else path.rsplit("/", 1)[-1]
    where = f"engine/{module} · {getattr(target, '__qualname__', repr(target))}"
    return where, inspect.getsource(target)


def show_code(*objects) -> None:
    """An expander with the source of each object, exactly as the engine has it."""
    with st.expander(t("code.show"), icon=":material/code:"):
        for obj in objects:
            where, source = source_of(obj)
            st.caption(where)
            st.code(source, language="python")
