"""bench/live_page.py without a browser: which new elements count as a redraw of the loss
chart (the plotly chart of old, a Components v2 element) and how many pictures each brings,
a redraw's bytes, and its pause columns."""

from __future__ import annotations

import json

from streamlit.proto.Element_pb2 import Element

from bench.live_page import (
    LOSS_CHART,
    is_loss_redraw,
    loss_pictures,
    pause_cell,
    pause_text,
    redraw_sizes,
    stopped,
    tick_gap,
)


def element(kind: str, id_: str) -> Element:
    e = Element()
    getattr(e, kind).id = id_
    return e


def test_the_loss_chart_is_a_redraw_as_plotly_or_as_a_component():
    assert is_loss_redraw(element("plotly_chart", f"$$ID-abc-{LOSS_CHART}.1200.static"))
    assert is_loss_redraw(element("bidi_component", f"$$ID-abc-{LOSS_CHART}"))


def test_other_charts_and_elements_are_not():
    assert not is_loss_redraw(element("plotly_chart", "$$ID-abc-mnist.live.accuracy.3"))
    assert not is_loss_redraw(element("bidi_component", "$$ID-abc-mnist.live.grads"))
    e = Element()
    e.metric.label = LOSS_CHART
    assert not is_loss_redraw(e)
    assert not is_loss_redraw(Element())


def test_stopped_says_how_many_stopped():
    assert stopped([True] * 5) == "yes"
    assert stopped([True, False, True]) == "no 2/3"
    assert stopped([]) == "-"


def test_pause_cell_and_text():
    assert pause_cell([0.5, 0.2, 0.9, 0.3, 0.4]) == "0.40"
    assert pause_cell([0.5, 0.2, 0.9, 0.3]) == "0.40 (4)"
    assert pause_cell([]) == "failed"
    assert pause_text({"s": 0.341, "stopped": True, "steps": ["600"] * 3}) == "0.34"
    assert pause_text({"s": 0.3, "stopped": False, "steps": ["600", "634", "634"]}) == (
        "0.30 (went on: 600 → 634 → 634)")
    assert pause_text({"error": "Timeout"}) == "failed: Timeout"


def test_loss_pictures_count_a_messages_frames():
    e = element("bidi_component", f"$$ID-abc-{LOSS_CHART}")
    e.bidi_component.json = json.dumps({"frames": [{}, {}, {}], "extend": None})
    assert loss_pictures(e) == 3
    e.bidi_component.json = json.dumps({"extend": {"traces": [0]}, "restyle": None})
    assert loss_pictures(e) == 1
    e.bidi_component.json = json.dumps({"figure": None, "extend": None, "restyle": None})
    assert loss_pictures(e) == 0  # a message that brings nothing new
    assert loss_pictures(element("plotly_chart", f"$$ID-abc-{LOSS_CHART}.7")) == 1
    other = element("bidi_component", "$$ID-abc-mnist.live.grad-flow")
    other.bidi_component.json = json.dumps({"frames": [{}]})
    assert loss_pictures(other) == 0


def test_a_redraws_bytes_are_its_ticks_over_its_pictures():
    runs = [(50_000, 1, False, 0.5),  # the page's run after Start: not a redraw
            (9_000, 3, True, 1.0),  # a tick with three frames: 3 KB each
            (1_000, 0, True, 2.0),  # a tick that brought no picture: carried to the next
            (4_000, 1, True, 2.5),
            (180_000, 1, False, 3.0)]  # the whole page once the run ended
    assert redraw_sizes(runs) == [3_000, 3_000, 3_000, 5_000]
    assert redraw_sizes([]) == []
    assert tick_gap(runs) == 0.75  # the median of 1.0 and 0.5 s between the ticks' ends
    assert tick_gap(runs[:2]) is None
