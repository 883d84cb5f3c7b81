"""The handout in Chromium (ui/handout.py): each lesson's print view, saved as PDF.

Chromium prints the page as a browser's "Save as PDF" does (page.pdf, print media, the
page's own @page size). Each lesson in Korean and two in English: the PDF is A4, has
several pages, holds the lesson's title and the handout's header and not the on-screen bar;
on paper nothing is left to click, no tab hides content, and the charts are static. The PDFs
are kept in tests/e2e/screenshots/handouts/ to look at (pdftoppm -png).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.helpers import IDLE, IDLE_TIMEOUT_MS, open_idle, settle
from ui.i18n import tr
from ui.lessons import LESSONS, lesson_key

CASES = [*((lesson, "ko") for lesson in LESSONS), ("perceptron", "en"), ("layers", "en")]
A4_PT = (595, 842)  # 210 × 297 mm in PDF points, rounded

# What a reader could still click, on paper: shown buttons, file inputs, tab bars, chart
# tool bars, Streamlit's header and the sidebar. Not the options of pills and segmented
# controls (stButtonGroup): like a radio's, they show the chosen setting.
_LEFT_TO_CLICK = """() => {
  const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const sel = 'button, input[type=file], [role=tablist], .modebar-btn, ' +
              '[data-testid=stHeader], [data-testid=stSidebar]';
  return [...document.querySelectorAll(sel)].filter(shown)
    .filter((e) => !e.closest('[data-testid=stButtonGroup]'))
    .map((e) => e.tagName + ' ' + (e.innerText || e.getAttribute('aria-label') || '').slice(0, 40));
}"""


def squeezed(text: str) -> str:
    """Text without white space: a PDF's text comes back with line breaks where it wrapped."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("lesson", "lang"), CASES)
def test_each_lesson_prints_as_its_handout(page, app_url, screenshots_dir, lesson, lang):
    open_idle(page, f"{app_url}/{lesson}?lang={lang}&handout=1")
    settle(page)
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator(".live-chart").count() == 0, "a live chart left in the handout"
    charts = page.locator(".js-plotly-plot")
    assert charts.count() > 0
    # static: with Plotly's staticPlot a chart has no tool bar buttons and no drag areas
    assert page.locator(".js-plotly-plot .modebar-btn").count() == 0
    assert page.locator(".js-plotly-plot .nsewdrag").count() == 0

    # tables drawn on canvases (st.dataframe, st.data_editor): at 3 pixels per CSS pixel
    ratios = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stMain] canvas')]
      .filter((c) => c.clientWidth > 0).map((c) => c.width / c.clientWidth)""")
    assert all(r >= 2.9 for r in ratios), ratios

    page.emulate_media(media="print")
    assert page.evaluate(_LEFT_TO_CLICK) == []
    folder = screenshots_dir / "handouts"
    folder.mkdir(exist_ok=True)
    path = folder / f"{lesson}-{lang}.pdf"
    page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)

    reader = PdfReader(path)
    assert len(reader.pages) >= 3, "the lesson did not flow onto pages (one screen printed?)"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_PT
    text = squeezed("".join(p.extract_text() for p in reader.pages))
    assert squeezed(tr(lang, lesson_key(lesson, "title"))) in text
    assert squeezed(tr(lang, "handout.kind")) in text
    assert squeezed(tr(lang, "handout.language")) in text
    assert squeezed(tr(lang, "handout.how")) not in text, "the on-screen bar printed"
    last = squeezed(reader.pages[-1].extract_text())
    assert f"{len(reader.pages)}/{len(reader.pages)}" in last, "no page numbers"


@pytest.mark.parametrize("page", ["en-US"], indirect=True)
def test_the_sidebar_button_opens_the_handout_and_print_and_back_work(page, app_url):
    open_idle(page, f"{app_url}/optimizers?lang=en")
    assert page.locator(".handout-header").count() == 0
    page.get_by_role("button", name=tr("en", "handout.open")).click()
    page.locator(".handout-header").wait_for(timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)
    assert "handout=1" in page.url
    assert tr("en", "lesson.optimizers.title") in page.locator(".handout-header").inner_text()
    page.evaluate("() => { window.print = () => { window.__printed = true; }; }")
    page.locator(".handout-print").click()
    assert page.evaluate("() => window.__printed === true"), "Print did not open printing"
    page.locator("[data-testid=stMain]").get_by_role(
        "button", name=tr("en", "handout.back")).click()
    page.locator(".handout-header").wait_for(state="detached", timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)
    assert "handout" not in page.url
    page.locator(".js-plotly-plot .nsewdrag").first.wait_for(timeout=IDLE_TIMEOUT_MS)  # live


def test_a_dark_theme_gets_told_to_print_light(page, app_url):
    """Streamlit draws its dark theme on paper too (dark pages): the handout says so, on
    screen only, and the header stays readable."""
    page.emulate_media(color_scheme="dark")
    open_idle(page, f"{app_url}/perceptron?lang=ko&handout=1")
    bar = page.locator(".st-key-handout-screen")
    bar.get_by_text(tr("ko", "handout.dark")).wait_for(timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)
    # the header and the Print button take the page's own text colour (light on dark); the
    # theme's colours may still be changing over when the notice shows: waited for
    page.wait_for_function("""() => {
      const e = ['.handout-header', '.handout-print', '[data-testid=stMain]']
        .map((s) => document.querySelector(s));
      if (e.includes(null)) return false;  // in the middle of a redraw
      const c = e.map((x) => getComputedStyle(x).color);
      return c[0] === c[2] && c[1] === c[2] && c[2] !== 'rgb(0, 0, 0)';
    }""", timeout=IDLE_TIMEOUT_MS)
    page.emulate_media(color_scheme="light")
    open_idle(page, f"{app_url}/perceptron?lang=ko&handout=1")
    expect(bar.get_by_text(tr("ko", "handout.dark"))).to_have_count(0)
