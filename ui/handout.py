"""The handout: a lesson as lecture notes on one printable page (the browser's print to PDF).

`?handout=1`, or the sidebar's "Handout (print)" button, turns the page into its handout,
kept in the URL like slide mode (ui/settings.py): the same session, so the figures are the
learner's current ones (a trained network included) and the settings are the page's own.
The screen shows what the paper will hold:

- kept: the explanations, the formulas (KaTeX), the tables, the figures, the settings'
  widgets (they say which values made the figures);
- gone, on screen and on paper: the buttons, file uploaders and drawing canvas, the charts'
  Data popovers and tool bars, the code panels (ui/code.py shows none); on paper also the
  app's header and the sidebar;
- the charts are drawn static (ui/chart.py: Plotly's staticPlot, no hover, no tool bar), a
  live chart as a plain one (ui/live_chart.py), and the live loops are paused (ui/live.py),
  so nothing ticks;
- tabs become sections: tabs_or_sections() puts each tab's content under its label, one after
  the other (the browser holds only the open tab's content, and paper has no tabs to open);
- on top, a line with the lesson's title, the language and the date; at the foot of every
  printed page, the title again and the page's number.

Figures print as vectors: Plotly draws its charts as SVG (graphviz too), and the browser
puts that SVG into the PDF as paths and text. A vector figure has no resolution of its own:
it is drawn at whatever resolution the printer or the PDF viewer has (600 dpi on a laser
printer), so it meets any "print resolution" that a picture at 200 dpi would, and its text
stays sharp and can be searched and copied. Rendering PNGs on the server instead (kaleido)
would cost a browser's run per figure, for every learner, for a worse result. A heatmap is
the one raster inside Plotly's SVG. An evenly spaced one (the digits, the decision regions)
is drawn one image pixel per cell and not smoothed, so its cells print as sharp squares at
any size: the data's own resolution. One with gaps between its cells (the layers lesson's
matrices) is drawn one image pixel per screen pixel: flat-coloured squares with sharp edges,
their numbers vector text on top. Tables drawn on canvases (st.dataframe, st.data_editor)
are drawn at 3 device pixels per CSS pixel while a handout is shown: 288 dpi on paper.

Layout: A4 portrait with 11 mm side margins leaves 188 mm (710 CSS px), a little more than
the 704 px the centered page gives its content on screen. A handout always uses the centered
page: a chart is laid out once, at its screen width, and never reflowed for the paper, so a
wider page (slide mode) would cut it off. A link with both ?slides=1 and ?handout=1 turns
slide mode off for the handout, and leaving the handout turns it back on.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Sequence

import streamlit as st

from ui.i18n import t
from ui.settings import SLIDES_KEY, SLIDES_PARAM

HANDOUT_PARAM = "handout"
HANDOUT_KEY = "ui_handout"
SLIDES_BEFORE_KEY = "ui_handout.slides_before"  # slide mode was on when the handout began
RERUN_KEY = "ui_handout.rerun"  # this handout reran once to leave slide mode
SCREEN_KEY = "handout-screen"  # the bar with Print and Back: on screen only
_TRUE = ("1", "true", "on", "yes")
PRINT_RATIO = 3  # canvases (the tables) drawn at 3 device pixels per CSS pixel: 288 dpi

# What paper cannot use, hidden on screen as well (the screen shows what prints). Streamlit's
# main area scrolls inside a box of the window's height: on paper it must grow to its
# content, or only its first screen would print.
_CSS = """
<style>
[data-testid=stMain] :is([data-testid=stButton], [data-testid=stDownloadButton],
    [data-testid=stLinkButton], [data-testid=stFormSubmitButton], [data-testid=stFileUploader],
    [data-testid=stPopover], [data-testid=stElementToolbar], [data-testid=stTooltipIcon],
    [data-testid=stNumberInput] button, [data-testid=stSelectbox] button,
    [data-testid=stElementToolbarButton],
    .st-key-mnist-draw-canvas):not(.st-key-handout-screen *) {
  display: none !important;
}
[data-baseweb=popover], .js-plotly-plot .modebar-container { display: none !important; }
[data-testid=stMainBlockContainer] { max-width: calc(704px + 2rem); }
.handout-header {
  display: flex; flex-wrap: wrap; gap: 0 0.6em; justify-content: space-between;
  border-bottom: 1px solid rgba(128, 128, 128, 0.7); padding-bottom: 0.3rem; font-size: 0.95rem;
}
.handout-print {
  font: inherit; padding: 0.35rem 0.9rem; border-radius: 0.5rem; cursor: pointer;
  border: 1px solid rgba(128, 128, 128, 0.5); background: transparent; color: inherit;
}
.handout-print:hover, .handout-print:focus-visible { border-color: #1a56db; color: #1a56db; }
@page {
  size: A4 portrait;
  margin: 14mm 11mm 16mm 11mm;
  @bottom-left { content: "%(title)s"; font: 8pt sans-serif; color: #555; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 8pt sans-serif;
                  color: #555; }
}
@media print {
  html, body { background: #fff !important; }
  * { -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }
  [data-testid=stHeader], [data-testid=stToolbar], [data-testid=stDecoration],
  [data-testid=stStatusWidget], [data-testid=stSidebar], [data-testid=stSidebarCollapsedControl],
  [data-testid=stSidebarNav], [data-testid=stBottom], [data-testid=stAppDeployButton],
  [data-testid=stMainMenu], .st-key-handout-screen {
    display: none !important;
  }
  [data-testid=stApp], [data-testid=stAppViewContainer], [data-testid=stMain],
  [data-testid=stAppScrollToBottomContainer], [data-testid=stMainBlockContainer] {
    position: static !important; overflow: visible !important; height: auto !important;
    min-height: 0 !important; max-height: none !important;
  }
  [data-testid=stMainBlockContainer] { padding: 0 !important; max-width: 710px !important; }
  .stPlotlyChart, [data-testid=stGraphVizChart], [data-testid=stTable],
  [data-testid=stDataFrame], [data-testid=stImage], [data-testid=stMetric], .katex-display,
  [data-testid=stAlert], [data-testid=stSlider], [data-testid=stNumberInput],
  [data-testid=stSelectbox], [data-testid=stTextInput], [data-testid=stRadio] {
    break-inside: avoid;
  }
  [data-testid=stGraphVizChart] svg { max-height: 235mm; max-width: 100%%; width: auto;
                                      height: auto; }
  h1, h2, h3, h4 { break-after: avoid; }
  p, li { orphans: 3; widows: 3; }
  [data-testid=stElementContainer]:has(h1, h2, h3, .handout-header) { break-after: avoid; }
}
</style>
"""


# The Print button opens the browser's printing. st.html drops an element's own handlers
# (onclick), so one listener on the document, set once, answers every click on it.
# Tables (st.dataframe, st.data_editor) are drawn on canvases at the screen's pixel ratio:
# 96 dpi on paper from a common screen. While a handout is shown the page reports a ratio
# of at least PRINT_RATIO, so they are drawn at 3 × 96 = 288 dpi; elsewhere, the real one.
_PRINT_SCRIPT = """<script>
if (!window.__handoutPrint) {
  window.__handoutPrint = true;
  document.addEventListener('click', (e) => {
    if (e.target.closest && e.target.closest('.handout-print')) window.print();
  });
  const real = Object.getOwnPropertyDescriptor(window, 'devicePixelRatio');
  const screen = () => (real && real.get ? real.get.call(window) : 1) || 1;
  Object.defineProperty(window, 'devicePixelRatio', {configurable: true, get: () =>
    document.querySelector('.handout-header') ? Math.max(screen(), %(ratio)d) : screen()});
  window.dispatchEvent(new Event('resize'));
}
</script>"""


def handout_on() -> bool:
    """Whether this run draws the page as its handout (init_handout decided it)."""
    return bool(st.session_state.get(HANDOUT_KEY, False))


def init_handout(title: str) -> bool:
    """The shell's call, after st.navigation and before the sidebar and the page: decide the
    handout for this run (?handout= wins, then the session's), keep it in the URL, and in a
    handout put in the print style, the header and the on-screen bar. `title` is the page's
    title ("1. The perceptron"), written at the top and at the foot of every printed page."""
    raw = st.query_params.get(HANDOUT_PARAM)
    if raw is not None:
        st.session_state[HANDOUT_KEY] = raw.strip().lower() in _TRUE
    on = handout_on()
    st.session_state[HANDOUT_KEY] = on
    if not on:
        if HANDOUT_PARAM in st.query_params:
            del st.query_params[HANDOUT_PARAM]
        return False
    st.query_params[HANDOUT_PARAM] = "1"
    if st.session_state.get(SLIDES_KEY):  # a link with both: this run was laid out wide
        _slides_off()
        if not st.session_state.get(RERUN_KEY):  # once: a presenter link asks for slides
            st.session_state[RERUN_KEY] = True  # on every run (ui/sections.py)
            st.rerun()
        st.set_page_config(layout="centered")
    else:
        st.session_state[RERUN_KEY] = False
    st.html(_CSS % {"title": css_string(title)})
    _screen_bar()
    st.html(header_html(title, datetime.date.today()))
    return True


def css_string(text: str) -> str:
    """`text` inside a CSS string in double quotes: quotes, backslashes and line breaks
    escaped, and '<' too, so that nothing can close the <style> element."""
    return "".join(f"\\{ord(c):x} " if c in '"\\<>\n\r' else c for c in text)


def header_html(title: str, date: datetime.date) -> str:
    """The handout's first line: 'Lecture notes', the lesson, the language, the date."""
    parts = (t("handout.kind"), f"<b>{html.escape(title)}</b>", t("handout.language"),
             t("handout.date", year=date.year, month=date.month, day=date.day))
    return ('<div class="handout-header">'
            + "".join(f"<span>{p if i == 1 else html.escape(p)}</span>"
                      for i, p in enumerate(parts))
            + "</div>")


def _screen_bar() -> None:
    """On screen only: what this page is, how to print it, Print, and back to the lesson."""
    with st.container(key=SCREEN_KEY):
        st.info(t("handout.how"), icon=":material/print:")
        if st.context.theme.type == "dark":  # Streamlit draws the page, and so the paper, dark
            st.warning(t("handout.dark"), icon=":material/dark_mode:")
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.html(f'<button type="button" class="handout-print">'
                    f'{html.escape(t("handout.print"))}</button>'
                    + _PRINT_SCRIPT % {"ratio": PRINT_RATIO},
                    width="content", unsafe_allow_javascript=True)
            st.button(t("handout.back"), key="ui_handout.back_top", on_click=leave,
                      icon=":material/arrow_back:")


def enter() -> None:
    """Button callback: runs before the rerun, so init_handout() reads the new value."""
    st.session_state[HANDOUT_KEY] = True
    st.query_params[HANDOUT_PARAM] = "1"
    if st.session_state.get(SLIDES_KEY):
        _slides_off()


def leave() -> None:
    """Button callback: back to the lesson, in slide mode again if the handout ended it."""
    st.session_state[HANDOUT_KEY] = False
    if HANDOUT_PARAM in st.query_params:
        del st.query_params[HANDOUT_PARAM]
    if st.session_state.pop(SLIDES_BEFORE_KEY, False):
        st.session_state[SLIDES_KEY] = True
        st.query_params[SLIDES_PARAM] = "1"


def _slides_off() -> None:
    st.session_state[SLIDES_BEFORE_KEY] = True
    st.session_state[SLIDES_KEY] = False
    if SLIDES_PARAM in st.query_params:
        del st.query_params[SLIDES_PARAM]


def tabs_or_sections(labels: Sequence[str], **kwargs) -> Sequence:
    """st.tabs(labels, **kwargs); in a handout, one container per tab instead, one after the
    other, each under its tab's label. Streamlit (1.67) puts only the open tab's content into
    the page, so a printed page would hold that tab alone."""
    if not handout_on():
        return st.tabs(labels, **kwargs)
    boxes = []
    for label in labels:
        box = st.container()
        box.subheader(label, divider="gray")
        boxes.append(box)
    return boxes


def handout_button() -> None:
    """The sidebar's button: "Handout (print)" on a lesson, "Back to the lesson" in its
    handout."""
    if handout_on():
        st.button(t("handout.back"), key="ui_handout.back", on_click=leave,
                  icon=":material/arrow_back:", width="stretch")
    else:
        st.button(t("handout.open"), key="ui_handout.open", on_click=enter,
                  icon=":material/print:", width="stretch", help=t("handout.open_help"))
