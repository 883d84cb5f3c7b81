"""bench/live_page.py without a browser: which new elements count as a redraw of the loss
chart (the plotly chart of old, a Components v2 element), and its pause columns."""

from __future__ import annotations

from streamlit.proto.Element_pb2 import Element

from bench.live_page import LOSS_CHART, is_loss_redraw, pause_cell, pause_text, stopped


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
