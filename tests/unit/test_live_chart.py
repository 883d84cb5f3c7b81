"""ui.live_chart's messages: what the browser gets for each kind of change (the browser side,
static/live_chart.js, is driven in tests/e2e/test_live_chart_e2e.py)."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from engine.trainer import BoundedSeries
from tests.live_messages import points as values
from ui.live_chart import _Sent, diff, typed
from viz import mnist as vz


def sent_with(traces) -> _Sent:
    sent = _Sent(signature=None)
    sent.traces = [dict(tr) for tr in traces]
    sent.lengths = [[len(tr.get("x", ()))] * 2 for tr in traces]
    return sent



def curve(n, start=0):
    x = np.arange(start, start + n, dtype=np.int32)
    return dict(x=x, y=(1.0 / (1 + x)).astype(np.float32))


@pytest.mark.parametrize("dtype, code", [(np.int8, "i1"), (np.uint8, "u1"), (np.int32, "i4"),
                                         (np.float32, "f4"), (np.float64, "f8")])
def test_typed_arrays_keep_their_bytes_and_shape(dtype, code):
    z = (np.arange(12).reshape(3, 4) - 6).astype(dtype) if code != "u1" else \
        np.arange(12, dtype=dtype).reshape(3, 4)
    spec = typed(z)
    assert spec["dtype"] == code and spec["shape"] == "3, 4"
    back = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=dtype).reshape(3, 4)
    assert np.array_equal(back, z)
    assert "shape" not in typed(z[0])
    assert typed(np.array(["a", "b"])) == ["a", "b"]  # not numeric: a plain list


def test_a_curve_that_grew_sends_its_new_points_only():
    sent = sent_with([curve(10)])
    message = diff(sent, [curve(13)])
    ext = message["extend"]
    assert message["restyle"] is None
    assert ext["traces"] == [0] and ext["start"] == [10]
    assert ext["x"] == [{"range": [10, 1, 3]}]  # steps one apart: three numbers for any count
    assert values(ext["y"][0]) == pytest.approx([1 / 11, 1 / 12, 1 / 13], rel=1e-6)
    # the next message starts one message back: a skipped one is made up in the browser
    message = diff(sent, [curve(15)])
    assert message["extend"]["start"] == [10] and message["extend"]["x"] == [{"range": [10, 1, 5]}]
    message = diff(sent, [curve(16)])
    assert message["extend"]["start"] == [13]


def test_steps_that_do_not_rise_evenly_go_as_int32():
    sent = sent_with([dict(x=np.array([0, 1], dtype=np.int32), y=np.zeros(2, np.float32))])
    grown = dict(x=np.array([0, 1, 3, 7, 8], dtype=np.int32), y=np.zeros(5, np.float32))
    (x,) = diff(sent, [grown])["extend"]["x"]
    assert x["dtype"] == "i4" and values(x).tolist() == [3, 7, 8]


def test_an_unchanged_curve_sends_nothing():
    sent = sent_with([curve(10)])
    assert diff(sent, [curve(10)]) == {"extend": None, "restyle": None}


def test_a_thinned_curve_is_sent_whole():
    sent = sent_with([curve(10)])
    thinned = curve(10)
    thinned = dict(x=thinned["x"][::2], y=thinned["y"][::2])
    message = diff(sent, [thinned])
    assert message["extend"] is None
    (change,) = message["restyle"]
    assert change["trace"] == 0 and set(change["props"]) == {"x", "y"}
    assert change["props"]["x"]["dtype"] == "i4"
    assert diff(sent, [thinned]) == {"extend": None, "restyle": None}  # now held


def test_a_heatmap_waits_until_its_change_is_visible():
    z = np.zeros((4, 4), dtype=np.int8)
    sent = sent_with([dict(z=z)])
    small = z.copy()
    small[0, 0] = 3
    assert diff(sent, [dict(z=small)], min_change=4) == {"extend": None, "restyle": None}
    bigger = small.copy()
    bigger[1, 1] = -5  # compared with what the browser holds (zeros), not the last call
    (change,) = diff(sent, [dict(z=bigger)], min_change=4)["restyle"]
    assert change["props"]["z"]["dtype"] == "i1"
    assert np.array_equal(sent.traces[0]["z"], bigger)


def test_changed_text_is_sent_and_a_new_trace_count_needs_the_whole_figure():
    sent = sent_with([dict(z=np.eye(2, dtype=np.float32), text=[["1", "0"], ["0", "1"]])])
    (change,) = diff(sent, [dict(z=np.eye(2, dtype=np.float32),
                                 text=[["2", "0"], ["0", "1"]])])["restyle"]
    assert set(change["props"]) == {"text"}
    assert diff(sent, [dict(z=np.eye(2)), dict(z=np.eye(2))]) is None


def test_the_mnist_loss_curve_grows_by_prefix_until_the_history_thins():
    """The live loss chart sends every point the history keeps, so a redraw only adds
    points; the history's thinning (engine.trainer.BoundedSeries) is one whole resend."""
    series = BoundedSeries(limit=50)
    rng = np.random.default_rng(0)
    for step in range(30):
        series.append(step, float(rng.random()))
    sent = sent_with(vz.loss_data(series.x, series.y, max_points=series.limit))
    kinds = []
    for step in range(30, 80):
        series.append(step, float(rng.random()))
        message = diff(sent, vz.loss_data(series.x, series.y, max_points=series.limit))
        kinds.append("extend" if message["extend"] else "restyle" if message["restyle"]
                     else "none")
    assert kinds.count("restyle") == 1 and "none" not in kinds[:19]
    assert kinds[:19] == ["extend"] * 19  # 31..49 points; the 50th thins the series to 25


def test_a_whole_figure_leaves_its_template_apart():
    """The app's template (the same for every figure, about 7 KB) goes with a chart's first
    figure only; later figures name it by id."""
    import json

    import plotly.graph_objects as go

    from ui.live_chart import _figure_parts
    from viz import theme

    theme.install()
    fig = theme.style_figure(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), height=300)
    first, later = _figure_parts(fig, with_template=True), _figure_parts(fig, with_template=False)
    assert "template" not in json.loads(first["figure"])["layout"]
    assert first["template_id"] == later["template_id"] and "template" not in later
    assert json.loads(first["template"])["layout"]["font"]  # the template itself
    assert len(later["figure"]) < len(first["template"])  # the template was most of it
