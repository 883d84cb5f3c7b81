"""The app shell and home page under streamlit.testing.v1.AppTest, in both languages."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import LANGS, STATE_KEY, tr
from ui.lessons import LESSONS, lesson_key

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"


def run_app(lang: str | None = None, locale: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    if lang is not None:
        at.query_params["lang"] = lang
    if locale is not None:
        at.context["locale"] = locale
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    parts = [e.value for e in (*at.title, *at.subheader, *at.markdown, *at.caption, *at.info)]
    parts += [link.label for link in at.page_link]  # built lessons are links
    return "\n".join(parts)


@pytest.mark.parametrize("lang", LANGS)
def test_home_lists_the_five_lessons_in_the_chosen_language(lang):
    at = run_app(lang=lang)
    other = next(x for x in LANGS if x != lang)
    text = page_text(at)
    assert at.title[0].value == tr(lang, "home.title")
    for number, lesson in enumerate(LESSONS, start=1):
        assert f"{number}. {tr(lang, lesson_key(lesson, 'title'))}" in text
        assert tr(lang, lesson_key(lesson, "summary")) in text
        assert tr(other, lesson_key(lesson, "title")) not in text
    assert tr(lang, "home.order") in text
    assert at.query_params["lang"] == lang
    assert at.radio(key=STATE_KEY).value == lang


@pytest.mark.parametrize("lang", LANGS)
def test_home_shows_the_live_engine_backend(lang, monkeypatch):
    monkeypatch.delenv("ENGINE_BACKEND", raising=False)
    at = run_app(lang=lang)
    assert any("numpy" in m.value and "float32" in m.value for m in at.markdown)
    assert not at.error


def test_unusable_backend_is_an_error_message_not_a_crash(monkeypatch):
    monkeypatch.setenv("ENGINE_BACKEND", "no-such-backend")
    at = run_app(lang="en")
    assert len(at.error) == 1
    assert at.error[0].value.startswith(tr("en", "home.backend_error", error=""))


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en-US", "en"), ("ko-KR", "ko"), ("de-DE", "ko"), (None, "ko")],
)
def test_without_lang_the_browser_locale_decides_then_korean(locale, expected):
    at = run_app(locale=locale)
    assert at.title[0].value == tr(expected, "home.title")
    assert at.query_params["lang"] == expected


def test_lang_param_beats_browser_locale():
    at = run_app(lang="en", locale="ko-KR")
    assert at.title[0].value == tr("en", "home.title")


def test_unknown_lang_param_falls_back_and_is_rewritten():
    at = run_app(lang="fr", locale="en-US")
    assert at.title[0].value == tr("en", "home.title")
    assert at.query_params["lang"] == "en"


def test_language_switch_translates_the_page_and_updates_the_url():
    at = run_app(lang="ko")
    switch = at.radio(key=STATE_KEY)
    assert switch.label == tr("ko", "sidebar.language")
    assert list(switch.options) == [tr("ko", f"lang.{x}") for x in LANGS]

    switch.set_value("en").run()
    assert not at.exception
    assert at.title[0].value == tr("en", "home.title")
    assert at.query_params["lang"] == "en"
    assert at.radio(key=STATE_KEY).label == tr("en", "sidebar.language")

    # The choice sticks on the next rerun, and switching back works too.
    at.run()
    assert at.title[0].value == tr("en", "home.title")
    at.radio(key=STATE_KEY).set_value("ko").run()
    assert at.title[0].value == tr("ko", "home.title")
    assert at.query_params["lang"] == "ko"
