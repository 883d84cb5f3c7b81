"""The class link builder: a link (and its QR code) that opens every learner on the same view.

The lecturer picks the lesson (the open page by default), which of its sections learners see,
which of its controls are locked, the language, slide mode and the presenter view; the link
carries that, with the open page's current settings, in its query parameters (ui/sections.py
reads them back). What the builder knows of a lesson comes from ui/sections.py's
declarations, so it never runs a page.

The address: st.context.url is the page's address in the learner's browser, without its
query; the app's own address is that, less the open page's path. Where Streamlit has none
(a script run without a browser, as in AppTest), the link is relative to the app's address
and the builder says so.

The QR code is made by segno (pure Python), at error correction level M (a smudge or a
glare on 15% of it still reads). The PNG's modules are big enough that the code spans
about 1,000 pixels; on a projector it is shown in a dialog as wide as the screen allows.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
import streamlit as st

from ui.i18n import LANGS, QUERY_PARAM, current_lang, t
from ui.lessons import LESSONS, lesson_key
from ui.params import FULL_VIEW_PARAMS, LOCK_PARAM, default_text
from ui.sections import (
    LINK_PARAMS,
    PRESENT_PARAM,
    SHOW_PARAM,
    lockable,
    section_title,
    sections_of,
)
from ui.settings import SLIDES_PARAM, slides_on

NOT_SETTINGS = {QUERY_PARAM, SLIDES_PARAM, *LINK_PARAMS, *FULL_VIEW_PARAMS}
QR_ERROR = "m"
QR_BORDER = 4  # modules of quiet zone, as the standard asks
QR_PIXELS = 1000  # about this wide, the PNG
QR_SVG_SCALE = 10
BIG_QR_PX = 560  # in the dialog: over half a projected 1080p screen's height, all of it shown
KEY = "classlink"  # prefix of the builder's widget keys
PAGE_KEY = f"{KEY}.page"  # the page the builder last opened on


def link_query(settings: dict[str, str], *, lang: str, slides: bool, present: bool,
               show: list[str], lock: list[str], all_sections: list[str]) -> str:
    """The query of a class link: the page's settings, then the view. `show` is left out
    when it names every section; ids and names keep their commas readable."""
    pairs = [(k, v) for k, v in settings.items() if k not in NOT_SETTINGS]
    pairs.append((QUERY_PARAM, lang))
    if slides or present:
        pairs.append((SLIDES_PARAM, "1"))
    if present:
        pairs.append((PRESENT_PARAM, "1"))
    if show and set(show) != set(all_sections):
        pairs.append((SHOW_PARAM, ",".join(i for i in all_sections if i in show)))
    if lock:
        pairs.append((LOCK_PARAM, ",".join(lock)))
    return urlencode(pairs, safe=",")


def app_address(page_url: str | None, current: str) -> str | None:
    """The app's address from the open page's (st.context.url), or None when unknown."""
    if not page_url:
        return None
    address = page_url.rstrip("/")
    if current and address.endswith("/" + current):
        address = address[: -len(current) - 1]
    return address


def class_link(address: str | None, lesson: str, query: str) -> str:
    """The link itself: absolute when the app's address is known, else relative to it."""
    return f"{address}/{lesson}?{query}" if address else f"{lesson}?{query}"


def qr_code(link: str) -> segno.QRCode:
    return segno.make(link, error=QR_ERROR, micro=False)


def qr_png(link: str) -> bytes:
    """The link's QR code as a PNG about QR_PIXELS wide, black on white."""
    qr = qr_code(link)
    scale = max(4, QR_PIXELS // qr.symbol_size(border=QR_BORDER)[0])
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=QR_BORDER, dark="#000", light="#fff")
    return out.getvalue()


def qr_svg(link: str) -> bytes:
    out = io.BytesIO()
    qr_code(link).save(out, kind="svg", scale=QR_SVG_SCALE, border=QR_BORDER, dark="#000",
                       light="#fff", title=link)
    return out.getvalue()


def _lesson_title(lesson: str) -> str:
    return t(lesson_key(lesson, 'title'))


def _big_qr(link: str, title: str) -> None:
    """The QR code as wide as a large dialog: for the projector."""
    st.subheader(title)
    _, middle, _ = st.columns([1, 3, 1])  # the code centred, a screen's height at most
    middle.image(qr_png(link), width=BIG_QR_PX, alt=t("classlink.qr_alt", link=link))
    st.code(link, language=None, wrap_lines=True)


def _page_settings(lesson: str) -> dict[str, str]:
    """The open page's settings that differ from their defaults (a fresh session, as a
    learner opening the link has, starts from the defaults)."""
    return {k: v for k in st.query_params if k not in NOT_SETTINGS
            and (v := st.query_params.get(k)) != default_text(f"{lesson}.{k}")}


@st.fragment
def _builder(current: str) -> None:
    """The builder's widgets and its link. A fragment: picking a section reruns only this,
    and "Make the link" takes the page's settings as they are now (a control of the page that
    reran only its own section has put its value in the URL already)."""
    ss = st.session_state
    if ss.get(PAGE_KEY) != current:  # a new page: the builder starts on it
        ss[PAGE_KEY] = current
        if current in LESSONS:
            ss[f"{KEY}.lesson"] = current
    # format_func: dicts made in this run (AppTest calls them outside of any run)
    lessons = {lesson: _lesson_title(lesson) for lesson in LESSONS}
    lesson = st.selectbox(t("classlink.lesson"), LESSONS, key=f"{KEY}.lesson",
                          format_func=lessons.__getitem__)
    sections = sections_of(lesson)
    ids = [s.id for s in sections]
    titles = {s.id: section_title(s) for s in sections}
    shown = st.multiselect(t("classlink.sections"), ids, default=ids,
                           key=f"{KEY}.show.{lesson}", format_func=titles.__getitem__,
                           help=t("classlink.sections_help"),
                           placeholder=t("classlink.sections_placeholder"))
    names = [name for s in sections if s.id in shown for name in lockable(s)]
    lock_key = f"{KEY}.lock.{lesson}"
    if lock_key in ss:  # a control of a section no longer chosen cannot stay locked
        ss[lock_key] = [name for name in ss[lock_key] if name in names]
    lock = st.multiselect(t("classlink.lock"), names, key=lock_key,
                          help=t("classlink.lock_help"), disabled=not names,
                          placeholder=t("classlink.lock_placeholder"))
    if f"{KEY}.lang" not in ss:
        ss[f"{KEY}.lang"] = current_lang()
    langs = {code: t(f"lang.{code}") for code in LANGS}
    # a selectbox, not radio buttons: the sidebar's language switch stays the one place
    # that shows both languages' names
    lang = st.selectbox(t("classlink.lang"), LANGS, key=f"{KEY}.lang",
                        format_func=langs.__getitem__)
    slides = st.toggle(t("classlink.slides"), value=slides_on(), key=f"{KEY}.slides")
    present = st.toggle(t("classlink.present"), key=f"{KEY}.present",
                        help=t("classlink.present_help"))
    here = lesson == current
    keep = st.checkbox(t("classlink.settings"), value=True, key=f"{KEY}.settings",
                       disabled=not here, help=t("classlink.settings_help"))
    st.button(t("classlink.make"), key=f"{KEY}.make", icon=":material/link:", type="primary",
              width="stretch", on_click=lambda: ss.update({f"{KEY}.made": True}))
    if not ss.get(f"{KEY}.made") or not shown:
        if not shown:
            st.caption(t("classlink.none_shown"))
        return
    query = link_query(_page_settings(lesson) if here and keep else {}, lang=lang, slides=slides,
                       present=present, show=shown, lock=lock, all_sections=ids)
    address = app_address(st.context.url, current)
    link = class_link(address, lesson, query)
    st.code(link, language=None, wrap_lines=True)
    if address is None:
        st.caption(t("classlink.relative"))
    png = qr_png(link)
    st.image(png, width="stretch", alt=t("classlink.qr_alt", link=link))
    name = f"class-link-{lesson}-{lang}"
    st.download_button(t("classlink.png"), png, file_name=f"{name}.png", mime="image/png",
                       key=f"{KEY}.png", on_click="ignore", icon=":material/download:",
                       width="stretch")
    st.download_button(t("classlink.svg"), qr_svg(link), file_name=f"{name}.svg",
                       mime="image/svg+xml", key=f"{KEY}.svg", on_click="ignore",
                       icon=":material/download:", width="stretch")
    if st.button(t("classlink.big"), key=f"{KEY}.big", icon=":material/fullscreen:",
                 width="stretch", help=t("classlink.big_help")):
        # made here, not at import: the dialog's title is in the language of this run
        st.dialog(t("classlink.big_title"), width="large")(_big_qr)(link, lessons[lesson])


def render_builder(current: str) -> None:
    """The builder, in an expander of the sidebar. `current`: the open page's URL path."""
    with st.sidebar.expander(t("classlink.builder"), icon=":material/qr_code_2:"):
        _builder(current)
