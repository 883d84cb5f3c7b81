"""The page a lesson has until it is built: it says so plainly, with no made-up content."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.i18n import t
from ui.lessons import lesson_key


def placeholder_page(lesson: str) -> Callable[[], None]:
    def page() -> None:
        st.title(t(lesson_key(lesson, "title")))
        st.info(t("placeholder.not_built"), icon=":material/construction:")
        st.markdown(t(lesson_key(lesson, "summary")))

    page.__name__ = f"{lesson}_placeholder"
    return page
