"""The class link and the presenter view (ui/sections.py, ui/class_link.py), under AppTest.

* Each lesson's declaration in ui/sections.py names exactly the settings its page writes
  into the URL, and its page runs the declared sections.
* A link made with the builder in the sidebar opens on exactly the chosen sections, with
  the chosen controls locked; "Show everything" brings back the rest and frees them.
* A hostile link gets one notice, whatever it holds.
* The presenter view's Next and Previous walk through every section of every lesson, in
  both languages.
* The QR code the builder offers holds the link it shows.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, urlsplit

import pytest
import segno
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.app.helpers import link_notice_details, open_lesson
from ui.class_link import QR_BORDER, app_address, class_link, link_query, qr_png
from ui.i18n import LANGS, tr
from ui.lessons import LESSONS
from ui.sections import LESSON_SECTIONS, lesson_lockable, lesson_params, sections_of

TIMEOUT = 120  # the MNIST page loads its data on its first run in a process
SHELL = {"lang", "slides"}
EMPTY_BY_DEFAULT = {"pts"}  # the playground's drawn points: an empty text stays out of the URL
SHOWS_EVERY_CONTROL = {"mnist": {"samples": "index"}}  # the start index shows for "index"


def page_file(lesson: str) -> str:
    return f"app_pages/{lesson}.py"


def open_page(lesson: str, lang: str = "en", **params: str) -> AppTest:
    return open_lesson(page_file(lesson), lang, timeout=TIMEOUT, **params)


def section_headers(at: AppTest, lesson: str, lang: str) -> list[str]:
    """The ids of the lesson's sections whose header (or tab) the page shows, in page order.
    The layers lesson's sizes and the playground's lab have no header of their own: their
    first control stands for them."""
    shown = {h.value for h in at.header} | {tab.label for tab in at.tabs}
    ids = []
    for s in sections_of(lesson):
        if s.id == "sizes":
            present = any(w.key == "layers.N" for w in at.slider)
        elif s.id == "lab":
            present = any(w.key == "playground.noise" for w in at.slider)
        else:
            present = tr(lang, s.title) in shown
        if present:
            ids.append(s.id)
    return ids


def disabled_params(at: AppTest, lesson: str) -> set[str]:
    """The names of the lesson's settings whose widget is drawn disabled."""
    names = set(lesson_lockable(lesson))
    found = set()
    for kind in ("slider", "number_input", "radio", "selectbox", "select_slider", "toggle",
                 "checkbox", "text_input", "segmented_control", "pills", "multiselect"):
        for w in getattr(at, kind):
            key = w.key or ""
            page, _, name = key.partition(".")
            if page == lesson and name in names and w.disabled:
                found.add(name)
    return found


# ---------------------------------------------------------------- the declarations


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_lesson_declares_the_settings_its_page_keeps(lesson):
    at = open_page(lesson)
    assert not at.warning or all("link" not in w.value for w in at.warning)
    written = set(at.query_params) - SHELL
    assert written == set(lesson_params(lesson)) - EMPTY_BY_DEFAULT
    names = lesson_params(lesson)
    assert len(names) == len(set(names))  # no setting in two sections
    assert section_headers(at, lesson, "en") == [s.id for s in sections_of(lesson)]
    # every control the builder offers to lock is drawn disabled by a link that locks it
    locked = open_page(lesson, lock=",".join(lesson_lockable(lesson)),
                       **SHOWS_EVERY_CONTROL.get(lesson, {}))
    assert disabled_params(locked, lesson) == set(lesson_lockable(lesson))
    assert not locked.warning


def test_every_lesson_has_sections_with_distinct_ids():
    assert set(LESSON_SECTIONS) == set(LESSONS)
    for sections in LESSON_SECTIONS.values():
        ids = [s.id for s in sections]
        assert len(ids) == len(set(ids)) and all(i.isidentifier() for i in ids)


# ---------------------------------------------------------------- the builder


def build(at: AppTest, show: list[str], lock: list[str], **choices) -> str:
    """Fill in the sidebar's builder on the open page and return the link it shows."""
    lesson = at.selectbox(key="classlink.lesson").value
    at.multiselect(key=f"classlink.show.{lesson}").set_value(show).run()
    if lock:  # (the list is disabled when the chosen sections have no controls)
        at.multiselect(key=f"classlink.lock.{lesson}").set_value(lock).run()
    if "lang" in choices:
        at.selectbox(key="classlink.lang").set_value(choices["lang"]).run()
    if "present" in choices:
        at.toggle(key="classlink.present").set_value(choices["present"]).run()
    at.button(key="classlink.make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    links = [c.value for c in at.sidebar.code if "?" in c.value]
    assert len(links) == 1, links
    return links[0]


def open_link(link: str) -> AppTest:
    """A fresh session opening `link` (relative: '<lesson>?<query>'), as a learner does."""
    parts = urlsplit(link)
    lesson = parts.path.rsplit("/", 1)[-1]
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    lang = query.pop("lang")
    return open_page(lesson, lang, **query)


@pytest.mark.parametrize(("lesson", "lang", "show", "lock"), [
    ("perceptron", "en", ["neuron", "xor"], ["w1", "gate", "xor_h"]),
    ("graph", "ko", ["nodes", "sigmoid", "expr"], ["nx", "expr"]),
    ("layers", "en", ["sizes", "activations", "broadcast"], ["N", "act"]),
])
def test_a_built_link_opens_the_chosen_sections_and_locks(lesson, lang, show, lock):
    at = open_page(lesson, lang)
    if lesson == "perceptron":  # a setting of the page travels with the link
        at.slider(key="perceptron.w1").set_value(-1.5).run()
    link = build(at, show, lock)
    assert link.startswith(f"{lesson}?")
    if lesson == "perceptron":  # a setting at its default stays out: the link stays short
        assert "w1=-1.5" in link and "w2=" not in link
    learner = open_link(link)
    assert not learner.exception
    assert section_headers(learner, lesson, lang) == show
    assert disabled_params(learner, lesson) == set(lock)
    assert not learner.warning  # the builder's link is a good link
    if lesson == "perceptron":
        assert learner.slider(key="perceptron.w1").value == -1.5
    # "Show everything": every section, every control free, and the URL says so
    learner.button(key="classlink.show_all").click().run()
    assert section_headers(learner, lesson, lang) == [s.id for s in sections_of(lesson)]
    assert disabled_params(learner, lesson) == set()
    assert "show" not in learner.query_params and "lock" not in learner.query_params


def test_a_locked_control_keeps_its_value_against_a_preset():
    at = open_page("perceptron", lock="w1,gate")
    assert disabled_params(at, "perceptron") == {"w1", "gate"}
    at.button(key="perceptron.preset.OR").click().run()  # sets w1, w2, b and the gate
    assert at.slider(key="perceptron.b").value == -0.2  # not locked: the preset's
    assert at.radio(key="perceptron.gate").value == "AND"
    assert at.slider(key="perceptron.w1").value == 0.5


def test_the_builder_starts_on_the_open_lesson_and_offers_only_shown_sections_controls():
    at = open_page("optimizers", "ko")
    assert at.selectbox(key="classlink.lesson").value == "optimizers"
    at.multiselect(key="classlink.show.optimizers").set_value(["batch"]).run()
    assert at.multiselect(key="classlink.lock.optimizers").options == ["batch_lr"]


def test_a_link_for_another_lesson_carries_no_settings_of_this_page():
    at = open_page("perceptron")
    at.selectbox(key="classlink.lesson").set_value("mnist").run()
    link = build(at, ["draw"], [], present=True)
    query = dict(parse_qsl(urlsplit(link).query))
    assert urlsplit(link).path == "mnist"
    assert query == {"lang": "en", "slides": "1", "present": "1", "show": "draw"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_qr_code_holds_the_link(lang):
    at = open_page("graph", lang)
    link = build(at, ["cafe", "backward"], ["tax"], lang=lang)
    png = Image.open(io.BytesIO(qr_png(link))).convert("L")
    expected = segno.make(link, error="m", micro=False)
    modules = len(expected.matrix)
    size = modules + 2 * QR_BORDER
    assert png.width == png.height and png.width % size == 0
    scale = png.width // size
    read = [[png.getpixel(((QR_BORDER + x) * scale + scale // 2,
                           (QR_BORDER + y) * scale + scale // 2)) < 128
             for x in range(modules)] for y in range(modules)]
    assert read == [[bool(v) for v in row] for row in expected.matrix]
    assert png.width >= 900  # big enough to project
    assert f"lang={lang}" in link and "show=cafe,backward" in link and "lock=tax" in link


def test_link_query_and_address():
    query = link_query({"w1": "2", "lang": "ko", "show": "x", "s": "3"}, lang="en", slides=False,
                       present=True, show=["xor", "neuron"], lock=["w1"],
                       all_sections=["neuron", "no_line", "xor"])
    assert query == "w1=2&lang=en&slides=1&present=1&show=neuron,xor&lock=w1"
    assert "show" not in link_query({}, lang="en", slides=False, present=False,
                                    show=["a", "b"], lock=[], all_sections=["a", "b"])
    assert link_query({"expr": "x&y=1 #"}, lang="en", slides=False, present=False, show=[],
                      lock=[], all_sections=[]) == "expr=x%26y%3D1+%23&lang=en"
    assert app_address("https://host:8501/base/graph", "graph") == "https://host:8501/base"
    assert app_address("http://host/", "") == "http://host"
    assert app_address(None, "graph") is None
    assert class_link("http://h", "mnist", "lang=en") == "http://h/mnist?lang=en"
    assert class_link(None, "mnist", "lang=en") == "mnist?lang=en"


# ---------------------------------------------------------------- hostile links


HOSTILE_LINK = {
    "show": "<script>alert(1)</script>,neuron,__import__('os'),," + "x," * 300,
    "lock": "w1,`rm -rf`,https://evil.example",
    "present": "yes please",
    "s": "1e999",
    "w1": "nan",
    "gate": "NOR",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_hostile_link_gets_one_notice(lang):
    at = open_page("perceptron", lang, **HOSTILE_LINK)
    assert not at.exception and not at.error
    assert len(at.warning) == 1
    notice = at.warning[0].value
    for name in ("show", "w1", "gate", "lock", "present"):
        assert f"`{name}`" in notice
    details = link_notice_details(at)
    assert any("<script>" in d for d in details)  # the value shown as code, never run
    assert not any("https://evil.example" in d and "`" not in d for d in details)


def test_the_graph_page_with_every_setting_bad_gets_one_notice():
    params = dict.fromkeys(lesson_params("graph"), "1e999")
    at = open_page("graph", "en", **params, show="nope", lock="nope")
    assert len(at.warning) == 1
    assert len(link_notice_details(at)) >= len(params)


# ---------------------------------------------------------------- the presenter view


def position(at: AppTest, lang: str = "en") -> str:
    """The presenter bar's "3 / 8" line."""
    head = tr(lang, "classlink.position").split("{index}")[0]
    bar = [m.value for m in at.markdown if m.value.startswith(head)]
    assert len(bar) == 1, bar
    return bar[0]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("lesson", LESSONS)
def test_presenter_next_and_previous_walk_through_every_section(lesson, lang):
    sections = sections_of(lesson)
    n = len(sections)
    at = open_page(lesson, lang, present="1")
    assert at.session_state["ui_slides"] is True  # the presenter view is in slide mode
    order = list(range(n)) + list(range(n - 2, -1, -1))  # forward, then back to the first
    for step, k in enumerate(order):
        section = sections[k]
        assert tr(lang, "classlink.position", index=k + 1, count=n,
                  title=tr(lang, section.title)) == position(at, lang)
        assert section_headers(at, lesson, lang) == [section.id]
        assert at.query_params.get("s", "1") == str(k + 1)
        assert at.button(key="classlink.previous").disabled == (k == 0)
        assert at.button(key="classlink.next").disabled == (k == n - 1)
        if step + 1 < len(order):
            key = "classlink.next" if order[step + 1] > k else "classlink.previous"
            at.button(key=key).click().run()
            assert not at.exception, [e.value for e in at.exception]
    at.button(key="classlink.leave").click().run()
    assert section_headers(at, lesson, lang) == [s.id for s in sections]


def test_presenter_reload_stays_and_a_filtered_link_presents_its_sections():
    at = open_page("perceptron", "en", present="1", s="2", show="gates,spiral")
    assert section_headers(at, "perceptron", "en") == ["spiral"]
    assert position(at).startswith("Section **2 / 2**")
    assert not at.warning
