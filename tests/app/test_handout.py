"""The handout (ui/handout.py): `?handout=1` turns a lesson into printable lecture notes.

Every lesson opens as its handout in both languages without an exception; its charts are
static (Plotly's staticPlot), its code panels and live timers are gone, and the header says
the lesson, the language and the date. The sidebar's button opens it and leaves it, and a
handout turns slide mode off while it lasts. What it looks like on paper is checked in a
browser: tests/e2e/test_handout_e2e.py.
"""

from __future__ import annotations

import datetime
import json

import pytest
import streamlit

from tests.app.helpers import open_lesson
from ui.handout import HANDOUT_KEY, css_string, header_html
from ui.i18n import LANGS, tr
from ui.lessons import LESSONS, lesson_file, lesson_key
from ui.settings import SLIDES_KEY

PAGES = [f"app_pages/{lesson_file(lesson).name}" for lesson in LESSONS]


def chart_configs(at) -> list[dict]:
    return [json.loads(chart.proto.config) for chart in at.get("plotly_chart")]


def running_loops(at) -> list[str]:
    """The live loops (ui.live.LiveLoop: '<key>.running') that are running."""
    return [k for k, on in at.session_state.items() if k.endswith(".running") and on]


def expander_labels(at) -> list[str]:
    return [e.label for e in at.expander]


def html_text(at) -> str:
    return "\n".join(h.proto.body for h in at.html)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_every_lesson_opens_as_its_handout(page, lang):
    at = open_lesson(page, lang, handout="1")  # fails on any exception
    assert at.session_state[HANDOUT_KEY] and at.query_params["handout"] == "1"
    configs = chart_configs(at)
    assert all(c.get("staticPlot") is True for c in configs), "a chart left interactive"
    assert tr(lang, "code.show") not in expander_labels(at), "a code panel in the handout"
    assert running_loops(at) == []
    lesson = page.removeprefix("app_pages/").removesuffix(".py")
    title = tr(lang, lesson_key(lesson, "title"))
    head = html_text(at)
    assert title in head and tr(lang, "handout.language") in head
    assert tr(lang, "handout.kind") in head
    assert "@media print" in head and "@page" in head


def test_the_home_page_has_a_handout_too():
    at = open_lesson("app_pages/home.py", "ko", handout="1")
    assert at.session_state[HANDOUT_KEY]
    assert tr("ko", "nav.home") in html_text(at)


def test_the_same_lesson_outside_its_handout_is_interactive_and_shows_its_code():
    """What the handout takes away is there on the lesson itself (the checks above can fail)."""
    at = open_lesson("app_pages/perceptron.py", "en")
    configs = chart_configs(at)
    assert configs and not any(c.get("staticPlot") for c in configs)
    assert tr("en", "code.show") in expander_labels(at)
    assert "@media print" not in html_text(at)


def test_a_running_loop_stops_ticking_in_the_handout(monkeypatch):
    """A loop started on the lesson is paused by its handout: its view registers no timer
    (st.fragment's run_every), and the loop is no longer running."""
    timers: list[float | None] = []
    real = streamlit.fragment

    def spy(func=None, *, run_every=None, **kw):
        timers.append(run_every)
        return real(func, run_every=run_every, **kw)

    monkeypatch.setattr(streamlit, "fragment", spy)
    at = open_lesson("app_pages/perceptron.py", "en")
    at.button(key="perceptron.xor.start").click().run()
    assert running_loops(at) == ["perceptron.xor.running"]
    assert any(every is not None for every in timers), "the running loop set no timer"
    timers.clear()
    at.query_params["handout"] = "1"
    at.run()
    assert not at.exception
    assert running_loops(at) == []
    assert timers and all(every is None for every in timers)


def test_the_sidebar_button_opens_the_handout_and_leads_back():
    at = open_lesson("app_pages/graph.py", "ko")
    at.button(key="ui_handout.open").click().run()
    assert at.session_state[HANDOUT_KEY] and at.query_params["handout"] == "1"
    assert all(c.get("staticPlot") for c in chart_configs(at))
    assert at.button(key="ui_handout.back").label == tr("ko", "handout.back")
    at.button(key="ui_handout.back").click().run()
    assert not at.exception
    assert not at.session_state[HANDOUT_KEY] and "handout" not in at.query_params
    assert tr("ko", "code.show") in expander_labels(at)


def test_a_handout_in_slide_mode_is_a_page_and_slide_mode_comes_back():
    """Slide mode's figures are 960 px wide, wider than A4: a handout turns it off, and going
    back to the lesson turns it on again."""
    at = open_lesson("app_pages/optimizers.py", "en", slides="1", handout="1")
    assert not at.session_state[SLIDES_KEY] and "slides" not in at.query_params
    assert all(c.get("staticPlot") for c in chart_configs(at))
    at.button(key="ui_handout.back_top").click().run()
    assert not at.exception
    assert at.session_state[SLIDES_KEY] and at.query_params["slides"] == "1"
    assert "handout" not in at.query_params


def test_a_presenter_link_with_handout_reruns_once_and_prints_as_a_page():
    """?present=1 asks for slide mode on every run (ui/sections.py): the handout leaves it
    each time, rerunning once only, not for ever."""
    at = open_lesson("app_pages/perceptron.py", "en", present="1", handout="1")
    assert at.session_state[HANDOUT_KEY] and not at.session_state[SLIDES_KEY]
    at.run()
    assert not at.exception and not at.session_state[SLIDES_KEY]
    assert all(c.get("staticPlot") for c in chart_configs(at))


@pytest.mark.parametrize("raw", ["0", "no", "<script>", ""])
def test_any_other_value_is_no_handout(raw):
    at = open_lesson("app_pages/perceptron.py", "en", handout=raw)
    assert not at.session_state[HANDOUT_KEY] and "handout" not in at.query_params
    assert not any(c.get("staticPlot") for c in chart_configs(at))


@pytest.mark.parametrize(("lang", "date_text"), [("en", "2026-03-07"), ("ko", "2026년 3월 7일")])
def test_the_header_says_the_kind_lesson_language_and_date(lang, date_text, monkeypatch):
    monkeypatch.setattr("ui.handout.t", lambda key, **kw: tr(lang, key, **kw))
    head = header_html("1. <Perceptron> & XOR", datetime.date(2026, 3, 7))
    assert "<b>1. &lt;Perceptron&gt; &amp; XOR</b>" in head
    assert tr(lang, "handout.kind") in head and tr(lang, "handout.language") in head
    assert date_text in head


def test_a_title_in_the_page_footer_cannot_leave_its_css_string():
    text = css_string('a "quoted" \\ title</style>\n')
    assert '"' not in text and "<" not in text and "\n" not in text
    assert text.count("\\") == 6  # each escape is a backslash, a hex code and a space
    assert css_string("1. 퍼셉트론과 XOR") == "1. 퍼셉트론과 XOR"
