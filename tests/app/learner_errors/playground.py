"""Errors of lessons.playground, as a learner meets them on the page or in a notebook.

The page reaches most of them. A CSV upload: every playground_csv_* code (too big, binary,
empty, a wrong column count, a cell that is no number, NaN, a point off the plane, a label
that is neither class nor target, one class only). Drawing points: playground_points_count
(a click past the cap), playground_points_task (a click onto uploaded regression data),
playground_no_data (no points yet) and playground_too_few_points (one point). A link:
playground_points_invalid (damaged points) and playground_points_count (a "pts" with no
points; a longer one than the cap allows is turned away by ui.params' length limit first).
Unticking every input feature gives playground_no_features.

Only a notebook reaches playground_choice, playground_range and playground_not_number (the
page's widgets and ui.params bound every setting, a link's included) and playground_neuron
and playground_edge (the page offers only the neurons and inputs the network has).
"""

from functools import cache

import numpy as np

import lessons.playground as lp


@cache
def _run() -> lp.Run:
    return lp.build(lp.PRESETS["circle"])


def _full_board() -> lp.Data:
    """A drawn dataset already at the cap on points."""
    n = lp.MAX_POINTS
    return lp.custom_data(np.zeros((n, 2)), np.arange(n) % 2)


def _cut_link() -> str:
    """A link's points with their last three characters lost (as when a link is cut short)."""
    drawn = lp.custom_data([[1.0, 2.0], [-3.0, 0.5], [2.5, -1.0]], [0, 1, 1])
    return lp.encode_points(drawn)[:-3]


CASES = {
    "playground_choice": lambda: lp.Settings(activation="softplus"),
    "playground_range": lambda: lp.Settings(hidden=(4, 12)),
    "playground_not_number": lambda: lp.Settings(batch=2.5),
    "playground_no_features": lambda: lp.Settings(features=()),
    "playground_no_data": lambda: lp.build(lp.Settings(lp.CUSTOM)),
    "playground_too_few_points": lambda: lp.build(
        lp.Settings(lp.CUSTOM), lp.custom_data([[1.0, 1.0]], [0])),
    "playground_neuron": lambda: lp.neuron_detail(_run(), 3, 9),
    "playground_edge": lambda: lp.set_weight(_run(), 1, 0, 5, 0.3),
    "playground_points_task": lambda: lp.add_point(
        lp.parse_csv(b"0,0,0.5\n1,1,-0.5\n"), (2.0, 2.0), 1),
    "playground_points_count": lambda: lp.add_point(_full_board(), (1.0, 1.0), 1),
    "playground_points_invalid": lambda: lp.decode_points(_cut_link()),
    "playground_csv_too_big": lambda: lp.parse_csv(b"0.5,0.5,1\n" * 10_000),
    "playground_csv_not_text": lambda: lp.parse_csv(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    "playground_csv_empty": lambda: lp.parse_csv(b"x1,x2,label\n\n"),
    "playground_csv_too_many_rows": lambda: lp.parse_csv(b"0,0,0\n" * (lp.MAX_POINTS + 1)),
    "playground_csv_columns": lambda: lp.parse_csv(b"x1,x2,label\n1,2,0\n3,1\n"),
    "playground_csv_not_number": lambda: lp.parse_csv(b"1,2,0\n3,four,1\n"),
    "playground_csv_not_finite": lambda: lp.parse_csv(b"1,2,0\nnan,1,1\n"),
    "playground_csv_out_of_range": lambda: lp.parse_csv(b"1,2,0\n7.5,1,1\n"),
    "playground_csv_label": lambda: lp.parse_csv(b"1,2,0\n3,1,5\n"),
    "playground_csv_one_class": lambda: lp.parse_csv(b"1,2,1\n3,1,1\n-2,0,1\n"),
}
