"""The app in Debian's Chromium: every page, both languages, no exception, no console error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import IDLE_TIMEOUT_MS, full_page_screenshot, open_idle
from ui.i18n import LANGS, tr
from ui.lessons import LESSONS, lesson_key

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

def assert_home_in(page, lang: str) -> None:
    """The home page in `lang`. Its parts are waited for (up to 10 s each), not read at one
    instant: on a busy machine the browser may still be laying the page out when the
    server's run has ended (a test run on 3 workers met that)."""
    assert page.locator("[data-testid=stException]").count() == 0
    main = page.locator("[data-testid=stMain]")
    shown = {"timeout": 10_000}
    expect(main.get_by_role("heading", name=tr(lang, "home.title"))).to_be_visible(**shown)
    for number, lesson in enumerate(LESSONS, start=1):
        title = f"{number}. {tr(lang, lesson_key(lesson, 'title'))}"
        expect(main.get_by_text(title, exact=False).first).to_be_visible(**shown)
    expect(main.get_by_text(tr(lang, "home.order"))).to_be_visible(**shown)
    assert page.title() == tr(lang, "app.title")


@pytest.mark.parametrize("lang", LANGS)
def test_home_page(app_url, page, screenshots_dir, lang):
    open_idle(page, f"{app_url}/?lang={lang}")
    assert_home_in(page, lang)
    full_page_screenshot(page, screenshots_dir / f"home-{lang}.png")


@pytest.mark.parametrize(("page", "lang"), [("en-US", "en"), ("ko-KR", "ko")], indirect=["page"])
def test_browser_locale_picks_the_language(app_url, page, lang):
    open_idle(page, f"{app_url}/")
    assert_home_in(page, lang)
    assert page.url.endswith(f"?lang={lang}")


def test_sidebar_switch_changes_language_and_url(app_url, page, screenshots_dir):
    open_idle(page, f"{app_url}/?lang=ko")
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text(tr("ko", "lang.en"), exact=True).click()
    page.wait_for_url("**/?lang=en", timeout=IDLE_TIMEOUT_MS)
    page.get_by_role("heading", name=tr("en", "home.title")).wait_for(timeout=IDLE_TIMEOUT_MS)
    open_idle(page, page.url)  # a reload keeps the chosen language
    assert_home_in(page, "en")
    full_page_screenshot(page, screenshots_dir / "home-switched-to-en.png")


@pytest.mark.parametrize(("width", "height", "open_"), [(390, 844, False), (1280, 800, True)],
                         ids=["phone", "desktop"])
def test_the_sidebar_starts_closed_on_a_phone_and_open_on_a_wide_screen(app_url, page, width,
                                                                          height, open_):
    """On a phone the sidebar would cover the lesson: it starts closed there; a wide screen
    shows it from the start."""
    page.set_viewport_size({"width": width, "height": height})
    open_idle(page, f"{app_url}/perceptron?lang=ko")
    box = page.locator("[data-testid=stSidebar]").bounding_box()
    assert (box is not None and box["x"] >= 0 and box["width"] > 0) == open_, box
    main = page.locator("[data-testid=stMain]")
    assert main.get_by_role("heading", name=tr("ko", "lesson.perceptron.title")).is_visible()
