"""The class link and the presenter view in Chromium: a link made with the sidebar's builder
opens a fresh tab on the chosen sections with the chosen control locked, its downloaded QR
code holds that link, and "Show everything" brings the lesson back; in the presenter view
the arrow keys move between sections (st.button's shortcut)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import segno
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.helpers import IDLE, IDLE_TIMEOUT_MS, open_idle, settle
from ui.class_link import QR_BORDER
from ui.i18n import tr
from ui.sections import sections_of

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

def shot(page, screenshots_dir, name: str) -> None:
    page.screenshot(path=str(screenshots_dir / f"classlink-{name}.png"))


def idle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)


def section_headings(page, lesson: str, lang: str) -> list[str]:
    """The ids of the lesson's sections whose header the main area shows."""
    main = page.locator("[data-testid=stMain]")
    return [s.id for s in sections_of(lesson)
            if main.get_by_role("heading", name=tr(lang, s.title), exact=True).count()]


def qr_matrix(png: bytes, modules: int) -> list[list[bool]]:
    """The dark modules of a QR code's PNG, read at the middle of each module."""
    image = Image.open(io.BytesIO(png)).convert("L")
    scale = image.width // (modules + 2 * QR_BORDER)
    return [[image.getpixel(((QR_BORDER + x) * scale + scale // 2,
                             (QR_BORDER + y) * scale + scale // 2)) < 128
             for x in range(modules)] for y in range(modules)]


@pytest.mark.parametrize("page", ["en-US"], indirect=True)
def test_a_built_link_opens_the_chosen_view(app_url, page, browser, screenshots_dir):
    lang = "en"
    open_idle(page, f"{app_url}/perceptron?lang={lang}")
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text(tr(lang, "classlink.builder")).click()
    # sections: the last two chips go (Backspace in the list's input); lock: w1
    sections = page.locator(".st-key-classlink-show-perceptron input")
    sections.click()
    sections.press("Backspace")
    sections.press("Backspace")
    page.keyboard.press("Escape")
    idle(page)
    locks = page.locator(".st-key-classlink-lock-perceptron input")
    locks.click()
    locks.fill("w1")
    locks.press("Enter")
    page.keyboard.press("Escape")
    idle(page)
    page.locator(".st-key-classlink-make button").click()
    idle(page)
    code = sidebar.locator("[data-testid=stCode] code").first
    link = code.inner_text().strip()
    assert link.startswith(f"{app_url}/perceptron?"), link
    assert "show=neuron,no_line,gates" in link and "lock=w1" in link and "lang=en" in link
    sidebar.locator("[data-testid=stImage] img").first.wait_for()
    shot(page, screenshots_dir, f"builder-{lang}")

    # the QR code the lecturer downloads holds exactly that link
    with page.expect_download() as download:
        page.locator(".st-key-classlink-png button").click()
    assert download.value.suggested_filename == f"class-link-perceptron-{lang}.png"
    png = Path(download.value.path()).read_bytes()
    expected = segno.make(link, error="m", micro=False).matrix
    assert qr_matrix(png, len(expected)) == [[bool(v) for v in row] for row in expected]

    # a learner opens it in a fresh tab
    learner = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    open_idle(learner, link)
    settle(learner)
    assert section_headings(learner, "perceptron", lang) == ["neuron", "no_line", "gates"]
    w1 = learner.locator(".st-key-perceptron-w1 [data-testid=stSlider] [role=group]")
    expect(w1).to_have_attribute("data-disabled", "true")
    expect(learner.locator(".st-key-perceptron-w2 [data-testid=stSlider] [role=group]")
           ).not_to_have_attribute("data-disabled", "true")
    idle(learner)
    learner.get_by_role("button", name=tr(lang, "classlink.show_all")).first.click()
    idle(learner)
    assert section_headings(learner, "perceptron", lang) == [
        s.id for s in sections_of("perceptron")]
    expect(w1).not_to_have_attribute("data-disabled", "true")
    assert "show=" not in learner.url and "lock=" not in learner.url
    assert learner.locator("[data-testid=stException]").count() == 0
    learner.context.close()


@pytest.mark.parametrize("page", ["ko-KR"], indirect=True)
def test_the_presenter_view_moves_with_the_arrow_keys(app_url, page, screenshots_dir):
    lang, lesson = "ko", "graph"
    n = len(sections_of(lesson))
    open_idle(page, f"{app_url}/{lesson}?lang={lang}&present=1")
    settle(page)
    bar = page.locator(".st-key-classlink-presenter")
    expect(bar).to_contain_text(f"1 / {n}")
    assert section_headings(page, lesson, lang) == ["cafe"]
    shot(page, screenshots_dir, f"presenter-{lang}")
    page.locator("[data-testid=stMain] h1").first.click()  # focus on the page, not a control
    page.keyboard.press("ArrowRight")
    expect(bar).to_contain_text(f"2 / {n}")
    idle(page)
    assert re.search(r"[?&]s=2(&|$)", page.url), page.url
    assert section_headings(page, lesson, lang) == ["nodes"]
    page.keyboard.press("ArrowLeft")
    expect(bar).to_contain_text(f"1 / {n}")
    idle(page)
    # a reload stays where it was
    page.locator(".st-key-classlink-next button").click()
    expect(bar).to_contain_text(f"2 / {n}")
    idle(page)
    open_idle(page, page.url)
    expect(page.locator(".st-key-classlink-presenter")).to_contain_text(f"2 / {n}")
    assert page.locator("[data-testid=stException]").count() == 0
