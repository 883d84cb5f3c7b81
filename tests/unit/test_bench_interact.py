"""bench/interact.py without a browser: its medians, ratios and table, and its list of
controls, whose headings, labels and tabs must still be texts the English pages show."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.interact import CONTROLS, LESSON_PAGES, cell, describe, median, ratio, table

ROOT = Path(__file__).resolve().parents[2]
LITERAL = {"x", "N", "a1"}  # labels the pages write as they are, not from the locale


def english_texts() -> list[str]:
    return list(json.loads((ROOT / "ui/locales/en.json").read_text(encoding="utf-8")).values())


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


def test_table_has_one_row_per_control_and_shows_na():
    rows = [
        {"page": "graph", "section": "1. café", "control": "number 'count'",
         "ms": [100.0, 300.0, 200.0], "whole": [400.0, 800.0, 500.0]},
        {"page": "graph", "section": "2. nodes", "control": "number 'x'", "ms": [],
         "whole": [400.0, 800.0, 500.0]},
    ]
    lines = table(rows).splitlines()
    assert lines[0] == ("| page | section | control | control ms | whole-page rerun ms "
                        "| ratio (control/whole) |")
    assert lines[2] == "| graph | 1. café | number 'count' | 200 | 500 | 0.40 |"
    assert lines[3] == "| graph | 2. nodes | number 'x' | n/a | 500 | n/a |"
    assert len(lines) == 4


def test_other_columns_can_be_tabled():
    rows = [{"page": "p", "section": "s", "control": "c", "sent": [50.0], "whole_sent": [100.0]}]
    assert table(rows, "sent", "whole_sent").splitlines()[2] == "| p | s | c | 50 | 100 | 0.50 |"


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
