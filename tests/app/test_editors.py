"""The data editors' server-side checks (ui/editors.py), on edits as the browser sends them."""

from __future__ import annotations

import pandas as pd
import pytest

from ui.editors import Limits, edits_problem
from ui.i18n import tr

FRAME = pd.DataFrame([[2, 2, -1], [2, 2, 0], [0, -1, -1]], columns=["X0", "X1", "X2"])
CHAIN = Limits(-9, 9, whole=True, max_rows=8)
FIXED = Limits(-10.0, 10.0)  # the activation table: no rows added or deleted


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setattr("ui.editors.t", lambda key, **kw: tr("en", key, **kw))


def edits(**kw) -> dict:
    return {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **kw}


ACCEPTED = {
    "nothing yet": None,
    "no change": edits(),
    "one cell": edits(edited_rows={"0": {"X2": 3}}),
    "row number as int": edits(edited_rows={2: {"X0": -9}}),
    "an emptied cell": edits(edited_rows={"1": {"X1": None}}),
    "five rows added": edits(added_rows=[{"X0": 1, "X1": 0, "X2": 9}] * 5),
    "eight rows after deleting one": edits(added_rows=[{"X0": 1}] * 6, deleted_rows=[0]),
    "a float that is whole": edits(edited_rows={"0": {"X0": 4.0}}),
}


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_edits_within_the_limits_are_accepted(case):
    assert edits_problem(ACCEPTED[case], FRAME, CHAIN) is None


REFUSED = {
    "nine rows": (edits(added_rows=[{"X0": 1}] * 6), "editor.too_many_rows",
                  {"rows": 9, "max": 8}),
    "20,000 rows": (edits(added_rows=[{"X0": 1}] * 20_000), "editor.too_many_rows",
                    {"rows": 20_003, "max": 8}),
    "ten": (edits(edited_rows={"0": {"X0": 10}}), "editor.out_of_range",
            {"value": "10", "lo": "-9", "hi": "9"}),
    "minus ten in a new row": (edits(added_rows=[{"X2": -10}]), "editor.out_of_range",
                               {"value": "-10", "lo": "-9", "hi": "9"}),
    "infinity": (edits(edited_rows={"0": {"X0": float("inf")}}), "editor.out_of_range",
                 {"value": "inf", "lo": "-9", "hi": "9"}),
    "a half": (edits(edited_rows={"0": {"X0": 0.5}}), "editor.not_whole", {"value": "0.5"}),
    "a boolean": (edits(edited_rows={"0": {"X0": True}}), "editor.not_number",
                  {"value": "`True`"}),
    "a text": (edits(edited_rows={"0": {"X0": "[x](https://e.x)"}}), "editor.not_number",
               {"value": "`[x](https://e.x)`"}),
    "a row that is not there": (edits(edited_rows={"3": {"X0": 1}}), "editor.malformed", {}),
    "a negative row": (edits(edited_rows={"-1": {"X0": 1}}), "editor.malformed", {}),
    "deleting row 7 of 3": (edits(deleted_rows=[7]), "editor.malformed", {}),
    "an unknown column": (edits(added_rows=[{"zz": 1}]), "editor.malformed", {}),
    "an unknown key": ({"edited_rows": {}, "sql": "drop"}, "editor.malformed", {}),
    "not a mapping": ([1, 2, 3], "editor.malformed", {}),
    "rows not a list": (edits(added_rows={"0": {}}), "editor.malformed", {}),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_edits_past_a_limit_are_refused_with_the_reason(case):
    state, key, values = REFUSED[case]
    assert edits_problem(state, FRAME, CHAIN) == tr("en", key, **values)


def test_a_fixed_table_takes_no_new_or_deleted_rows():
    frame = pd.DataFrame([[-2.0, 0.5], [1.0, 1.0]], index=["x", "dout"], columns=["0", "1"])
    assert edits_problem(edits(edited_rows={"1": {"0": -3.5}}), frame, FIXED) is None
    for state in (edits(added_rows=[{"0": 1.0}]), edits(deleted_rows=[0])):
        assert edits_problem(state, frame, FIXED) == tr("en", "editor.fixed_rows")
