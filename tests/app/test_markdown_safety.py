"""No value a learner or a link supplies reaches Markdown outside a code span.

Streamlit renders element bodies, labels and help texts as Markdown, and its Markdown turns
a bare URL into a live link even when the URL's characters were escaped. So the app shows
echoed values as code spans only. This test puts a marker inside links, bare URLs,
emphasis, HTML, math and stray backticks; sends them as every URL parameter of every
lesson and types them into every free-text box; and then reads every string the page
handed Streamlit to render as Markdown: the marker may appear only inside code spans
(found by tests/markdown_spans.py, which follows CommonMark's rules on its own).
"""

from __future__ import annotations

import pytest

from tests.app.test_bad_input import PAGES, assert_page_works, discover, open_page, walk
from tests.markdown_spans import outside_code
from ui.i18n import LANGS

MARK = "zq9mark"
VALUES = {
    "link": f"[{MARK}](https://evil.example/{MARK})",
    "bare-url": f"https://evil.example/{MARK}",
    "angle-url": f"<https://evil.example/{MARK}>",
    "emphasis-html-math": f"**{MARK}** <b>{MARK}</b> ${MARK}$",
    "backticks": f"`{MARK}` ``{MARK}",
    "image": f"![{MARK}](https://evil.example/{MARK}.png)",
}
# What fits the layers page's 20-character shape boxes
SHORT = {"link": f"[{MARK}](https://e)", "bare-url": f"https://e.x/{MARK}",
         "backticks": f"`{MARK}`` x"}
MARKDOWN_FIELDS = ("body", "label", "help", "placeholder")


def markdown_texts(at) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown."""
    texts = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        for name in MARKDOWN_FIELDS:
            value = getattr(proto, name, None)
            if isinstance(value, str) and value:
                texts.append(value)
    return texts


def assert_marker_only_in_code(at) -> int:
    """The marker is nowhere outside a code span; returns how often it was shown."""
    texts = markdown_texts(at)
    leaks = [text for text in texts if MARK in outside_code(text)]
    assert not leaks, leaks
    return sum(text.count(MARK) for text in texts)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("case", list(VALUES))
@pytest.mark.parametrize("page", PAGES)
def test_link_values_reach_markdown_only_as_code(page, case):
    found = discover(page)
    at = open_page(page, "en", **dict.fromkeys(found.names, VALUES[case]))
    assert_page_works(at, page, "en")
    assert assert_marker_only_in_code(at) > 0  # the refused values were quoted, as code


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", list(VALUES))
def test_expressions_typed_in_reach_markdown_only_as_code(case, lang):
    at = open_page("graph", lang)
    at.text_input(key="graph.expr").set_value(VALUES[case]).run()
    assert_page_works(at, "graph", lang)
    assert at.error  # none of them is an expression
    assert_marker_only_in_code(at)  # (the message may quote only the part that failed)


@pytest.mark.parametrize("case", list(SHORT))
def test_shapes_typed_in_reach_markdown_only_as_code(case):
    at = open_page("layers", "en", bcase="custom")
    at.text_input(key="layers.bc.shape_a").set_value(SHORT[case]).run()
    assert_page_works(at, "layers", "en")
    assert at.error
    assert_marker_only_in_code(at)
