"""The app shell: page config, language, slide mode, shared sidebar, navigation.

Run with `streamlit run streamlit_app.py`. Pages are plain scripts in app_pages/
listed here; their titles come from the catalog, their URL paths stay fixed in
both languages. The folder is not called pages/: next to a folder of that name
Streamlit starts a fresh server in its old multipage mode, and a first request
for a lesson would run the page without this shell (no sidebar, no language);
AppTest does the same on every rerun.
"""

import streamlit as st

from ui.a11y import page_script
from ui.handout import init_handout
from ui.i18n import init_language, t
from ui.janitor import install_janitor
from ui.lessons import ICONS, LESSONS, lesson_file, lesson_key
from ui.restart import note_restart
from ui.runtime import cap_uploads, limit_blas_threads
from ui.sections import init_present
from ui.settings import init_slides
from ui.sidebar import render_sidebar
from ui.style import apply_base_style
from ui.throttle import limit_whole_runs
from viz import theme

limit_whole_runs()  # first: a session flooding the server with reruns waits here
limit_blas_threads()
cap_uploads()
install_janitor()
theme.install()
init_language()
init_present()  # ?present=1 (the presenter view) is in slide mode
slides = init_slides()
st.set_page_config(
    page_title=t("app.title"),
    page_icon="🧠",
    layout="wide" if slides else "centered",
    initial_sidebar_state="auto",  # open on a wide screen; closed on a phone, where it covers
)

pages = [st.Page("app_pages/home.py", title=t("nav.home"), icon=":material/home:",
                 default=True)]
for number, lesson in enumerate(LESSONS, start=1):
    title = f"{number}. {t(lesson_key(lesson, 'title'))}"
    pages.append(st.Page(lesson_file(lesson), title=title, icon=ICONS[lesson], url_path=lesson))

page = st.navigation(pages)
init_handout(page.title)  # ?handout=1: the page as printable lecture notes
apply_base_style(slides)
render_sidebar(page.url_path)
page_script()
note_restart()
page.run()
