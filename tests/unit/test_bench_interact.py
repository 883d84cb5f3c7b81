"""bench/interact.py without a browser: its medians, ratios and table, how it reads what a
touch ran, how it switches fragments off, and its list of controls, whose headings, labels
and tabs must still be texts the English pages show."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.interact import (
    CONTROLS,
    HEADER,
    LESSON_PAGES,
    cell,
    describe,
    median,
    ratio,
    reruns,
    table,
    what_ran,
    whole_page_scope,
)
from ui.i18n import load_catalog

ROOT = Path(__file__).resolve().parents[2]
LITERAL = {"x", "N", "a1"}  # labels the pages write as they are, not from the locale


def english_texts() -> list[str]:
    return list(load_catalog("en").values())


def matches(text: str, template: str) -> bool:
    """`text` is `template` with its {placeholders} filled in."""
    pattern = "".join(".+" if part.startswith("{") else re.escape(part)
                      for part in re.split(r"(\{[^}]*\})", template))
    return re.fullmatch(pattern, text) is not None


def test_median_and_ratio():
    assert median([]) is None
    assert median([300.0, 100.0, 200.0]) == 200.0
    assert median([100.0, 200.0]) == 150.0
    assert ratio(100.0, 400.0) == 0.25
    assert ratio(None, 400.0) is None
    assert ratio(100.0, None) is None
    assert ratio(100.0, 0.0) is None


def test_cell_writes_thousands_and_na():
    assert cell(1234.4) == "1,234"
    assert cell(0.256, 2) == "0.26"
    assert cell(None) == "n/a"


def test_what_a_touch_ran_comes_from_the_script_finished_statuses():
    assert what_ran(["FINISHED_FRAGMENT_RUN_SUCCESSFULLY"]) == "fragment"
    assert what_ran(["FINISHED_SUCCESSFULLY"]) == "page"
    # a fragment that reruns the page: the page ran as well
    assert what_ran(["FINISHED_EARLY_FOR_RERUN", "FINISHED_SUCCESSFULLY"]) == "page"
    assert what_ran(["FINISHED_FRAGMENT_RUN_SUCCESSFULLY", "FINISHED_SUCCESSFULLY"]) == "page"
    assert what_ran([]) is None
    assert reruns(["fragment", "fragment", None]) == "fragment"
    assert reruns(["page", "fragment"]) == "mixed"
    assert reruns([None]) == "n/a"
    assert reruns([]) == "n/a"


def test_table_has_one_row_per_control_and_shows_na():
    rows = [
        {"page": "graph", "section": "1. café", "control": "number 'count'",
         "reruns": ["fragment"] * 3, "on": [100.0, 300.0, 200.0], "off": [400.0, 800.0, 500.0],
         "r": [300.0]},
        {"page": "graph", "section": "2. nodes", "control": "number 'x'", "reruns": [],
         "on": [], "off": [400.0, 800.0, 500.0], "r": []},
        {"page": "layers", "section": "sizes", "control": "slider 'N'", "reruns": ["page"],
         "on": [1000.0], "off": [1000.0], "r": [600.0]},
    ]
    lines = table(rows).splitlines()
    assert lines[0] == HEADER
    assert lines[0].split(" | ")[3:7] == [
        "reruns", "in its fragment ms", "whole page ms (same control, fragments off)",
        "ratio (fragment/whole)"]
    assert lines[2] == "| graph | 1. café | number 'count' | fragment | 200 | 500 | 0.40 | 300 |"
    assert lines[3] == "| graph | 2. nodes | number 'x' | n/a | n/a | 500 | n/a | n/a |"
    assert lines[4] == "| layers | sizes | slider 'N' | page | 1,000 | 1,000 | 1.00 | 600 |"
    assert len(lines) == 5


def test_other_columns_can_be_tabled():
    rows = [{"page": "p", "section": "s", "control": "c", "on_sent": [50.0],
             "off_sent": [100.0], "r_sent": [70.0]}]
    assert (table(rows, "on_sent", "off_sent", "r_sent").splitlines()[2]
            == "| p | s | c | n/a | 50 | 100 | 0.50 | 70 |")


def test_without_fragments_a_rerun_of_named_fragments_reruns_the_page():
    assert whole_page_scope("app", False) == "app"
    assert whole_page_scope("cafe.bill", False) == "app"
    assert whole_page_scope(["cafe.bill", "cafe.graph"], False) == "app"
    assert whole_page_scope(["cafe.bill"], True) == "app"
    assert whole_page_scope("fragment", False) == "app"
    assert whole_page_scope("fragment", True) == "fragment"  # a timed fragment's own tick


# Run in a fresh interpreter: the patch changes the streamlit module for the whole process.
PATCHED = """
import streamlit as st
from bench.interact import without_fragments
real = st.fragment
without_fragments()
def f():
    return 42
assert st.fragment(f) is f
assert st.fragment()(f) is f
assert st.fragment(key="a")(f) is f
assert st.fragment(f, key=3, parallel=False) is f
timed = st.fragment(run_every=1)(f)  # a timed fragment stays one of Streamlit's
assert timed is not f and timed.__wrapped__ is f
assert st.fragment(f, run_every="2s") is not f
assert st.fragment is not real and "switched off" in st.fragment.__doc__
assert st.rerun(["a", "b"]) is None  # no script run here: nothing to rerun, no error
print("ok")
"""


def test_without_fragments_leaves_plain_sections_as_they_are():
    done = subprocess.run([sys.executable, "-c", PATCHED], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_every_lesson_has_controls_and_the_issues_four_are_there():
    assert {c.page for c in CONTROLS} == set(LESSON_PAGES)
    named = {(c.page, c.label) for c in CONTROLS}
    assert {("perceptron", "w1 (weight of x1)"), ("graph", "count"),
            ("layers", "N (samples in a batch)"),
            ("optimizers", "Learning rate η (all three)")} <= named
    assert len({(c.page, c.section) for c in CONTROLS}) == len(CONTROLS)  # one per section


@pytest.mark.parametrize("control", CONTROLS, ids=describe)
def test_headings_labels_and_tabs_are_english_texts_of_the_app(control):
    texts = english_texts()
    if control.heading is not None:
        assert any(t.startswith(control.heading) for t in texts), control.heading
    for label in (control.label, control.back, control.tab):
        if label is not None and label not in LITERAL:
            assert any(matches(label, t) for t in texts), label
