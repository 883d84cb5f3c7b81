"""'Show the code': the source behind a figure, read from the engine or lesson module itself."""

from __future__ import annotations

import functools
import inspect

import streamlit as st

from lessons.expression import AST_LOCK
from ui.handout import handout_on
from ui.i18n import t


def source_of(obj) -> tuple[str, str]:
    """(where, source) of a function, class or method: 'engine/layers.py · Affine',
    'lessons/graph.py · cafe_graph': the file as the repository has it.

    Read once per process: inspect.getsource parses the module with ast, which is neither
    cheap nor, on CPython 3.11, safe in two threads at once (see lessons.expression.AST_LOCK;
    found by the load test, python -m bench.load, with 20 learners). The cache is keyed by
    the function itself, never by a bound method, which would keep its object alive.
    """
    return _source(inspect.unwrap(getattr(obj, "__func__", obj)))


@functools.cache
def _source(target) -> tuple[str, str]:
    module = getattr(inspect.getmodule(target), "__name__", "?")
    where = f"{module.replace('.', '/')}.py · {getattr(target, '__qualname__', repr(target))}"
    with AST_LOCK:
        return where, inspect.getsource(target)


def show_code(*objects) -> None:
    """An expander with the source of each object, exactly as the engine has it (none in a
    handout: code panels add nothing on paper)."""
    if handout_on():
        return
    with st.expander(t("code.show"), icon=":material/code:"):
        for obj in objects:
            where, source = source_of(obj)
            st.caption(where)
            st.code(source, language="python")
