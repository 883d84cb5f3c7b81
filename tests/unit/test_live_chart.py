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


# --- frames: one difference per state the engine went through ----------------------------

def heat(step: int) -> dict:
    return dict(z=(np.arange(6, dtype=np.float32).reshape(2, 3) * step))


def states(first: int, last: int) -> list[list[dict]]:
    """The data of a heatmap and a curve at each step from first to last."""
    return [[heat(s), curve(s + 1)] for s in range(first, last + 1)]


def test_frames_are_differences_one_after_the_other_ending_at_the_last():
    from tests.live_messages import replay
    from ui.live_chart import frame_diffs

    sent = sent_with(states(0, 0)[0])
    held = [dict(tr) for tr in sent.traces]
    frames = states(1, 5)
    diffs = frame_diffs(sent, frames)
    assert len(diffs) == 5
    for d, state in zip(diffs, frames, strict=True):
        (change,) = d["restyle"]  # the heatmap, whole
        assert change["trace"] == 0 and set(change["props"]) == {"z"}
        assert d["extend"]["traces"] == [1]  # the curve, its new points
        held = replay(held, d)
        assert np.array_equal(held[0]["z"], state[0]["z"])  # each frame is a real state
        assert np.array_equal(held[1]["x"], state[1]["x"])
    # the first extend starts a message back, the later ones where the one before ended
    assert [d["extend"]["start"] for d in diffs] == [[1], [2], [3], [4], [5]]
    # what the server records is the last frame, exactly
    assert np.array_equal(sent.traces[0]["z"], frames[-1][0]["z"])
    assert np.array_equal(sent.traces[1]["y"], frames[-1][1]["y"])
    assert sent.lengths == [[0, 0], [1, 6]]  # one message back: where the next one starts
    (d,) = frame_diffs(sent, states(6, 6))
    assert d["extend"]["start"] == [1]
    assert replay(held, d)[1]["x"].tolist() == list(range(7))


def test_a_message_the_browser_skipped_is_made_up_by_the_next_ones_first_frame():
    from tests.live_messages import replay
    from ui.live_chart import frame_diffs

    sent = sent_with(states(0, 0)[0])
    held = [dict(tr) for tr in sent.traces]
    frame_diffs(sent, states(1, 4))  # never reaches the browser
    diffs = frame_diffs(sent, states(5, 7))
    # the heatmap's whole array comes again; the curve from where the browser is
    for d in diffs:
        held = replay(held, d)
    assert held[1]["x"].tolist() == list(range(8))


def test_frames_that_change_nothing_are_left_out_and_too_many_are_thinned():
    from tests.live_messages import replay
    from ui.live_chart import MAX_FRAMES, frame_diffs

    sent = sent_with([heat(0)])
    assert frame_diffs(sent, [[heat(0)], [heat(0)]]) == []
    assert len(frame_diffs(sent, [[heat(0)], [heat(1)], [heat(1)]])) == 1
    many = [[heat(s)] for s in range(2, 2 + 3 * MAX_FRAMES)]
    diffs = frame_diffs(sent, many)
    assert len(diffs) == MAX_FRAMES
    assert np.array_equal(replay([heat(1)], diffs[-1])[0]["z"], many[-1][0]["z"])
    assert frame_diffs(sent, [[heat(1), heat(1)]]) is None  # a new trace: the whole figure


@pytest.fixture
def page(monkeypatch):
    """live_chart() as in a browser's session, with what it hands the component recorded:
    page["calls"] holds (data, callbacks) per call; page["fragment"] says the kind of run."""
    import ui.live_chart as lc

    page = {"calls": [], "fragment": False, "state": {}}
    monkeypatch.setattr(lc, "component_available", lambda: True)
    monkeypatch.setattr(lc, "in_fragment_run", lambda: page["fragment"])
    monkeypatch.setattr(lc, "current_lang", lambda: "en")
    monkeypatch.setattr(lc, "slides_on", lambda: False)
    monkeypatch.setattr(lc, "export_format", lambda: "png")
    monkeypatch.setattr(lc.st, "session_state", page["state"])

    def component(*, key, data, width, height, **callbacks):
        page["calls"].append((data, callbacks))

    monkeypatch.setattr(lc, "_component", component)
    return page


def figure_of(state):
    import plotly.graph_objects as go

    return go.Figure([go.Heatmap(z=state[0]["z"]), go.Scatter(**state[1])])


def test_a_fragment_run_with_frames_sends_one_difference_per_frame(page):
    from ui.live_chart import live_chart

    now = states(0, 0)[0]
    live_chart("t.chart", "t-chart", lambda: figure_of(now), data=lambda: now)
    first, callbacks = page["calls"][-1]
    assert first["figure"] and "frames" not in first and set(callbacks) == {"on_resync_change"}
    assert first["clicks"] is False
    page["fragment"] = True
    frames = states(1, 4)
    live_chart("t.chart", "t-chart", lambda: figure_of(frames[-1]),
               data=lambda: pytest.fail("data() is not called with frames"),
               frames=frames, frame_s=0.05)
    message, _ = page["calls"][-1]
    assert message["figure"] is None and message["extend"] is None
    assert message["restyle"] is None
    assert len(message["frames"]) == 4 and message["frame_ms"] == 50
    assert all(set(d) == {"extend", "restyle"} for d in message["frames"])
    sent = page["state"]["t.chart.live_chart"]
    assert np.array_equal(sent.traces[1]["x"], frames[-1][1]["x"])
    # a whole-page run (or a resync, a new signature) draws the last frame, whole
    page["fragment"] = False
    frames = states(5, 7)
    live_chart("t.chart", "t-chart", lambda: figure_of(frames[-1]), data=lambda: frames[-1],
               frames=frames)
    message, _ = page["calls"][-1]
    assert message["figure"] and "frames" not in message
    assert np.array_equal(sent.traces[0]["z"], frames[-1][0]["z"])
    with pytest.raises(ValueError, match="frame_s"):
        live_chart("t.chart", "t-chart", lambda: figure_of(now), frames=frames, frame_s=0)


def test_no_callback_no_listener_and_a_click_reaches_on_click_checked(page):
    from ui.live_chart import live_chart

    now = states(0, 0)[0]
    got = []
    live_chart("t.chart", "t-chart", lambda: figure_of(now), data=lambda: now,
               on_click=got.append)
    message, callbacks = page["calls"][-1]
    assert message["clicks"] is True and set(callbacks) == {"on_click_change", "on_resync_change"}
    page["state"]["t.chart"] = {"click": {"curve": 0, "point": [1, 2], "x": 2, "y": 1.0,
                                          "mouse": {"x": 2.2, "y": 0.9}, "evil": "1+1"}}
    callbacks["on_click_change"]()
    assert got == [{"curve": 0, "point": [1, 2], "x": 2.0, "y": 1.0,
                    "mouse": {"x": 2.2, "y": 0.9}}]
    page["state"]["t.chart"] = {"click": "__import__('os')"}
    callbacks["on_click_change"]()
    assert len(got) == 1  # nothing left of it: on_click is not called


# --- clicks: what comes back from the browser is checked ---------------------------------

def test_a_well_formed_click_is_kept_whole():
    from ui.live_chart import clean_click

    value = {"curve": 1, "point": 7, "x": -1.5, "y": 2, "customdata": [1, 2.5],
             "mouse": {"x": -1.43, "y": 2.01}}
    assert clean_click(value) == {"curve": 1, "point": 7, "x": -1.5, "y": 2.0,
                                  "customdata": [1.0, 2.5], "mouse": {"x": -1.43, "y": 2.01}}
    assert clean_click({"point": [3, 4], "customdata": 5}) == {"point": [3, 4],
                                                              "customdata": 5.0}


@pytest.mark.parametrize("hostile", [
    None, "click", 42, [1, 2], {"__class__": 1}, {},
    {"curve": -1}, {"curve": True}, {"curve": 1.5}, {"curve": "0"}, {"curve": 2**40},
    {"point": [1, 2, 3]}, {"point": [1, "2"]}, {"point": [1.0, 2]}, {"point": [-1, 2]},
    {"point": [[1], [2]]}, {"point": {"0": 1}},
    {"x": float("nan")}, {"x": float("inf")}, {"x": "1e3"}, {"x": 10**400}, {"y": [1]},
    {"x": True}, {"customdata": list(range(9))}, {"customdata": [1, "a"]},
    {"customdata": [[1, 2]]}, {"customdata": []}, {"customdata": {"a": 1}},
    {"customdata": "__import__('os').system('x')"}, {"customdata": [float("nan")]},
    {"mouse": {"x": 1}}, {"mouse": {"x": 1, "y": float("inf")}}, {"mouse": [1, 2]},
    {"mouse": {"x": "1", "y": 2}}, {"mouse": {"x": 10**400, "y": 2}},
])
def test_a_hostile_click_leaves_nothing(hostile):
    from ui.live_chart import clean_click

    assert clean_click(hostile) is None


def test_only_the_well_formed_parts_of_a_click_are_kept():
    from ui.live_chart import clean_click

    value = {"curve": 0, "point": "1; drop", "x": 1.0, "y": float("nan"),
             "mouse": {"x": 0.5, "y": -0.25, "z": "extra"}, "script": "<script>",
             "customdata": ["x"] * 10**4}
    assert clean_click(value) == {"curve": 0, "x": 1.0, "mouse": {"x": 0.5, "y": -0.25}}
