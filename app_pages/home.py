"""Home: what the course is, the five lessons in order, the glossary, and a live check of the
engine."""

import numpy as np
import streamlit as st

from engine.backend import BACKEND_ENV, DEFAULT_DTYPE, backend_name, get_backend
from ui.glossary import glossary_rows
from ui.i18n import t
from ui.lessons import ICONS, LESSONS, lesson_key

st.title(t("home.title"))
st.markdown(t("home.intro"))

st.header(t("home.lessons_heading"))
st.caption(t("home.order"))
for number, lesson in enumerate(LESSONS, start=1):
    with st.container(border=True):
        title = f"{number}. {t(lesson_key(lesson, 'title'))}"
        st.page_link(f"app_pages/{lesson}.py", label=f"**{title}**", icon=ICONS[lesson])
        st.markdown(f":green-badge[{t('home.badge_ready')}]")
        st.caption(t(lesson_key(lesson, "summary")))

st.header(t("home.glossary.heading"))
st.caption(t("home.glossary.intro"))
st.table(glossary_rows(), hide_index=True, border="horizontal")

st.header(t("home.engine_heading"))
try:
    xp = get_backend()
except (RuntimeError, ValueError) as err:  # ENGINE_BACKEND asks for something unusable
    st.error(t("home.backend_error", error=err))
else:
    st.markdown(
        t(
            "home.backend",
            name=backend_name(xp),
            version=xp.__version__,
            dtype=np.dtype(DEFAULT_DTYPE).name,
        )
    )
st.caption(t("home.backend_hint", env=BACKEND_ENV))
