"""Data editors whose limits hold on the server, not only in the browser.

The browser sends a data editor's edits as JSON: {"edited_rows": {row: {column: value}},
"added_rows": [{column: value}], "deleted_rows": [row]}. Its column settings (min_value,
max_value, num_rows) are enforced by the browser alone, and Streamlit applies whatever
arrives, a row at a time (about 0.8 ms a row), before the page sees the result. So a
crafted message could add 20,000 rows, put 10⁹ in a cell or edit row 99 of 3.

`pending_problem` reads the pending edits first (st.session_state holds them before the
widget applies them) and checks every one against the same limits the browser shows. Edits
that break one are never applied: the page says why (`show_refused`) and starts the editor
afresh, under a new key, from the values it last accepted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ui.i18n import t
from ui.messages import code_span

EDIT_KEYS = {"edited_rows", "added_rows", "deleted_rows"}


@dataclass(frozen=True)
class Limits:
    """What an editor accepts: numbers in [lo, hi] (whole ones when `whole`), and at most
    `max_rows` rows (added rows only where `max_rows` is more than the table has)."""

    lo: float
    hi: float
    whole: bool = False
    max_rows: int = 0  # 0: the rows cannot be added to or deleted


def _number_problem(value: object, limits: Limits) -> str | None:
    if value is None:
        return None  # an emptied cell: the page treats it as missing
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return t("editor.not_number", value=code_span(value, 20))
    if not math.isfinite(value) or not limits.lo <= value <= limits.hi:
        return t("editor.out_of_range", value=f"{value:.6g}", lo=f"{limits.lo:g}",
                 hi=f"{limits.hi:g}")
    if limits.whole and value != int(value):
        return t("editor.not_whole", value=f"{value:g}")
    return None


def edits_problem(edits: object, frame: pd.DataFrame, limits: Limits) -> str | None:
    """Why `edits` (a data editor's pending state, started from `frame`) cannot be applied,
    in the learner's language; None when every edit keeps to `limits`."""
    if edits is None:
        return None
    if not isinstance(edits, Mapping) or not set(edits) <= EDIT_KEYS:
        return t("editor.malformed")
    edited = edits.get("edited_rows", {})
    added = edits.get("added_rows", [])
    deleted = edits.get("deleted_rows", [])
    if not (isinstance(edited, Mapping) and isinstance(added, list)
            and isinstance(deleted, list)):
        return t("editor.malformed")
    n_rows, columns = len(frame), {str(c) for c in frame.columns}
    rows_after = n_rows + len(added) - len(set(map(str, deleted)))
    if (added or deleted) and not limits.max_rows:
        return t("editor.fixed_rows")
    if (added or deleted) and rows_after > limits.max_rows:
        return t("editor.too_many_rows", rows=max(rows_after, len(added)), max=limits.max_rows)
    if any(isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < n_rows
           for r in deleted):
        return t("editor.malformed")
    changes = []
    for row, cells in edited.items():
        if not str(row).isdigit() or int(row) >= n_rows or not isinstance(cells, Mapping):
            return t("editor.malformed")
        changes.append(cells)
    for cells in added:
        if not isinstance(cells, Mapping):
            return t("editor.malformed")
        changes.append(cells)
    for cells in changes:
        if not set(map(str, cells)) <= columns:
            return t("editor.malformed")
        for value in cells.values():
            problem = _number_problem(value, limits)
            if problem:
                return problem
    return None


def pending_problem(key: str, frame: pd.DataFrame, limits: Limits) -> str | None:
    """`edits_problem` for the edits the browser has sent for the editor keyed `key`, read
    before st.data_editor applies them. Call it before the editor is drawn in this run."""
    return edits_problem(st.session_state.get(key), frame, limits)


def show_refused(problem: str) -> None:
    """Tell the learner that the edits were not applied, and why."""
    st.error(t("editor.refused", reason=problem), icon=":material/block:")
