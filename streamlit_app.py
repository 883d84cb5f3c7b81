"""The app shell: page config, language, shared sidebar, navigation over app_pages/.

Run with `streamlit run streamlit_app.py`. Pages are plain scripts listed here;
their titles come from the catalog, their URL paths stay fixed. The folder is
not called pages/: next to a folder of that name Streamlit starts a fresh
server in its old multipage mode, and a first request for /home would run the
page without this shell (no sidebar, no language); AppTest does the same on
every rerun.
"""

import streamlit as st

from ui.i18n import init_language, t
from ui.sidebar import render_sidebar
from ui.style import apply_base_style

init_language()
st.set_page_config(
    page_title=t("app.title"),
    page_icon="🧠",
    layout="centered",
    initial_sidebar_state="expanded",
)

page = st.navigation(
    [st.Page("app_pages/home.py", title=t("nav.home"), icon=":material/home:", default=True)]
)
apply_base_style()
render_sidebar()
page.run()
